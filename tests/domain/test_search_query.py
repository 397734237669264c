"""What a search query names (domain/search.py), without a database."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from domain.search import (
    MAX_NAME_WORDS,
    MAX_QUERY_CHARS,
    account_query,
    clipped,
    is_local,
    is_url,
    like_prefix,
    local_resource,
    tag_prefix,
    word_prefixes,
)
from domain.urls import Urls

URLS = Urls("example.com")
PORTED = Urls("127.0.0.1:8000", "http")


def test_account_query_strips_the_leading_at_and_splits_the_domain():
    query = account_query("  @Alice@Example.com ")
    assert (query.text, query.username, query.domain) == (
        "Alice@Example.com",
        "Alice",
        "Example.com",
    )
    assert query.complete and is_local(query.domain, URLS)
    plain = account_query("@alice")
    assert (plain.username, plain.domain, plain.complete) == ("alice", None, False)
    assert is_local(plain.domain, URLS)
    assert not is_local(account_query("a@elsewhere.example").domain, URLS)
    trailing = account_query("alice@")
    assert (trailing.username, trailing.domain, trailing.complete) == ("alice", None, False)


def test_complete_names_follow_mastodons_mention_pattern():
    assert account_query("alice@127.0.0.1:8000").complete
    assert is_local("127.0.0.1:8000", PORTED)
    for partial in ("alice", "alice@", "@alice@", "ali ce@example.com", "-alice@example.com"):
        assert not account_query(partial).complete, partial


def test_word_prefixes_and_like_prefix():
    assert word_prefixes("Hello, wörld_2!") == "hello:* & wörld:* & 2:*"
    assert word_prefixes(" -- ") is None
    assert like_prefix("a_b%c\\") == "a\\_b\\%c\\\\%"


@given(st.text())
def test_word_prefixes_are_always_safe_tsquery_text(text: str):
    made = word_prefixes(text)
    assert made is None or re.fullmatch(r"[^\W_]+:\*( & [^\W_]+:\*)*", made)


def test_long_queries_are_cut_after_a_whole_word():
    words = " ".join(f"word{n}" for n in range(1000))
    cut = clipped(words)
    assert len(cut) <= MAX_QUERY_CHARS and words.startswith(cut + " ")
    assert clipped("x" * 2000) == "x" * MAX_QUERY_CHARS
    assert clipped("short one") == "short one"
    assert word_prefixes(words).count(":*") == MAX_NAME_WORDS


def test_tag_prefix_is_a_normalized_name():
    assert tag_prefix(" #Café ") == "cafe"
    assert tag_prefix("#") == ""


def test_local_resources():
    assert is_url("HTTPS://example.com") and not is_url("example.com/@alice")
    status = local_resource("https://example.com/@alice/110519805542400017", URLS)
    assert (status.kind, status.status_id) == ("statuses", 110519805542400017)
    uri = local_resource("http://EXAMPLE.com/users/alice/statuses/7?x=1#y", URLS)
    assert (uri.kind, uri.status_id) == ("statuses", 7)
    for url in ("https://example.com/@alice", "https://example.com/users/alice/"):
        account = local_resource(url, URLS)
        assert (account.kind, account.username) == ("accounts", "alice")
    for url in (
        "https://elsewhere.example/@alice",
        "https://example.com/@alice/x1",
        "https://example.com/@alice/0",
        "https://example.com/@alice/99999999999999999999",
        "https://example.com/@",
        "https://example.com/about",
        "https://example.com",
        "https://[::1",
    ):
        assert local_resource(url, URLS) is None, url
    ported = local_resource("http://127.0.0.1:8000/@alice", PORTED)
    assert ported is not None and ported.username == "alice"
