"""POST /api/v1/statuses/:id/reblog and /unreblog (§6.8, §6.9; §12 items 26-28)."""

from __future__ import annotations

from tests.support import User


def follow(api, follower: User, followee: User) -> None:  # noqa: ANN001
    api.ok(api.call(follower, "POST", f"/api/v1/accounts/{followee.id}/follow"))


def test_reblog_returns_the_wrapper_with_the_original_nested(api, alice, bob, post) -> None:
    original = post(alice, status="boost me")
    wrapper = api.ok(api.act(bob, original["id"], "reblog"))
    assert wrapper["id"] != original["id"]
    assert wrapper["reblog"]["id"] == original["id"]
    assert wrapper["reblog"]["reblogs_count"] == 1
    assert wrapper["reblogged"] is True and wrapper["reblog"]["reblogged"] is True
    assert wrapper["content"] == "" and wrapper["language"] is None
    assert wrapper["account"]["username"] == bob.username
    assert wrapper["uri"].endswith(f"/statuses/{wrapper['id']}/activity")
    assert wrapper["url"] == wrapper["uri"]
    assert "pinned" not in wrapper
    assert wrapper["visibility"] == "public"
    # A wrapper id resolves: GET shows the wrapper with its original.
    shown = api.ok(api.get(None, f"/api/v1/statuses/{wrapper['id']}"))
    assert shown["reblog"]["id"] == original["id"] and shown["reblog"]["reblogs_count"] == 1
    me = api.ok(api.get(None, f"/api/v1/accounts/{bob.id}"))
    assert me["statuses_count"] == 1


def test_reblogging_twice_or_via_the_wrapper_returns_the_same_wrapper(
    api, alice, bob, post
) -> None:
    original = post(alice, status="once")
    first = api.ok(api.act(bob, original["id"], "reblog"))
    again = api.ok(api.act(bob, original["id"], "reblog"))
    via_wrapper = api.ok(api.act(bob, first["id"], "reblog"))
    assert first["id"] == again["id"] == via_wrapper["id"]
    assert via_wrapper["reblog"]["reblogs_count"] == 1


def test_reblog_of_a_wrapper_reblogs_the_original(api, alice, bob, carol, post) -> None:
    original = post(alice, status="chain")
    bobs = api.ok(api.act(bob, original["id"], "reblog"))
    carols = api.ok(api.act(carol, bobs["id"], "reblog"))
    assert carols["reblog"]["id"] == original["id"]
    assert carols["reblog"]["reblogs_count"] == 2


def test_private_and_direct_reblog_rules(api, alice, bob, post) -> None:
    follow(api, bob, alice)
    private = post(alice, status="followers only", visibility="private")
    refused = api.act(bob, private["id"], "reblog")
    assert refused.status_code == 403
    assert refused.json() == {"error": "This action is not allowed"}
    direct = post(alice, status=f"@{bob.username} psst", visibility="direct")
    assert api.act(bob, direct["id"], "reblog").status_code == 403
    assert api.act(alice, direct["id"], "reblog").status_code == 403
    own = api.ok(api.act(alice, private["id"], "reblog", visibility="public"))
    assert own["visibility"] == "private"
    assert own["reblog"]["reblogs_count"] == 1
    # A stranger cannot see the private post at all: 404, not 403.
    stranger = api.act(None, private["id"], "reblog")
    assert stranger.status_code == 401


def test_reblog_visibility_param(api, alice, bob, carol, post) -> None:
    original = post(alice, status="choose")
    reserved = api.act(bob, original["id"], "reblog", visibility="direct")
    assert reserved.status_code == 422
    assert reserved.json() == {"error": "Validation failed: Visibility is reserved"}
    junk = api.act(bob, original["id"], "reblog", visibility="everyone")
    assert junk.status_code == 422
    assert junk.json() == {"error": "Validation failed: Visibility is not included in the list"}
    unlisted = api.ok(api.act(carol, original["id"], "reblog", visibility="unlisted"))
    assert unlisted["visibility"] == "unlisted"


def test_reblog_of_invisible_or_missing_status_is_404(api, alice, bob, post) -> None:
    private = post(alice, status="hidden", visibility="private")
    assert api.act(bob, private["id"], "reblog").json() == {"error": "Not Found"}
    assert api.act(bob, "999999999999", "reblog").status_code == 404
    assert api.act(bob, "junk", "reblog").status_code == 404


def test_unreblog_restores_the_original(api, alice, bob, post) -> None:
    original = post(alice, status="undo")
    wrapper = api.ok(api.act(bob, original["id"], "reblog"))
    undone = api.ok(api.act(bob, original["id"], "unreblog"))
    assert undone["id"] == original["id"]
    assert undone["reblogged"] is False and undone["reblogs_count"] == 0
    assert api.get(None, f"/api/v1/statuses/{wrapper['id']}").status_code == 404
    assert api.ok(api.get(None, f"/api/v1/accounts/{bob.id}"))["statuses_count"] == 0
    # Reblogging again makes a new wrapper.
    again = api.ok(api.act(bob, original["id"], "reblog"))
    assert again["id"] != wrapper["id"]


def test_unreblog_of_never_reblogged_is_200_and_of_invisible_is_404(api, alice, bob, post) -> None:
    original = post(alice, status="never boosted")
    body = api.ok(api.act(bob, original["id"], "unreblog"))
    assert body["reblogged"] is False and body["id"] == original["id"]
    private = post(alice, status="secret", visibility="private")
    assert api.act(bob, private["id"], "unreblog").status_code == 404
    assert api.act(None, original["id"], "unreblog").status_code == 401


def test_deleting_own_wrapper_equals_unreblogging(api, alice, bob, post) -> None:
    original = post(alice, status="delete my boost")
    wrapper = api.ok(api.act(bob, original["id"], "reblog"))
    assert api.call(alice, "DELETE", f"/api/v1/statuses/{wrapper['id']}").status_code == 404
    deleted = api.ok(api.call(bob, "DELETE", f"/api/v1/statuses/{wrapper['id']}"))
    assert deleted["id"] == wrapper["id"] and deleted["reblog"]["id"] == original["id"]
    assert "text" in deleted and "content" not in deleted
    assert "text" in deleted["reblog"] and "content" not in deleted["reblog"]
    assert api.get(None, f"/api/v1/statuses/{wrapper['id']}").status_code == 404
    after = api.ok(api.get(bob, f"/api/v1/statuses/{original['id']}"))
    assert after["reblogs_count"] == 0 and after["reblogged"] is False
    assert api.call(bob, "DELETE", f"/api/v1/statuses/{wrapper['id']}").status_code == 404


def test_reblog_needs_a_user_with_write_scope(api, directory, alice, post) -> None:
    original = post(alice, status="scopes")
    reader = User(alice.account_id, alice.username, directory.token(alice.account_id, "read"))
    assert api.act(reader, original["id"], "reblog").status_code == 403
    app_only = User(0, "", directory.token(None, "write"))
    refused = api.act(app_only, original["id"], "reblog")
    assert refused.status_code == 422
    assert refused.json() == {"error": "This method requires an authenticated user"}
