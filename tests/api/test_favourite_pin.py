"""Favourite/unfavourite (§6.10, §6.11) and pin/unpin (§6.12, §6.13); §12 items 5, 29-32."""

from __future__ import annotations

from tests.support import User


def test_favourite_and_unfavourite(api, alice, bob, post) -> None:
    status = post(alice, status="like me")
    liked = api.ok(api.act(bob, status["id"], "favourite"))
    assert liked["favourited"] is True and liked["favourites_count"] == 1
    again = api.ok(api.act(bob, status["id"], "favourite"))
    assert again["favourites_count"] == 1
    assert api.ok(api.get(alice, f"/api/v1/statuses/{status['id']}"))["favourited"] is False
    undone = api.ok(api.act(bob, status["id"], "unfavourite"))
    assert undone["favourited"] is False and undone["favourites_count"] == 0


def test_unfavourite_never_favourited_is_200(api, alice, bob, post) -> None:
    status = post(alice, status="never liked")
    body = api.ok(api.act(bob, status["id"], "unfavourite"))
    assert body["favourited"] is False and body["favourites_count"] == 0


def test_favourite_via_wrapper_favourites_the_original(api, alice, bob, carol, post) -> None:
    status = post(alice, status="via boost")
    wrapper = api.ok(api.act(bob, status["id"], "reblog"))
    answer = api.ok(api.act(carol, wrapper["id"], "favourite"))
    assert answer["id"] == wrapper["id"]
    assert answer["favourited"] is True and answer["reblog"]["favourites_count"] == 1
    original = api.ok(api.get(carol, f"/api/v1/statuses/{status['id']}"))
    assert original["favourited"] is True
    # Mastodon's quirk: favouriting an already favourited original through a wrapper.
    quirk = api.act(carol, wrapper["id"], "favourite")
    assert quirk.status_code == 422
    assert quirk.json() == {"error": "Validation failed: Status has already been taken"}


def test_favourite_checks_visibility_before_the_token(api, alice, bob, post) -> None:
    private = post(alice, status="private", visibility="private")
    public = post(alice, status="public")
    assert api.act(None, private["id"], "favourite").status_code == 404
    assert api.act(None, public["id"], "favourite").status_code == 401
    assert api.act(bob, private["id"], "favourite").status_code == 404
    # Pin: the same order.
    assert api.act(None, private["id"], "pin").status_code == 404
    assert api.act(None, public["id"], "pin").status_code == 401
    # Unfavourite checks the token first.
    assert api.act(None, private["id"], "unfavourite").status_code == 401


def test_favourite_of_direct_when_mentioned(api, alice, bob, carol, post) -> None:
    direct = post(alice, status=f"@{bob.username} hi", visibility="direct")
    assert api.ok(api.act(bob, direct["id"], "favourite"))["favourited"] is True
    assert api.act(carol, direct["id"], "favourite").status_code == 404
    assert api.ok(api.act(alice, direct["id"], "favourite"))["favourites_count"] == 2


def test_favourite_scope(api, directory, alice, bob, post) -> None:
    status = post(alice, status="scoped")
    granular = User(
        bob.account_id, bob.username, directory.token(bob.account_id, "write:favourites")
    )
    assert api.ok(api.act(granular, status["id"], "favourite"))["favourited"] is True
    statuses_only = User(
        bob.account_id, bob.username, directory.token(bob.account_id, "write:statuses")
    )
    refused = api.act(statuses_only, status["id"], "unfavourite")
    assert refused.status_code == 403
    assert refused.json() == {"error": "This action is outside the authorized scopes"}


def test_pin_and_unpin(api, alice, post) -> None:
    status = post(alice, status="pin me")
    pinned = api.ok(api.act(alice, status["id"], "pin"))
    assert pinned["pinned"] is True
    twice = api.act(alice, status["id"], "pin")
    assert twice.status_code == 422 and twice.json() == {"error": "Duplicate record"}
    shown = api.get(None, f"/api/v1/accounts/{alice.id}/statuses", pinned="true")
    assert [s["id"] for s in api.ok(shown)] == [status["id"]]
    unpinned = api.ok(api.act(alice, status["id"], "unpin"))
    assert unpinned["pinned"] is False
    assert api.ok(api.act(alice, status["id"], "unpin"))["pinned"] is False


def test_pin_rules_in_one_error(api, alice, bob, post) -> None:
    others = post(bob, status="not yours")
    refused = api.act(alice, others["id"], "pin")
    assert refused.status_code == 422
    assert refused.json() == {"error": "Validation failed: Someone else's post cannot be pinned"}
    own_boost = api.ok(api.act(bob, others["id"], "reblog"))
    both = api.act(alice, own_boost["id"], "pin")
    assert both.json() == {
        "error": "Validation failed: A boost cannot be pinned, Someone else's post cannot be pinned"
    }
    assert api.act(bob, own_boost["id"], "pin").json() == {
        "error": "Validation failed: A boost cannot be pinned"
    }
    direct = post(alice, status="note to self", visibility="direct")
    assert api.act(alice, direct["id"], "pin").json() == {
        "error": "Validation failed: Posts that are only visible to mentioned users "
        "cannot be pinned"
    }
    # `pinned` is absent on direct, on wrappers and on others' statuses.
    assert "pinned" not in api.ok(api.get(alice, f"/api/v1/statuses/{direct['id']}"))
    assert "pinned" not in api.ok(api.get(alice, f"/api/v1/statuses/{others['id']}"))
    assert "pinned" not in api.ok(api.get(bob, f"/api/v1/statuses/{own_boost['id']}"))


def test_sixth_pin_is_refused_and_newest_pin_comes_first(api, alice, post) -> None:
    ids = [post(alice, status=f"pin {i}")["id"] for i in range(6)]
    for status_id in reversed(ids[:5]):
        api.ok(api.act(alice, status_id, "pin"))
    sixth = api.act(alice, ids[5], "pin")
    assert sixth.json() == {
        "error": "Validation failed: You have already pinned the maximum number of posts"
    }
    # With five pins the limit message wins over the duplicate.
    assert api.act(alice, ids[0], "pin").json() == sixth.json()
    pins = api.ok(api.get(None, f"/api/v1/accounts/{alice.id}/statuses", pinned="true"))
    assert [s["id"] for s in pins] == ids[:5]  # pinned last to first: newest pin first


def test_deleting_a_pinned_status_frees_its_pin(api, alice, post) -> None:
    ids = [post(alice, status=f"slot {i}")["id"] for i in range(6)]
    for status_id in ids[:5]:
        api.ok(api.act(alice, status_id, "pin"))
    api.ok(api.call(alice, "DELETE", f"/api/v1/statuses/{ids[0]}"))
    assert api.ok(api.act(alice, ids[5], "pin"))["pinned"] is True
    pins = api.ok(api.get(None, f"/api/v1/accounts/{alice.id}/statuses", pinned="true"))
    assert sorted(s["id"] for s in pins) == sorted(ids[1:])


def test_private_status_can_be_pinned(api, alice, post) -> None:
    private = post(alice, status="mine", visibility="private")
    assert api.ok(api.act(alice, private["id"], "pin"))["pinned"] is True
    # Others do not see it among the pins.
    assert api.ok(api.get(None, f"/api/v1/accounts/{alice.id}/statuses", pinned="true")) == []


def test_app_only_token_is_refused_on_actions(api, directory, alice, post) -> None:
    status = post(alice, status="apps are not users")
    app_only = User(0, "", directory.token(None, "read write"))
    for action in ("favourite", "unfavourite", "pin", "unpin", "reblog", "unreblog"):
        refused = api.act(app_only, status["id"], action)
        assert refused.status_code == 422, action
        assert refused.json() == {"error": "This method requires an authenticated user"}
    deleted = api.call(app_only, "DELETE", f"/api/v1/statuses/{status['id']}")
    assert deleted.status_code == 422
