"""Conversation mutes: POST /api/v1/statuses/:id/mute and /unmute, and the per-viewer `muted`
flag on every status of the muted thread (Mastodon's Statuses::MutesController)."""

from __future__ import annotations

from tests.support import User


def muted(api, user: User, status_id: str) -> bool:  # noqa: ANN001
    return api.ok(api.get(user, f"/api/v1/statuses/{status_id}"))["muted"]


def test_mute_covers_the_whole_thread_for_the_muter_only(api, alice, bob, carol, post) -> None:
    root = post(alice, status="root")
    reply = post(bob, status="reply", in_reply_to_id=root["id"])
    deeper = post(alice, status="deeper", in_reply_to_id=reply["id"])
    other = post(alice, status="another thread")
    # Muting through a reply mutes the conversation: every status of it.
    answer = api.ok(api.act(bob, reply["id"], "mute"))
    assert answer["id"] == reply["id"] and answer["muted"] is True
    assert answer["favourited"] is False and answer["replies_count"] == 1
    for status in (root, reply, deeper):
        assert muted(api, bob, status["id"]) is True
    assert muted(api, bob, other["id"]) is False
    # Private to the muter.
    assert muted(api, alice, root["id"]) is False and muted(api, carol, deeper["id"]) is False
    assert "muted" not in api.ok(api.get(None, f"/api/v1/statuses/{root['id']}"))
    # A reply written after the mute joins the muted thread.
    later = post(carol, status="later", in_reply_to_id=deeper["id"])
    assert muted(api, bob, later["id"]) is True
    # The muter's own reply answers muted, as Mastodon's serializer asks the conversation.
    assert post(bob, status="mine too", in_reply_to_id=root["id"])["muted"] is True
    # In context and account lists as well.
    context = api.ok(api.get(bob, f"/api/v1/statuses/{reply['id']}/context"))
    assert [s["muted"] for s in context["ancestors"] + context["descendants"]] == [True] * 3
    listed = api.ok(api.get(bob, f"/api/v1/accounts/{alice.id}/statuses"))
    assert {s["id"]: s["muted"] for s in listed} == {
        other["id"]: False,
        deeper["id"]: True,
        root["id"]: True,
    }
    # Idempotent.
    assert api.ok(api.act(bob, root["id"], "mute"))["muted"] is True
    # Unmuting through any status of the thread unmutes it all.
    undone = api.ok(api.act(bob, later["id"], "unmute"))
    assert undone["id"] == later["id"] and undone["muted"] is False
    for status in (root, reply, deeper, later):
        assert muted(api, bob, status["id"]) is False
    # Not muted is no error; muting again works.
    assert api.ok(api.act(bob, root["id"], "unmute"))["muted"] is False
    assert api.ok(api.act(bob, deeper["id"], "mute"))["muted"] is True
    assert muted(api, bob, root["id"]) is True


def test_a_thread_you_take_no_part_in_can_be_muted(api, alice, bob, carol, post) -> None:
    """Mastodon checks only that the status is visible (StatusPolicy#show?): no participation."""
    root = post(alice, status="alice and bob")
    reply = post(bob, status="reply", in_reply_to_id=root["id"])
    answer = api.act(carol, reply["id"], "mute")
    assert answer.status_code == 200 and answer.json()["muted"] is True
    assert muted(api, carol, root["id"]) is True


def test_a_reblog_wrapper_is_a_conversation_of_its_own(api, alice, bob, carol, post) -> None:
    status = post(alice, status="boosted")
    wrapper = api.ok(api.act(bob, status["id"], "reblog"))
    answer = api.ok(api.act(carol, wrapper["id"], "mute"))
    assert answer["id"] == wrapper["id"]
    assert answer["muted"] is True and answer["reblog"]["muted"] is False
    assert muted(api, carol, status["id"]) is False
    api.ok(api.act(carol, status["id"], "mute"))
    shown = api.ok(api.get(carol, f"/api/v1/statuses/{wrapper['id']}"))
    assert shown["muted"] is True and shown["reblog"]["muted"] is True
    undone = api.ok(api.act(carol, wrapper["id"], "unmute"))
    assert undone["muted"] is False and undone["reblog"]["muted"] is True


def test_checks_and_their_order(api, directory, alice, bob, post) -> None:
    private = post(alice, status="followers only", visibility="private")
    public = post(alice, status="open")
    for action in ("mute", "unmute"):
        # The token first, then the status (for both: set_status is never skipped).
        none = api.act(None, private["id"], action)
        assert none.status_code == 401
        assert none.json() == {"error": "The access token is invalid"}
        hidden = api.act(bob, private["id"], action)
        # One body for missing and invisible (§1.4).
        assert hidden.status_code == 404 and hidden.json() == {"error": "Not Found"}
        assert api.act(bob, "123", action).json() == {"error": "Not Found"}
        assert api.act(bob, "junk", action).status_code == 404
    # Scopes: write or write:mutes.
    granular = User(bob.account_id, bob.username, directory.token(bob.account_id, "write:mutes"))
    assert api.ok(api.act(granular, public["id"], "mute"))["muted"] is True
    favourites = User(
        bob.account_id, bob.username, directory.token(bob.account_id, "write:favourites")
    )
    for action in ("mute", "unmute"):
        refused = api.act(favourites, public["id"], action)
        assert refused.status_code == 403
        assert refused.json() == {"error": "This action is outside the authorized scopes"}
    reader = User(bob.account_id, bob.username, directory.token(bob.account_id, "read"))
    assert api.act(reader, public["id"], "unmute").status_code == 403
    app_only = User(0, "", directory.token(None, "read write"))
    refused = api.act(app_only, public["id"], "mute")
    assert refused.status_code == 422
    assert refused.json() == {"error": "This method requires an authenticated user"}
    assert muted(api, bob, public["id"]) is True


def test_direct_status_when_mentioned(api, alice, bob, carol, post) -> None:
    direct = post(alice, status=f"@{bob.username} psst", visibility="direct")
    assert api.ok(api.act(bob, direct["id"], "mute"))["muted"] is True
    assert api.act(carol, direct["id"], "mute").status_code == 404


def test_a_deleted_status_and_the_thread_it_leaves(api, alice, bob, post) -> None:
    root = post(alice, status="root")
    reply = post(alice, status="reply", in_reply_to_id=root["id"])
    gone = post(alice, status="gone")
    api.ok(api.act(bob, root["id"], "mute"))
    api.ok(api.call(alice, "DELETE", f"/api/v1/statuses/{gone['id']}"))
    assert api.act(bob, gone["id"], "mute").status_code == 404
    assert api.act(bob, gone["id"], "unmute").status_code == 404
    # The root deleted: its thread stays muted, and can be unmuted through a reply.
    api.ok(api.call(alice, "DELETE", f"/api/v1/statuses/{root['id']}"))
    assert api.act(bob, root["id"], "unmute").status_code == 404
    assert muted(api, bob, reply["id"]) is True
    assert api.ok(api.act(bob, reply["id"], "unmute"))["muted"] is False
    assert api.ok(api.act(bob, reply["id"], "mute"))["muted"] is True
