"""A client's day with the timelines (issue 14): toot and Mastodon.py, unpatched, against
`tootlog serve`: follow, read the home, public and hashtag timelines, followers, favourites."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from mastodon import Mastodon

from tests.e2e.clients import Toot
from tests.e2e.test_mastodon_py import logged_in
from tests.support import Directory, LiveServer, User

pytestmark = [
    pytest.mark.filterwarnings("error::mastodon.errors.MastodonWarning"),
    pytest.mark.filterwarnings("error::UserWarning"),
]


@pytest.fixture(scope="module")
def toot(
    tmp_path_factory: pytest.TempPathFactory, reachable_server: LiveServer, alice: User, bob: User
) -> Iterator[Toot]:
    """toot with alice and bob logged in; bob is the active account."""
    toot = Toot(tmp_path_factory.mktemp("toot"), reachable_server)
    toot.log_in(alice, bob)
    yield toot


def test_toot_timelines_after_a_follow(
    toot: Toot, reachable_server: LiveServer, alice: User, bob: User
):
    """The follow is made over HTTP (toot's follow, whois and followers by NAME, which go
    through /api/v2/search, are in test_search_clients.py); the timelines through toot."""
    tag = f"day{uuid.uuid4().hex[:8]}"
    before = toot.json("post", f"posted before the follow #{tag}", user=alice)
    with reachable_server.client(bob.token) as client:
        assert client.post(f"/api/v1/accounts/{alice.id}/follow").status_code == 200
    after = toot.json("post", "posted after the follow", "--visibility", "private", user=alice)

    home = toot.json("timelines", "home", "--no-pager")
    assert [s["id"] for s in home][:2] == [after["id"], before["id"]]
    printed = toot.ok("timeline", "--once")
    assert "posted after the follow" in printed and "posted before the follow" in printed

    public = toot.ok("timeline", "--public", "--once", "--count", "20")
    assert "posted before the follow" in public and "posted after the follow" not in public
    tagged = toot.json("timelines", "tag", tag, "--no-pager")
    assert [s["id"] for s in tagged] == [before["id"]]
    assert "posted before the follow" in toot.ok("timeline", "--tag", tag, "--once")

    toot.ok("favourite", before["id"])
    favourites = toot.json("timelines", "favourites", "--no-pager")
    assert [s["id"] for s in favourites] == [before["id"]]


@pytest.fixture(scope="module")
def app(reachable_server: LiveServer) -> tuple[str, str]:
    return Mastodon.create_app("tootlog timelines e2e", api_base_url=reachable_server.base_url)


def test_mastodon_py_timelines_and_lists(
    reachable_server: LiveServer, reachable_directory: Directory, app: tuple[str, str]
):
    carol, dave = reachable_directory.user(), reachable_directory.user()
    as_carol = logged_in(reachable_server, app, carol)
    as_dave = logged_in(reachable_server, app, dave)
    tag = f"py{uuid.uuid4().hex[:8]}"
    posted = [as_dave.status_post(f"number {n} #{tag}")["id"] for n in range(5)]
    as_carol.account_follow(dave.account_id)

    home = as_carol.timeline_home(limit=2)
    assert [s["id"] for s in home] == posted[::-1][:2]
    rest = as_carol.fetch_next(home)
    assert [s["id"] for s in rest] == posted[::-1][2:4]
    newer = as_carol.fetch_previous(rest)
    assert [s["id"] for s in newer] == posted[::-1][:2]

    public = as_carol.timeline_public(limit=40)
    assert posted[-1] in [s["id"] for s in public]
    assert as_carol.timeline_public(remote=True) == []
    tagged = as_carol.timeline_hashtag(tag, limit=3)
    assert [s["id"] for s in tagged] == posted[::-1][:3]
    assert [s["id"] for s in as_carol.fetch_next(tagged)] == posted[::-1][3:]

    followers = as_carol.account_followers(dave.account_id)
    assert [int(a["id"]) for a in followers] == [carol.account_id]
    following = as_carol.account_following(carol.account_id)
    assert [int(a["id"]) for a in following] == [dave.account_id]

    as_carol.status_favourite(posted[0])
    as_carol.status_favourite(posted[2])
    favourites = as_carol.favourites()
    assert [s["id"] for s in favourites] == [posted[2], posted[0]]
    assert all(s["favourited"] for s in favourites)

    if hasattr(as_carol, "accounts"):
        several = as_carol.accounts([dave.account_id, carol.account_id])
        assert [int(a["id"]) for a in several] == [dave.account_id, carol.account_id]

    entity = as_carol.tag(tag)
    assert entity["name"] == tag and entity["following"] is False

    as_carol.account_unfollow(dave.account_id)
    assert as_carol.timeline_home() == []


def test_home_is_empty_for_a_new_account(reachable_server: LiveServer, app, tmp_path: Path):
    user = Directory(reachable_server.database_url)
    try:
        newcomer = user.user()
    finally:
        user.close()
    assert logged_in(reachable_server, app, newcomer).timeline_home() == []
