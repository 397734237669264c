"""Search with the real clients, unpatched: toot finds accounts by name through /api/v2/search
(`follow`, `whois`, `followers`) and searches with `search`; Mastodon.py's search_v2 and
account_search."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.e2e.clients import Toot, mastodon_py
from tests.support import LiveServer, User


@pytest.fixture(scope="module")
def toot(
    tmp_path_factory: pytest.TempPathFactory, reachable_server: LiveServer, alice: User
) -> Iterator[Toot]:
    """toot with alice logged in by e-mail and password."""
    toot = Toot(tmp_path_factory.mktemp("toot-search"), reachable_server)
    toot.log_in(alice)
    yield toot


def test_toot_follow_whois_and_followers_find_accounts_by_name(
    toot: Toot, alice: User, bob: User
) -> None:
    # toot resolves NAME with /api/v2/search?type=accounts&resolve=true and keeps the account
    # whose acct is the name (without @ and without this instance's domain).
    toot.ok("follow", bob.username)
    assert toot.json("whois", f"@{bob.username}")["id"] == bob.id
    assert toot.json("whois", f"@{bob.username}@{toot.instance}")["followers_count"] == 1
    followers = toot.json("followers", bob.username)
    assert [account["id"] for account in followers] == [alice.id]
    # Without a name: the logged-in account's own followers (none).
    assert toot.json("followers") == []
    missing = toot.run("whois", f"nobody{uuid.uuid4().hex[:8]}")
    assert missing.returncode == 1 and "Account not found" in missing.stderr
    toot.ok("unfollow", bob.username)
    assert toot.json("followers", bob.username) == []


def test_toot_search(toot: Toot, alice: User, bob: User) -> None:
    term = f"t{uuid.uuid4().hex[:10]}"
    status = toot.json("post", f"#{term} something to find {term}")
    found = toot.json("search", term)
    assert [s["id"] for s in found["statuses"]] == [status["id"]]
    assert [t["name"] for t in found["hashtags"]] == [term]
    assert toot.json("search", bob.username, "--type", "accounts")["accounts"][0]["id"] == bob.id
    printed = toot.ok("search", term)
    assert status["url"] in printed and f"#{term}" in printed
    assert "Nothing found" in toot.ok("search", f"none{uuid.uuid4().hex[:8]}")


def test_mastodon_py_search_v2_and_account_search(
    reachable_server: LiveServer, alice: User, bob: User
) -> None:
    api = mastodon_py(reachable_server, bob, "tootlog search e2e")
    term = f"m{uuid.uuid4().hex[:10]}"
    first = api.status_post(f"first {term}")
    second = api.status_post(f"second {term}", spoiler_text="cw")
    found = api.search_v2(term)
    assert [s.id for s in found.statuses] == [second.id, first.id]
    assert found.statuses[0].spoiler_text == "cw"
    # Offset pages of one type, as Mastodon.py turns them.
    page = api.search_v2(term, result_type="statuses", limit=1)
    assert [s.id for s in page.statuses] == [second.id]
    following = api.fetch_next(page)
    assert [s.id for s in following.statuses] == [first.id]
    assert api.search_v2(term, result_type="statuses", offset=2).statuses == []
    resolved = api.search_v2(first.url)
    assert [s.id for s in resolved.statuses] == [first.id]
    accounts = api.account_search(alice.username)
    assert [str(a.id) for a in accounts] == [alice.id]
    assert accounts[0].acct == alice.username
    assert api.account_search(alice.username, following=True) == []
    api.account_follow(alice.id)
    followed = api.account_search(alice.username, following=True)
    assert [str(a.id) for a in followed] == [alice.id]
