"""Bookmarks (§6.14): bookmark and unbookmark a status, the `bookmarked` flag on every status
read, and the viewer's list GET /api/v1/bookmarks with its Link header (§5)."""

from __future__ import annotations

import re

from tests.support import User

LINK = re.compile(r'<([^>]+)>; rel="(next|prev)"')


def links(response) -> dict[str, str]:  # noqa: ANN001
    return {rel: url for url, rel in LINK.findall(response.headers.get("link", ""))}


def bookmarked_ids(api, user: User, **params: object) -> list[str]:  # noqa: ANN001
    return [s["id"] for s in api.ok(api.get(user, "/api/v1/bookmarks", **params))]


def test_bookmark_and_unbookmark(api, alice, bob, post) -> None:
    status = post(alice, status="save me")
    marked = api.ok(api.act(bob, status["id"], "bookmark"))
    assert marked["id"] == status["id"] and marked["bookmarked"] is True
    # Private to the bookmarker: nothing is counted, no one else sees the flag.
    assert marked["favourites_count"] == 0 and marked["favourited"] is False
    assert api.ok(api.get(bob, f"/api/v1/statuses/{status['id']}"))["bookmarked"] is True
    assert api.ok(api.get(alice, f"/api/v1/statuses/{status['id']}"))["bookmarked"] is False
    assert "bookmarked" not in api.ok(api.get(None, f"/api/v1/statuses/{status['id']}"))
    # Idempotent.
    assert api.ok(api.act(bob, status["id"], "bookmark"))["bookmarked"] is True
    assert bookmarked_ids(api, bob) == [status["id"]]
    undone = api.ok(api.act(bob, status["id"], "unbookmark"))
    assert undone["id"] == status["id"] and undone["bookmarked"] is False
    assert api.ok(api.get(bob, f"/api/v1/statuses/{status['id']}"))["bookmarked"] is False
    assert bookmarked_ids(api, bob) == []
    # Not bookmarked is no error; bookmarking again works.
    assert api.ok(api.act(bob, status["id"], "unbookmark"))["bookmarked"] is False
    assert api.ok(api.act(bob, status["id"], "bookmark"))["bookmarked"] is True


def test_list_is_newest_bookmark_first_with_link_header(api, directory, alice, post) -> None:
    reader = directory.user()
    statuses = [post(alice, status=f"s{i}")["id"] for i in range(5)]
    # Bookmarked in another order than published: the list follows the bookmarks.
    order = [statuses[2], statuses[0], statuses[4], statuses[1], statuses[3]]
    for status_id in order:
        api.ok(api.act(reader, status_id, "bookmark"))
    newest_first = list(reversed(order))
    assert bookmarked_ids(api, reader) == newest_first
    first = api.get(reader, "/api/v1/bookmarks", limit=2)
    assert [s["id"] for s in api.ok(first)] == newest_first[:2]
    assert first.headers["cache-control"] == "private, no-store"
    pages = links(first)
    assert set(pages) == {"next", "prev"}
    assert first.headers["link"].startswith("<https://example.com/api/v1/bookmarks?limit=2&max_id=")
    assert "min_id=" in pages["prev"] and "since_id" not in pages["prev"]
    max_id = re.search(r"max_id=(\d+)", pages["next"]).group(1)
    second = api.get(reader, "/api/v1/bookmarks", limit=2, max_id=max_id)
    assert [s["id"] for s in api.ok(second)] == newest_first[2:4]
    max_id = re.search(r"max_id=(\d+)", links(second)["next"]).group(1)
    last = api.get(reader, "/api/v1/bookmarks", limit=2, max_id=max_id)
    assert [s["id"] for s in api.ok(last)] == newest_first[4:]
    assert set(links(last)) == {"prev"}  # not a full page: no next
    # prev (min_id) gives the page just above, newest first.
    min_id = re.search(r"min_id=(\d+)", links(last)["prev"]).group(1)
    above = api.get(reader, "/api/v1/bookmarks", limit=2, min_id=min_id)
    assert [s["id"] for s in api.ok(above)] == newest_first[2:4]
    since = api.get(reader, "/api/v1/bookmarks", limit=2, since_id=min_id)
    assert [s["id"] for s in api.ok(since)] == newest_first[:2]
    empty = api.get(
        reader, "/api/v1/bookmarks", min_id=re.search(r"min_id=(\d+)", pages["prev"]).group(1)
    )
    assert api.ok(empty) == [] and "link" not in empty.headers
    assert api.ok(api.get(reader, "/api/v1/bookmarks", limit=0)) == []
    assert api.ok(api.get(reader, "/api/v1/bookmarks", limit="junk")) == []


def test_limit_defaults_to_20_and_stops_at_40(api, directory, alice, post) -> None:
    reader = directory.user()
    for i in range(41):
        api.ok(api.act(reader, post(alice, status=f"many {i}")["id"], "bookmark"))
    assert len(bookmarked_ids(api, reader)) == 20
    assert len(bookmarked_ids(api, reader, limit=100)) == 40
    assert len(bookmarked_ids(api, reader, limit=-3)) == 3


def test_bookmark_through_a_wrapper_bookmarks_the_original(api, alice, bob, carol, post) -> None:
    status = post(alice, status="via boost")
    wrapper = api.ok(api.act(bob, status["id"], "reblog"))
    answer = api.ok(api.act(carol, wrapper["id"], "bookmark"))
    assert answer["id"] == wrapper["id"]
    assert answer["bookmarked"] is True and answer["reblog"]["bookmarked"] is True
    assert api.ok(api.get(carol, f"/api/v1/statuses/{status['id']}"))["bookmarked"] is True
    assert bookmarked_ids(api, carol) == [status["id"]]
    # Mastodon's quirk, as for favourites: again through a wrapper.
    quirk = api.act(carol, wrapper["id"], "bookmark")
    assert quirk.status_code == 422
    assert quirk.json() == {"error": "Validation failed: Status has already been taken"}
    # Unbookmarking the wrapper undoes nothing: there is no bookmark of that id.
    through = api.ok(api.act(carol, wrapper["id"], "unbookmark"))
    assert through["id"] == wrapper["id"] and through["bookmarked"] is False
    assert through["reblog"]["bookmarked"] is True
    assert bookmarked_ids(api, carol) == [status["id"]]
    assert api.ok(api.act(carol, status["id"], "unbookmark"))["bookmarked"] is False
    assert bookmarked_ids(api, carol) == []


def test_checks_and_their_order(api, directory, alice, bob, post) -> None:
    private = post(alice, status="followers only", visibility="private")
    public = post(alice, status="open")
    # Bookmark: a missing or invisible status is 404 before the token is looked at.
    assert api.act(None, private["id"], "bookmark").status_code == 404
    assert api.act(None, public["id"], "bookmark").status_code == 401
    assert api.act(bob, private["id"], "bookmark").json() == {"error": "Not Found"}
    assert api.act(bob, "123", "bookmark").status_code == 404
    assert api.act(bob, "junk", "bookmark").status_code == 404
    # Unbookmark: the token first.
    assert api.act(None, private["id"], "unbookmark").status_code == 401
    assert api.act(bob, private["id"], "unbookmark").status_code == 404
    assert api.act(bob, "123", "unbookmark").status_code == 404
    # Scopes: write or write:bookmarks; read or read:bookmarks for the list.
    granular = User(
        bob.account_id, bob.username, directory.token(bob.account_id, "write:bookmarks")
    )
    assert api.ok(api.act(granular, public["id"], "bookmark"))["bookmarked"] is True
    favourites = User(
        bob.account_id, bob.username, directory.token(bob.account_id, "write:favourites")
    )
    refused = api.act(favourites, public["id"], "unbookmark")
    assert refused.status_code == 403
    assert refused.json() == {"error": "This action is outside the authorized scopes"}
    reader = User(bob.account_id, bob.username, directory.token(bob.account_id, "read:bookmarks"))
    assert bookmarked_ids(api, reader) == [public["id"]]
    statuses = User(bob.account_id, bob.username, directory.token(bob.account_id, "read:statuses"))
    assert api.get(statuses, "/api/v1/bookmarks").status_code == 403
    assert api.get(None, "/api/v1/bookmarks").status_code == 401
    app_only = User(0, "", directory.token(None, "read write"))
    assert api.get(app_only, "/api/v1/bookmarks").status_code == 422
    assert api.act(app_only, public["id"], "bookmark").status_code == 422


def test_direct_status_when_mentioned(api, alice, bob, carol, post) -> None:
    direct = post(alice, status=f"@{bob.username} psst", visibility="direct")
    assert api.ok(api.act(bob, direct["id"], "bookmark"))["bookmarked"] is True
    assert api.act(carol, direct["id"], "bookmark").status_code == 404
    assert bookmarked_ids(api, bob) == [direct["id"]]


def test_a_deleted_status_leaves_the_bookmarks(api, alice, bob, post) -> None:
    kept = post(alice, status="kept")
    gone = post(alice, status="gone")
    api.ok(api.act(bob, kept["id"], "bookmark"))
    api.ok(api.act(bob, gone["id"], "bookmark"))
    assert bookmarked_ids(api, bob) == [gone["id"], kept["id"]]
    api.ok(api.call(alice, "DELETE", f"/api/v1/statuses/{gone['id']}"))
    assert bookmarked_ids(api, bob) == [kept["id"]]
    assert api.act(bob, gone["id"], "unbookmark").status_code == 404
    assert api.act(bob, gone["id"], "bookmark").status_code == 404


def test_a_bookmark_outlives_the_sight_of_its_status(api, alice, bob, post) -> None:
    """As Mastodon: the list shows every bookmarked status still there, and unbookmarking
    needs no visibility check when the bookmark exists."""
    api.ok(api.call(bob, "POST", f"/api/v1/accounts/{alice.id}/follow"))
    private = post(alice, status="for followers", visibility="private")
    api.ok(api.act(bob, private["id"], "bookmark"))
    api.ok(api.call(bob, "POST", f"/api/v1/accounts/{alice.id}/unfollow"))
    assert api.get(bob, f"/api/v1/statuses/{private['id']}").status_code == 404
    listed = api.ok(api.get(bob, "/api/v1/bookmarks"))
    assert [(s["id"], s["bookmarked"]) for s in listed] == [(private["id"], True)]
    undone = api.ok(api.act(bob, private["id"], "unbookmark"))
    assert undone["id"] == private["id"] and undone["bookmarked"] is False
    assert bookmarked_ids(api, bob) == []
    assert api.act(bob, private["id"], "unbookmark").status_code == 404


def test_flag_in_context_and_account_statuses(api, alice, bob, post) -> None:
    root = post(alice, status="root")
    reply = post(alice, status="reply", in_reply_to_id=root["id"])
    api.ok(api.act(bob, root["id"], "bookmark"))
    context = api.ok(api.get(bob, f"/api/v1/statuses/{reply['id']}/context"))
    assert [(s["id"], s["bookmarked"]) for s in context["ancestors"]] == [(root["id"], True)]
    context = api.ok(api.get(bob, f"/api/v1/statuses/{root['id']}/context"))
    assert [(s["id"], s["bookmarked"]) for s in context["descendants"]] == [(reply["id"], False)]
    listed = api.ok(api.get(bob, f"/api/v1/accounts/{alice.id}/statuses"))
    assert [(s["id"], s["bookmarked"]) for s in listed] == [
        (reply["id"], False),
        (root["id"], True),
    ]
    # A wrapper carries its original's flag.
    wrapper = api.ok(api.act(alice, root["id"], "reblog"))
    shown = api.ok(api.get(bob, f"/api/v1/statuses/{wrapper['id']}"))
    assert shown["bookmarked"] is True and shown["reblog"]["bookmarked"] is True
