"""Follows and what they open: followers-only statuses (§2; §12 items 2, 3)."""

from __future__ import annotations

from tests.support import User


def test_follow_unfollow_and_relationships(api, alice, bob) -> None:
    rel = api.ok(api.call(bob, "POST", f"/api/v1/accounts/{alice.id}/follow"))
    assert rel["id"] == alice.id and rel["following"] is True and rel["followed_by"] is False
    again = api.ok(api.call(bob, "POST", f"/api/v1/accounts/{alice.id}/follow"))
    assert again["following"] is True
    alice_view = api.ok(api.get(None, f"/api/v1/accounts/{alice.id}"))
    bob_view = api.ok(api.get(None, f"/api/v1/accounts/{bob.id}"))
    assert alice_view["followers_count"] == 1 and bob_view["following_count"] == 1
    rels = api.ok(api.get(alice, "/api/v1/accounts/relationships", **{"id[]": [bob.id, "1"]}))
    assert [(r["id"], r["following"], r["followed_by"]) for r in rels] == [(bob.id, False, True)]
    gone = api.ok(api.call(bob, "POST", f"/api/v1/accounts/{alice.id}/unfollow"))
    assert gone["following"] is False
    assert api.ok(api.get(None, f"/api/v1/accounts/{alice.id}"))["followers_count"] == 0
    assert (
        api.ok(api.call(bob, "POST", f"/api/v1/accounts/{alice.id}/unfollow"))["following"] is False
    )


def test_follow_errors(api, directory, alice, bob) -> None:
    assert api.call(bob, "POST", "/api/v1/accounts/123456789/follow").status_code == 404
    assert api.call(bob, "POST", f"/api/v1/accounts/{bob.id}/follow").status_code == 404
    assert api.call(None, "POST", f"/api/v1/accounts/{alice.id}/follow").status_code == 401
    reader = User(bob.account_id, bob.username, directory.token(bob.account_id, "read"))
    assert api.call(reader, "POST", f"/api/v1/accounts/{alice.id}/follow").status_code == 403
    follower = User(bob.account_id, bob.username, directory.token(bob.account_id, "follow"))
    assert api.call(follower, "POST", f"/api/v1/accounts/{alice.id}/follow").status_code == 200
    assert api.get(None, "/api/v1/accounts/relationships", id=alice.id).status_code == 401


def test_show_account(api, alice) -> None:
    body = api.ok(api.get(None, f"/api/v1/accounts/{alice.id}"))
    assert body["username"] == alice.username and body["acct"] == alice.username
    assert {"followers_count", "following_count", "statuses_count", "last_status_at"} <= set(body)
    missing = api.get(None, "/api/v1/accounts/424242")
    assert missing.status_code == 404 and missing.json() == {"error": "Record not found"}
    assert api.get(None, "/api/v1/accounts/nope").status_code == 404


def test_followers_see_private_statuses_and_others_do_not(api, alice, bob, carol, post) -> None:
    private = post(alice, status="for followers", visibility="private")
    path = f"/api/v1/statuses/{private['id']}"
    assert api.get(bob, path).status_code == 404
    assert api.get(None, path).status_code == 404
    api.ok(api.call(bob, "POST", f"/api/v1/accounts/{alice.id}/follow"))
    assert api.ok(api.get(bob, path))["id"] == private["id"]
    assert api.get(carol, path).status_code == 404
    # A follower may favourite and reply, but not boost it.
    assert api.ok(api.act(bob, private["id"], "favourite"))["favourited"] is True
    assert api.act(bob, private["id"], "reblog").status_code == 403
    reply = api.call(bob, "POST", "/api/v1/statuses", status="yes", in_reply_to_id=private["id"])
    assert reply.status_code == 200
    api.ok(api.call(bob, "POST", f"/api/v1/accounts/{alice.id}/unfollow"))
    assert api.get(bob, path).status_code == 404


def test_mentioned_non_follower_sees_private_and_direct(api, alice, bob, carol, post) -> None:
    private = post(alice, status=f"hey @{bob.username}", visibility="private")
    direct = post(alice, status=f"@{bob.username} only you", visibility="direct")
    for status in (private, direct):
        assert api.get(bob, f"/api/v1/statuses/{status['id']}").status_code == 200
        assert api.get(carol, f"/api/v1/statuses/{status['id']}").status_code == 404
    api.ok(api.call(carol, "POST", f"/api/v1/accounts/{alice.id}/follow"))
    assert api.get(carol, f"/api/v1/statuses/{private['id']}").status_code == 200
    assert api.get(carol, f"/api/v1/statuses/{direct['id']}").status_code == 404
