"""Plain text to Mastodon content (§4): entities, HTML, tags, mentions and length."""

import html
import time

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from domain.entities import (
    Entity,
    _urls,
    extract_entities,
    mention_names,
    normalize_mentions,
    tag_names,
)
from domain.text import render_html, status_length

TAGS = "https://example.com/tags"
BOB = {"bob": "https://example.com/@bob"}


def render(text: str, mentions: dict[str, str] | None = None) -> str:
    return render_html(text, mentions=mentions or {}, tag_base_url=TAGS)


def link(url: str, prefix: str, display: str, suffix: str = "", cls: str = "") -> str:
    return (
        f'<a href="{url}" target="_blank" rel="nofollow noopener" translate="no">'
        f'<span class="invisible">{prefix}</span><span class="{cls}">{display}</span>'
        f'<span class="invisible">{suffix}</span></a>'
    )


def urls(text: str) -> list[str]:
    return [e.value for e in extract_entities(text) if e.kind == "url"]


def hashtags(text: str) -> list[str]:
    return [e.value for e in extract_entities(text) if e.kind == "hashtag"]


def mentions_in(text: str) -> list[str]:
    return [e.value for e in extract_entities(text) if e.kind == "mention"]


# --- §4.4 worked example -------------------------------------------------------------


def test_worked_example_renders_byte_for_byte() -> None:
    typed = (
        "Hi @Bob, see https://example.org/some/very/long/path/that/goes/on?x=1&y=2 #Python"
        "\n\nBye\nnow it's late"
    )
    stored = normalize_mentions(typed, lambda acct: "bob" if acct.lower() == "bob" else None)

    assert stored == typed.replace("@Bob", "@bob")
    assert render(stored, BOB) == (
        '<p>Hi <span class="h-card" translate="no"><a href="https://example.com/@bob" '
        'class="u-url mention">@<span>bob</span></a></span>, see <a href="https://example.org'
        '/some/very/long/path/that/goes/on?x=1&amp;y=2" target="_blank" rel="nofollow noopener"'
        ' translate="no"><span class="invisible">https://</span><span class="ellipsis">'
        'example.org/some/very/long/pat</span><span class="invisible">h/that/goes/on?x=1&amp;'
        'y=2</span></a> <a href="https://example.com/tags/Python" class="mention hashtag" '
        'rel="tag">#<span>Python</span></a></p><p>Bye<br />now it&#39;s late</p>'
    )


# --- Paragraphs, line breaks and escaping ----------------------------------------------


def test_single_newline_is_br_and_blank_line_starts_a_paragraph() -> None:
    assert render("a\nb\n\nc") == "<p>a<br />b</p><p>c</p>"


def test_several_blank_lines_make_one_paragraph_break() -> None:
    assert render("a\n\n\n\nb") == "<p>a</p><p>b</p>"


def test_carriage_returns_count_as_newlines() -> None:
    assert render("a\r\nb\r\n\r\nc\rd") == "<p>a<br />b</p><p>c<br />d</p>"


@pytest.mark.parametrize("text", ["", "   ", "\n\n", " \t\u3000\n"])
def test_blank_text_such_as_a_media_only_post_renders_as_empty_string(text: str) -> None:
    assert render(text) == ""


def test_user_text_is_escaped_rails_style_with_numeric_apostrophe() -> None:
    assert render("it's <b>&\"") == "<p>it&#39;s &lt;b&gt;&amp;&quot;</p>"


# --- URLs --------------------------------------------------------------------------------


def test_short_url_has_empty_class_and_empty_invisible_suffix() -> None:
    assert (
        render("https://example.com/")
        == "<p>" + link("https://example.com/", "https://", "example.com/") + "</p>"
    )


def test_long_url_shows_thirty_characters_then_an_ellipsis() -> None:
    url = "https://www.example.com/" + "a" * 40
    rest = url[len("https://www.") :]
    assert (
        render(url) == "<p>" + link(url, "https://www.", rest[:30], rest[30:], "ellipsis") + "</p>"
    )


def test_url_one_character_too_long_is_shown_whole_instead_of_an_ellipsis() -> None:
    url = "http://" + "example.com/" + "b" * 19  # 31 characters after the prefix
    assert render(url) == "<p>" + link(url, "http://", url[7:]) + "</p>"


def test_url_without_http_prefix_has_empty_invisible_prefix() -> None:
    assert (
        render("gemini://example.org/x")
        == "<p>" + link("gemini://example.org/x", "", "gemini://example.org/x") + "</p>"
    )


def test_ampersand_in_href_is_escaped() -> None:
    assert 'href="https://example.com/?a=1&amp;b=2"' in render("https://example.com/?a=1&b=2")


@pytest.mark.parametrize(
    "text",
    [
        "http://localhost/x",
        "http://localhost:3000/x",
        "example.org",
        "www.example.org/path",
        "http://127.0.0.1/x",
        "https://example.invalidtld/x",
        "ftp://example.org/x",
    ],
)
def test_url_needs_an_allowed_protocol_and_a_real_tld(text: str) -> None:
    assert urls(text) == []
    assert render(text) == f"<p>{text}</p>"


@pytest.mark.parametrize(
    "protocol", ["http", "https", "dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "gemini"]
)
def test_every_allowed_protocol_is_linked(protocol: str) -> None:
    assert urls(f"see {protocol}://example.org/x") == [f"{protocol}://example.org/x"]


@pytest.mark.parametrize("punctuation", [".", ",", "!", "?", ";", ":", ")", "'", '"', "…"])
def test_trailing_punctuation_is_not_part_of_the_url(punctuation: str) -> None:
    assert urls(f"go to https://example.com/page{punctuation} now") == ["https://example.com/page"]


def test_balanced_parentheses_stay_in_the_path() -> None:
    text = "see https://en.wikipedia.org/wiki/Python_(programming_language)."
    assert urls(text) == ["https://en.wikipedia.org/wiki/Python_(programming_language)"]


def test_url_inside_parentheses_leaves_them_out() -> None:
    assert urls("(see https://example.com/x)") == ["https://example.com/x"]


def test_query_string_trailing_punctuation_is_excluded() -> None:
    assert urls("https://example.com/s?q=1&r=2.") == ["https://example.com/s?q=1&r=2"]


def test_port_is_part_of_the_url() -> None:
    assert urls("http://example.com:8080/x") == ["http://example.com:8080/x"]


def test_url_stops_before_an_unknown_tld() -> None:
    assert urls("http://example.com.invalidtld/x") == ["http://example.com"]


@pytest.mark.parametrize(
    "text",
    [
        "https://example.co.uk/x",
        "HTTPS://EXAMPLE.COM/X",
        "https://sub_domain.example.com/",
        "https://xn--80ak6aa92e.xn--p1ai/",
        "https://пример.рф/",
    ],
)
def test_url_with_subdomains_case_or_international_names_is_linked(text: str) -> None:
    assert urls(text) == [text]


@pytest.mark.parametrize("text", ["foohttp://example.com", "@https://example.com"])
def test_url_glued_to_a_word_or_at_sign_is_not_linked(text: str) -> None:
    assert urls(text) == []


def test_extra_uris_xmpp_and_magnet_are_linked() -> None:
    text = "chat xmpp:alice@example.com?join or magnet:?xt=urn:btih:abc&dn=x"
    assert urls(text) == ["xmpp:alice@example.com?join", "magnet:?xt=urn:btih:abc&dn=x"]
    assert '<span class="invisible">xmpp:</span>' in render(text)


def test_url_entity_offsets_are_code_points() -> None:
    assert extract_entities("😀 https://example.com") == [
        Entity("url", 2, 21, "https://example.com")
    ]


# --- Hashtags ----------------------------------------------------------------------------


def test_hashtag_keeps_its_case_in_html_but_its_name_is_lowercase() -> None:
    text = "#Tag"
    assert render(text) == (
        '<p><a href="https://example.com/tags/Tag" class="mention hashtag" rel="tag">'
        "#<span>Tag</span></a></p>"
    )
    assert tag_names(text) == ["tag"]


@pytest.mark.parametrize("text", ["#123", "a#b", "foo#bar", "#", "# tag", "#_1"])
def test_not_a_hashtag(text: str) -> None:
    assert hashtags(text) == []
    assert tag_names(text) == []


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("#a1", "a1"),
        ("#1a", "1a"),
        ("(#tag)", None),
        ("x\n#tag", "tag"),
        ("#tag.", "tag"),
        ("#snake_case", "snake_case"),
        ("#foo·bar·", "foo·bar"),
        ("＃全角", "全角"),
        ("#café!", "café"),
    ],
)
def test_hashtag_boundaries(text: str, tag: str | None) -> None:
    assert hashtags(text) == ([tag] if tag else [])


def test_hashtag_directly_before_a_url_loses_its_http_suffix() -> None:
    text = "#foohttp://example.com"
    assert extract_entities(text)[0] == Entity("hashtag", 0, 4, "foo")
    assert tag_names(text) == ["foo"]


def test_tag_names_are_normalized_and_deduplicated_in_order() -> None:
    assert tag_names("#Python #café #PYTHON #Cafe #ｆｕｌｌ #Straße") == [
        "python",
        "cafe",
        "full",
        "straße",
    ]


def test_non_ascii_hashtag_href_is_percent_encoded_like_rails() -> None:
    assert 'href="https://example.com/tags/caf%C3%A9"' in render("#café")
    assert "#<span>café</span>" in render("#café")


# --- Mentions ----------------------------------------------------------------------------


def test_email_address_is_not_a_mention() -> None:
    assert mentions_in("write to user@example.com") == []
    assert mention_names("write to user@example.com") == []


def test_unknown_mention_stays_plain_escaped_text() -> None:
    assert render("hi @nobody and @x@remote.example", BOB) == (
        "<p>hi @nobody and @x@remote.example</p>"
    )


def test_known_mention_links_to_the_profile() -> None:
    assert render("@bob", BOB) == (
        '<p><span class="h-card" translate="no"><a href="https://example.com/@bob" '
        'class="u-url mention">@<span>bob</span></a></span></p>'
    )


def test_remote_mention_shows_only_the_username() -> None:
    mentions = {"ann@remote.example": "https://remote.example/@ann"}
    assert "@<span>ann</span>" in render("@ann@remote.example", mentions)


def test_namesakes_on_different_servers_show_their_full_acct() -> None:
    mentions = {"bob": "https://example.com/@bob", "bob@remote.example": "https://r/@bob"}
    html_ = render("@bob @bob@remote.example", mentions)
    assert "@<span>bob</span>" in html_
    assert "@<span>bob@remote.example</span>" in html_


@pytest.mark.parametrize(
    "text",
    ["https://x.org/@bob", "a=@bob", "x@bob", "@bob@", "@bobé", "@bob://x"],
)
def test_not_a_mention(text: str) -> None:
    assert mentions_in(text) == []


def test_mention_domain_longer_than_253_characters_is_ignored() -> None:
    assert mentions_in("@bob@" + "a" * 250 + ".com") == []


def test_mention_names_are_distinct_as_typed_in_order() -> None:
    assert mention_names("@Bob hi @ann@remote.example, @Bob and @bob.") == [
        "Bob",
        "ann@remote.example",
        "bob",
    ]


def test_normalize_mentions_rewrites_resolved_and_keeps_unresolved_as_typed() -> None:
    canonical = {"bob": "bob", "bob@example.com": "bob", "ann@remote.example": "Ann@remote.example"}
    text = "@BOB, @Bob@Example.com @ANN@remote.example @nobody user@example.com"
    assert normalize_mentions(text, lambda acct: canonical.get(acct.lower())) == (
        "@bob, @bob @Ann@remote.example @nobody user@example.com"
    )


# --- Length (§4.5) -----------------------------------------------------------------------


def test_five_hundred_characters_fit_and_five_hundred_and_one_do_not() -> None:
    assert status_length("a" * 500, "") == 500
    assert status_length("a" * 501, "") == 501


def test_long_url_counts_as_23_characters() -> None:
    url = "https://example.com/" + "x" * 580
    text = url + " " + "b" * 469
    assert len(url) == 600
    assert status_length(text, "") == 23 + 470


def test_content_warning_counts_towards_the_limit() -> None:
    assert status_length("a" * 400, "w" * 101) == 501


def test_remote_mention_counts_without_its_domain() -> None:
    assert status_length("@bob@remote.example hi", "") == len("@bob hi")


@pytest.mark.parametrize("cluster", ["👍🏽", "🇫🇷", "👩‍👩‍👧", "é", "e\u0301", "\r\n"])
def test_a_grapheme_cluster_counts_as_one(cluster: str) -> None:
    assert status_length(f"a{cluster}b", "") == 3


def test_blank_text_counts_only_the_content_warning() -> None:
    assert status_length("  ", "cw") == 2


# --- Pathological input stays linear -----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "http://" + "a." * 5000,
        "xmpp:" + "a." * 5000,
        "é" * 10000 + "://",
        "http://a.com/a" + "," * 10000,
        "#_" + "·" * 10000,
        "@a" + ".-" * 5000,
    ],
)
def test_pathological_text_is_processed_quickly(text: str) -> None:
    started = time.perf_counter()
    render(text)
    status_length(text, "")
    tag_names(text)
    assert time.perf_counter() - started < 1.0  # backtracking regexes took many seconds


# --- Properties ----------------------------------------------------------------------------

PIECES = [
    "http://", "https://", "gemini://", "xmpp:", "magnet:?x=1", "example.com", "x.org", "co.uk",
    "localhost", ".", "/", ":", "?", "&", "=", "(", ")", ",", "!", "#", "＃", "@", "bob", "Bob",
    "é", "·", "_", "-", "1", " ", "\n", "\r\n", "\u00a0", "<", ">", "'", '"', "&amp;", "😀",
]  # fmt: skip
status_texts = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(PIECES), max_size=25).map("".join),
)
_ATTRIBUTES = r'(?: [a-z]+="[^"<>]*")*'
GENERATED_TAG = regex.compile(rf"</?p>|<br />|</?a{_ATTRIBUTES}>|</?span{_ATTRIBUTES}>")


@given(status_texts)
def test_rendered_text_is_the_escaped_input_wrapped_in_generated_tags(text: str) -> None:
    rendered = render(text)
    if not text.strip():
        return
    outside_tags = GENERATED_TAG.sub("", rendered)
    assert not set("<>\"'") & set(outside_tags)
    # Newlines become markup, and a tag's fullwidth '＃' is shown as '#' (as Mastodon does).
    expected = text.replace("\r", "").replace("\n", "").replace("＃", "#")
    assert html.unescape(outside_tags).replace("＃", "#") == expected


@given(status_texts)
def test_resolved_mentions_render_as_links_and_never_break_the_markup(text: str) -> None:
    rendered = render(text.lower(), {"bob": "https://example.com/@bob?a=<'&'>"})
    assert not set("<>\"'") & set(GENERATED_TAG.sub("", rendered))


@given(status_texts)
def test_entities_are_sorted_disjoint_and_match_their_text(text: str) -> None:
    entities = extract_entities(text)
    for before, after in zip(entities, entities[1:], strict=False):
        assert before.end <= after.start
    for entity in entities:
        assert 0 <= entity.start < entity.end <= len(text)
        covered = text[entity.start : entity.end]
        if entity.kind == "url":
            assert covered == entity.value
        else:
            assert covered[0] in {"hashtag": "#＃", "mention": "@"}[entity.kind]
            assert covered[1:] == entity.value


@given(status_texts, st.text(max_size=20))
def test_length_never_exceeds_code_points_without_urls(text: str, spoiler: str) -> None:
    if "://" not in text:
        assert 0 <= status_length(text, spoiler) <= len(text) + len(spoiler)


@given(status_texts)
def test_tag_names_are_lowercase_and_unique(text: str) -> None:
    names = tag_names(text)
    assert len(names) == len(set(names))
    assert all(name and name == name.lower() for name in names)


@given(status_texts)
def test_normalizing_mentions_with_nothing_resolved_changes_nothing(text: str) -> None:
    assert normalize_mentions(text, lambda acct: None) == text


@given(status_texts)
def test_normalized_mentions_are_found_again_as_canonical(text: str) -> None:
    normalized = normalize_mentions(text, str.lower)
    assert all(name == name.lower() for name in mention_names(normalized))


# --- The linear scanners agree with the backtracking regexes they replace ----------------

_SPACE = r"\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_D = rf"[^!-/:-@\[-`{{-~{_SPACE}\x00-\x1f\x7f\ufffe\ufeff\uffff]"
_DOMAIN = (
    rf"(?:(?:{_D}(?:[_-]|{_D})*)?{_D}\.)*(?:(?:{_D}(?:-|{_D})*)?{_D}\.)"
    r"(?:\L<tlds>(?=[^0-9a-z@+-]|$)|xn--[0-9a-z]+)"
)
_P = rf"[^{_SPACE}()?]"
_PARENS = rf"\((?:{_P}+|{_P}*\({_P}+\){_P}*)\)"
_PATH_END = rf"(?:[^{_SPACE}()?!*\"'「」<>;:=,.$%\[\]~&|^…]|{_PARENS})"
_PATH = rf"(?:{_P}*(?:{_PARENS}{_P}*)*{_PATH_END}|{_P}+/)"
_QUERY = r"(?:\?[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]*[a-z0-9_&=#/\-])"


def _reference_urls(text: str) -> list[str]:
    from domain.tlds import TLDS, UNICODE_TLDS

    pattern = regex.compile(
        r"(?:[^a-z0-9@＠$#＃\ufffe\ufeff\uffff]|^)(?P<url>(?P<protocol>(?:https?|dat|dweb|ipfs"
        rf"|ipns|ssb|gopher|gemini)://)?(?P<domain>{_DOMAIN})(?::[0-9]+)?(?:/{_PATH}*)?{_QUERY}?)",
        regex.IGNORECASE,
        tlds=sorted(TLDS | UNICODE_TLDS),
    )
    return [m["url"] for m in pattern.finditer(text) if m["protocol"] and _idna_ok(m["domain"])]


def _idna_ok(domain: str) -> bool:
    try:
        domain.encode("idna")
    except UnicodeError:
        return False
    return True


_W, _A, _S = r"\p{L}\p{M}\p{Nd}\p{Pc}", r"\p{L}\p{M}", r"_\u00b7\u30fb\u200c"
_REFERENCE_HASHTAG = regex.compile(
    rf"(?<=^|[ \t\n\v\f\r])[#＃]([{_W}_][{_W}{_S}]*[{_A}{_S}][{_W}{_S}]*[{_W}_]"
    rf"|[{_W}_]*[{_A}][{_W}_]*)"
)
URL_PIECES = [
    "http://", "https://", "a", "é", "co", "com", "uk", "みんな", ".", ".", "-", "_", "/", " ",
    "@", ":", "?", "(", ")", ",", "x=1", "&", "1", "#", "xn--p1ai", "org", "\n", "К", "ОМ",
]  # fmt: skip
TAG_PIECES = ["#", "＃", " ", "a", "1", "_", "·", "・", "\u200c", "é", "\u0301", "\n", "\xa0"]


@given(st.lists(st.sampled_from(URL_PIECES), max_size=14).map("".join))
def test_url_scanner_agrees_with_the_twitter_text_regex(text: str) -> None:
    assert [url.value for url in _urls(text)] == _reference_urls(text)


@given(st.lists(st.sampled_from(TAG_PIECES), max_size=12).map("".join))
def test_hashtag_scanner_agrees_with_mastodons_regex(text: str) -> None:
    assert hashtags(text) == _REFERENCE_HASHTAG.findall(text)
