"""Notifications (docs/mastodon-api.md §18): what makes one (mention, status, reblog, favourite,
follow, poll, update), what undoes it, the lists of v1 and v2 with their filters and Link
headers, one by id, dismiss and clear, the unread count, scopes and visibility."""

from __future__ import annotations

import re
import time

import pytest

from commands.polls import expire
from tests.support import Directory, User

LINK = re.compile(r'<([^>]+)>; rel="(next|prev)"')
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def links(response) -> dict[str, str]:  # noqa: ANN001
    return {rel: url for url, rel in LINK.findall(response.headers.get("link", ""))}


def notes(api, user: User, **params: object) -> list[dict]:  # noqa: ANN001
    return api.ok(api.get(user, "/api/v1/notifications", **params))


def kinds(api, user: User, **params: object) -> list[tuple[str, str]]:  # noqa: ANN001
    """(type, from account id) of each of the user's notifications, newest first."""
    return [(n["type"], n["account"]["id"]) for n in notes(api, user, **params)]


def account(api, viewer: User, user: User) -> dict:  # noqa: ANN001
    return api.ok(api.get(viewer, f"/api/v1/accounts/{user.id}"))


def status(api, viewer: User, status_id: str) -> dict:  # noqa: ANN001
    return api.ok(api.get(viewer, f"/api/v1/statuses/{status_id}"))


def follow(api, follower: User, followee: User, **params: object) -> dict:  # noqa: ANN001
    return api.ok(api.call(follower, "POST", f"/api/v1/accounts/{followee.id}/follow", **params))


def test_each_kind_of_activity_notifies_its_target_with_mastodons_shape(
    api, alice, bob, post
) -> None:
    mine = post(alice, status="mine")
    api.ok(api.act(bob, mine["id"], "favourite"))
    api.ok(api.act(bob, mine["id"], "reblog"))
    follow(api, bob, alice)
    mention = post(bob, status=f"hello @{alice.username}")
    got = notes(api, alice)
    assert [n["type"] for n in got] == ["mention", "follow", "reblog", "favourite"]
    ids = [int(n["id"]) for n in got]
    assert ids == sorted(ids, reverse=True)
    bob_account = account(api, alice, bob)
    for note in got:
        assert ISO.match(note["created_at"])
        assert note["account"] == bob_account
    mention_note, follow_note, reblog_note, fav_note = got
    assert list(mention_note) == ["id", "type", "created_at", "group_key", "account", "status"]
    assert mention_note["status"] == status(api, alice, mention["id"])
    assert mention_note["group_key"] == f"ungrouped-{mention_note['id']}"
    # A follow carries no status; follows, favourites and reblogs are grouped by the hour.
    assert list(follow_note) == ["id", "type", "created_at", "group_key", "account"]
    hour = int(time.time()) // 3600
    assert follow_note["group_key"] in (f"follow-{hour}", f"follow-{hour - 1}")
    assert reblog_note["group_key"].startswith(f"reblog-{mine['id']}-")
    assert fav_note["group_key"].startswith(f"favourite-{mine['id']}-")
    # The status is the original, as the viewer sees it (per-viewer flags included).
    assert reblog_note["status"] == fav_note["status"] == status(api, alice, mine["id"])
    assert reblog_note["status"]["favourited"] is False
    assert reblog_note["status"]["favourites_count"] == 1
    # One by id: the same document.
    for note in got:
        assert api.ok(api.get(alice, f"/api/v1/notifications/{note['id']}")) == note
    # Nothing for the one who acted.
    assert notes(api, bob) == []


def test_no_notification_to_oneself(api, alice, post) -> None:
    mine = post(alice, status="me")
    api.ok(api.act(alice, mine["id"], "favourite"))
    api.ok(api.act(alice, mine["id"], "reblog"))
    post(alice, status=f"talking to myself @{alice.username}", in_reply_to_id=mine["id"])
    assert notes(api, alice) == []


def test_undo_removes_the_notification(api, alice, bob, post) -> None:
    mine = post(alice, status="undo me")
    api.ok(api.act(bob, mine["id"], "favourite"))
    api.ok(api.act(bob, mine["id"], "reblog"))
    follow(api, bob, alice)
    mention = post(bob, status=f"@{alice.username} hi")
    assert len(notes(api, alice)) == 4
    api.ok(api.act(bob, mine["id"], "unfavourite"))
    api.ok(api.act(bob, mine["id"], "unreblog"))
    api.ok(api.call(bob, "POST", f"/api/v1/accounts/{alice.id}/unfollow"))
    assert kinds(api, alice) == [("mention", bob.id)]
    api.ok(api.call(bob, "DELETE", f"/api/v1/statuses/{mention['id']}"))
    assert notes(api, alice) == []
    # Doing it again notifies again, with a new id.
    api.ok(api.act(bob, mine["id"], "favourite"))
    assert kinds(api, alice) == [("favourite", bob.id)]
    # A deleted status takes every notification about it.
    api.ok(api.call(alice, "DELETE", f"/api/v1/statuses/{mine['id']}"))
    assert notes(api, alice) == []


def test_a_muted_conversation_notifies_the_muter_of_nothing_in_it(
    api, alice, bob, carol, post
) -> None:
    root = post(alice, status="a thread")
    reply = post(bob, status=f"@{alice.username} first", in_reply_to_id=root["id"])
    assert kinds(api, alice) == [("mention", bob.id)]
    api.ok(api.act(alice, reply["id"], "mute"))
    post(carol, status=f"@{alice.username} @{bob.username} deeper", in_reply_to_id=reply["id"])
    api.ok(api.act(bob, root["id"], "favourite"))
    api.ok(api.act(carol, root["id"], "reblog"))
    # Only the mention from before the mute; bob (no mute) is told of carol's reply.
    assert kinds(api, alice) == [("mention", bob.id)]
    assert kinds(api, bob) == [("mention", carol.id)]
    # After unmuting, notifications come again; elsewhere they never stopped.
    api.ok(api.act(alice, reply["id"], "unmute"))
    api.ok(api.act(carol, root["id"], "favourite"))
    other = post(alice, status="elsewhere")
    api.ok(api.act(bob, other["id"], "favourite"))
    assert kinds(api, alice) == [
        ("favourite", bob.id),
        ("favourite", carol.id),
        ("mention", bob.id),
    ]


def test_follow_with_notify_notifies_of_each_new_status(api, alice, bob, carol, post) -> None:
    relation = follow(api, carol, alice, notify="true")
    assert relation["following"] is True and relation["notifying"] is True
    listed = api.ok(api.get(carol, "/api/v1/accounts/relationships", **{"id[]": alice.id}))
    assert listed[0]["notifying"] is True
    first = post(alice, status="news")
    theirs = post(bob, status="bob's")
    post(alice, status=f"@{bob.username} a reply to someone else", in_reply_to_id=theirs["id"])
    thread = post(alice, status="more news", in_reply_to_id=first["id"])  # own thread: notifies
    got = notes(api, carol, **{"types[]": "status"})
    assert [n["status"]["id"] for n in got] == [thread["id"], first["id"]]
    assert got[0]["account"]["id"] == alice.id
    assert got[0]["status"] == status(api, carol, thread["id"])
    # Following again without notify changes nothing; notify=false stops it.
    assert follow(api, carol, alice)["notifying"] is True
    assert follow(api, carol, alice, notify="false")["notifying"] is False
    post(alice, status="quiet")
    assert len(notes(api, carol, **{"types[]": "status"})) == 2
    # A plain follow never notifies of statuses.
    assert follow(api, bob, alice)["notifying"] is False
    post(alice, status="louder")
    assert notes(api, bob, **{"types[]": "status"}) == []


def test_follow_options_it_does_not_have_are_refused(api, alice, bob) -> None:
    refused = api.call(bob, "POST", f"/api/v1/accounts/{alice.id}/follow", reblogs="false")
    assert refused.status_code == 422
    assert refused.json() == {"error": "reblogs=false is not supported by this server yet"}
    refused = api.call(bob, "POST", f"/api/v1/accounts/{alice.id}/follow", **{"languages[]": "en"})
    assert refused.status_code == 422
    assert refused.json() == {"error": "languages is not supported by this server yet"}
    # Nothing was written; reblogs=true (Mastodon.py sends it) is the default.
    assert (
        api.ok(api.get(bob, "/api/v1/accounts/relationships", **{"id[]": alice.id}))[0]["following"]
        is False
    )
    assert follow(api, bob, alice, reblogs="true", notify="false")["following"] is True


def test_an_edit_notifies_the_rebloggers_and_the_newly_mentioned(
    api, alice, bob, carol, post
) -> None:
    mine = post(alice, status="first draft")
    api.ok(api.act(bob, mine["id"], "reblog"))
    edited = api.ok(
        api.call(alice, "PUT", f"/api/v1/statuses/{mine['id']}", status=f"final @{carol.username}")
    )
    got = notes(api, bob)
    assert [n["type"] for n in got] == ["update"]
    assert got[0]["account"]["id"] == alice.id
    assert got[0]["status"]["content"] == edited["content"]
    assert kinds(api, carol) == [("mention", alice.id)]
    # Each edit notifies again; a mention already notified is not repeated.
    api.ok(
        api.call(alice, "PUT", f"/api/v1/statuses/{mine['id']}", status=f"fixed @{carol.username}")
    )
    assert kinds(api, bob) == [("update", alice.id), ("update", alice.id)]
    assert kinds(api, carol) == [("mention", alice.id)]


def test_an_ended_poll_notifies_its_voters_and_its_author(
    api, directory: Directory, alice, bob, carol, post
) -> None:
    asked = post(alice, status="Q?", **{"poll[options][]": ["a", "b"], "poll[expires_in]": 600})
    poll_id = asked["poll"]["id"]
    voted = api.call(bob, "POST", f"/api/v1/polls/{poll_id}/votes", **{"choices[]": ["0"]})
    assert voted.status_code == 200, voted.text
    assert expire(directory.write_model, int(poll_id), now=time.time() + 3600)
    directory.wait_for(directory.write_model.last_position())
    for user in (alice, bob):
        got = notes(api, user, **{"types[]": "poll"})
        assert [(n["type"], n["account"]["id"]) for n in got] == [("poll", alice.id)]
        assert got[0]["status"]["id"] == asked["id"]
        assert got[0]["status"]["poll"]["expired"] is True
    assert notes(api, carol) == []


def test_a_notification_about_a_status_the_viewer_can_no_longer_see_is_not_shown(
    api, alice, carol, post
) -> None:
    follow(api, carol, alice, notify="1")
    secret = post(alice, status="followers only", visibility="private")
    got = notes(api, carol, **{"types[]": "status"})
    assert [n["status"]["id"] for n in got] == [secret["id"]]
    api.ok(api.call(carol, "POST", f"/api/v1/accounts/{alice.id}/unfollow"))
    assert notes(api, carol, **{"types[]": "status"}) == []
    assert api.get(carol, f"/api/v1/notifications/{got[0]['id']}").status_code == 404
    # Following again shows it again. A direct status notifies only the followers it mentions.
    follow(api, carol, alice, notify="1")
    post(alice, status="just us", visibility="direct")
    to_carol = post(alice, status=f"@{carol.username} and you", visibility="direct")
    got = notes(api, carol, **{"types[]": "status"})
    assert [n["status"]["id"] for n in got] == [to_carol["id"], secret["id"]]


def test_filters_and_pagination(api, directory: Directory, alice, post) -> None:
    fans = directory.users(3)
    mine = post(alice, status="popular")
    for fan in fans:
        api.ok(api.act(fan, mine["id"], "favourite"))
        follow(api, fan, alice)
    all_ids = [n["id"] for n in notes(api, alice)]
    assert len(all_ids) == 6
    assert {t for t, _ in kinds(api, alice, **{"types[]": ["follow"]})} == {"follow"}
    assert len(notes(api, alice, **{"types[]": ["follow", "favourite"]})) == 6
    assert {t for t, _ in kinds(api, alice, **{"exclude_types[]": ["follow"]})} == {"favourite"}
    assert notes(api, alice, **{"types[]": ["nonsense"]}) == []
    assert len(notes(api, alice, **{"types[]": ["nonsense", "follow"]})) == 3
    assert len(notes(api, alice, types="follow")) == 6  # not an array: ignored, as Rails
    assert kinds(api, alice, account_id=fans[1].id) == [
        ("follow", fans[1].id),
        ("favourite", fans[1].id),
    ]
    assert notes(api, alice, account_id="junk") == []
    first = api.get(alice, "/api/v1/notifications", limit=4, **{"types[]": ["follow", "favourite"]})
    assert [n["id"] for n in api.ok(first)] == all_ids[:4]
    pages = links(first)
    base = "https://example.com/api/v1/notifications?"
    assert pages["next"] == (
        f"{base}limit=4&max_id={all_ids[3]}&types%5B%5D=follow&types%5B%5D=favourite"
    )
    assert pages["prev"] == (
        f"{base}limit=4&min_id={all_ids[0]}&types%5B%5D=follow&types%5B%5D=favourite"
    )
    second = api.get(alice, "/api/v1/notifications", limit=4, max_id=all_ids[3])
    assert [n["id"] for n in api.ok(second)] == all_ids[4:]
    # Mastodon links `next` from every non-empty page.
    assert set(links(second)) == {"next", "prev"}
    assert api.ok(api.get(alice, "/api/v1/notifications", max_id=all_ids[-1])) == []
    assert "link" not in api.get(alice, "/api/v1/notifications", max_id=all_ids[-1]).headers
    above = api.get(alice, "/api/v1/notifications", limit=2, min_id=all_ids[3])
    assert [n["id"] for n in api.ok(above)] == all_ids[1:3]
    since = api.get(alice, "/api/v1/notifications", limit=2, since_id=all_ids[3])
    assert [n["id"] for n in api.ok(since)] == all_ids[:2]
    assert api.ok(api.get(alice, "/api/v1/notifications", limit=0)) == []


def test_dismiss_and_clear(api, alice, bob, carol, post) -> None:
    mine = post(alice, status="x")
    api.ok(api.act(bob, mine["id"], "favourite"))
    api.ok(api.act(carol, mine["id"], "favourite"))
    follow(api, bob, alice)
    first, second, third = (n["id"] for n in notes(api, alice))
    # Another account's notification, or none at all: 404, and nothing recorded.
    for who, nid in ((bob, first), (alice, "123"), (alice, "junk")):
        missing = api.call(who, "POST", f"/api/v1/notifications/{nid}/dismiss")
        assert missing.status_code == 404 and missing.json() == {"error": "Record not found"}
        shown = api.get(who, f"/api/v1/notifications/{nid}")
        assert shown.status_code == 404 and shown.json() == {"error": "Record not found"}
    assert api.ok(api.call(alice, "POST", f"/api/v1/notifications/{second}/dismiss")) == {}
    assert [n["id"] for n in notes(api, alice)] == [first, third]
    assert api.get(alice, f"/api/v1/notifications/{second}").status_code == 404
    again = api.call(alice, "POST", f"/api/v1/notifications/{second}/dismiss")
    assert again.status_code == 404
    assert api.ok(api.call(alice, "POST", "/api/v1/notifications/clear")) == {}
    assert notes(api, alice) == []
    # Cleared is not forgotten: later notifications come as usual.
    api.ok(api.act(bob, mine["id"], "reblog"))
    assert kinds(api, alice) == [("reblog", bob.id)]


def test_unread_count_follows_the_notifications_marker(
    api, directory: Directory, alice, post
) -> None:
    fans = directory.users(3)
    mine = post(alice, status="count me")
    count = "/api/v1/notifications/unread_count"
    assert api.ok(api.get(alice, count)) == {"count": 0}
    for fan in fans:
        api.ok(api.act(fan, mine["id"], "favourite"))
    assert api.ok(api.get(alice, count)) == {"count": 3}
    assert api.ok(api.get(alice, count, limit=2)) == {"count": 2}
    newest, middle, _ = (n["id"] for n in notes(api, alice))
    marker = {"notifications[last_read_id]": middle}
    api.ok(api.call(alice, "POST", "/api/v1/markers", **marker))
    assert api.ok(api.get(alice, count)) == {"count": 1}
    assert api.ok(api.get(alice, count, **{"types[]": ["mention"]})) == {"count": 0}
    # v2 counts groups: the three favourites of one status within the hour are one.
    api.ok(api.call(alice, "POST", "/api/v1/markers", **{"notifications[last_read_id]": "1"}))
    assert api.ok(api.get(alice, "/api/v2/notifications/unread_count")) == {"count": 1}
    grouped = api.get(alice, "/api/v2/notifications/unread_count", **{"grouped_types[]": "follow"})
    assert api.ok(grouped) == {"count": 3}
    assert newest


def test_grouped_notifications(api, alice, bob, carol, post) -> None:
    mine = post(alice, status="group me")
    api.ok(api.act(bob, mine["id"], "favourite"))
    api.ok(api.act(carol, mine["id"], "favourite"))
    mention = post(bob, status=f"@{alice.username} look")
    plain = notes(api, alice)
    answer = api.get(alice, "/api/v2/notifications")
    got = api.ok(answer)
    assert list(got) == ["accounts", "statuses", "notification_groups"]
    groups = got["notification_groups"]
    mention_id, carol_fav, bob_fav = (n["id"] for n in plain)
    assert groups == [
        {
            "group_key": f"ungrouped-{mention_id}",
            "notifications_count": 1,
            "type": "mention",
            "most_recent_notification_id": int(mention_id),
            "page_min_id": mention_id,
            "page_max_id": mention_id,
            "latest_page_notification_at": plain[0]["created_at"],
            "sample_account_ids": [bob.id],
            "status_id": mention["id"],
        },
        {
            "group_key": plain[1]["group_key"],
            "notifications_count": 2,
            "type": "favourite",
            "most_recent_notification_id": int(carol_fav),
            "page_min_id": bob_fav,
            "page_max_id": carol_fav,
            "latest_page_notification_at": plain[1]["created_at"],
            "sample_account_ids": [carol.id, bob.id],
            "status_id": mine["id"],
        },
    ]
    assert plain[1]["group_key"] == plain[2]["group_key"]
    assert got["accounts"] == [account(api, alice, bob), account(api, alice, carol)]
    assert got["statuses"] == [status(api, alice, mention["id"]), status(api, alice, mine["id"])]
    assert links(answer) == {
        "next": f"https://example.com/api/v2/notifications?max_id={carol_fav}",
        "prev": f"https://example.com/api/v2/notifications?min_id={mention_id}",
    }
    # A client that groups nothing gets each notification as a group of its own.
    ungrouped = api.ok(api.get(alice, "/api/v2/notifications", **{"grouped_types[]": "follow"}))
    assert [g["group_key"] for g in ungrouped["notification_groups"]] == [
        f"ungrouped-{n['id']}" for n in plain
    ]
    # One group per page slot: the second page starts after the whole first group.
    first = api.ok(api.get(alice, "/api/v2/notifications", limit=1))
    assert [g["type"] for g in first["notification_groups"]] == ["mention"]
    rest = api.ok(api.get(alice, "/api/v2/notifications", limit=1, max_id=mention_id))
    assert [g["notifications_count"] for g in rest["notification_groups"]] == [2]
    # partial_avatars: the newest account of each group in full, the others in part.
    partial = api.ok(api.get(alice, "/api/v2/notifications", expand_accounts="partial_avatars"))
    assert list(partial) == ["accounts", "partial_accounts", "statuses", "notification_groups"]
    assert [a["id"] for a in partial["accounts"]] == [bob.id, carol.id]
    assert partial["partial_accounts"] == []
    bad = api.get(alice, "/api/v2/notifications", expand_accounts="some")
    assert bad.status_code == 400
    assert bad.json() == {
        "error": "Invalid value for 'expand_accounts': 'some', allowed values are 'full' and"
        " 'partial_avatars'"
    }


@pytest.mark.parametrize(
    ("method", "path", "write"),
    [
        ("GET", "/api/v1/notifications", False),
        ("GET", "/api/v1/notifications/1", False),
        ("GET", "/api/v1/notifications/unread_count", False),
        ("GET", "/api/v2/notifications", False),
        ("POST", "/api/v1/notifications/clear", True),
        ("POST", "/api/v1/notifications/1/dismiss", True),
        ("GET", "/api/v2/notifications/follow-1", False),
        ("POST", "/api/v2/notifications/follow-1/dismiss", True),
    ],
)
def test_scopes_and_users(api, directory: Directory, method: str, path: str, write: bool) -> None:
    anonymous = api.call(None, method, path)
    assert anonymous.status_code == 401
    assert anonymous.json() == {"error": "The access token is invalid"}
    wrong = directory.user(scopes="write:statuses read:statuses")
    forbidden = api.call(wrong, method, path)
    assert forbidden.status_code == 403
    assert forbidden.json() == {"error": "This action is outside the authorized scopes"}
    narrow = directory.user(scopes="write:notifications" if write else "read:notifications")
    assert api.call(narrow, method, path).status_code in (200, 404)
    app_only = User(0, "", directory.token(None, "read write"))
    refused = api.call(app_only, method, path)
    assert refused.status_code == 422
    assert refused.json() == {"error": "This method requires an authenticated user"}


def test_one_group_by_its_key_and_its_dismissal(api, alice, bob, carol, post) -> None:
    mine = post(alice, status="a group")
    api.ok(api.act(bob, mine["id"], "favourite"))
    api.ok(api.act(carol, mine["id"], "favourite"))
    follow(api, bob, alice)
    favs, follows = [], []
    for note in notes(api, alice):
        (follows if note["type"] == "follow" else favs).append(note)
    key = favs[0]["group_key"]
    shown = api.ok(api.get(alice, f"/api/v2/notifications/{key}"))
    assert shown == {
        "accounts": [account(api, alice, carol), account(api, alice, bob)],
        "statuses": [status(api, alice, mine["id"])],
        "notification_groups": [
            {
                "group_key": key,
                "notifications_count": 2,
                "type": "favourite",
                "most_recent_notification_id": int(favs[0]["id"]),
                "sample_account_ids": [carol.id, bob.id],
                "status_id": mine["id"],
            }
        ],
    }
    # `ungrouped-<id>` names one notification; of a grouped one, Mastodon shows its group.
    assert api.ok(api.get(alice, f"/api/v2/notifications/ungrouped-{favs[1]['id']}")) == shown
    follow_key = follows[0]["group_key"]
    alone = api.ok(api.get(alice, f"/api/v2/notifications/{follow_key}"))
    assert alone["notification_groups"][0]["sample_account_ids"] == [bob.id]
    assert "status_id" not in alone["notification_groups"][0] and alone["statuses"] == []
    for missing in (f"{key}0", "ungrouped-1", "favourite-x-y", "nonsense"):
        answer = api.get(alice, f"/api/v2/notifications/{missing}")
        assert answer.status_code == 404 and answer.json() == {"error": "Record not found"}
    assert api.get(bob, f"/api/v2/notifications/{key}").status_code == 404
    # Dismissing a group dismisses each of its notifications; none left is no error.
    assert api.ok(api.call(alice, "POST", f"/api/v2/notifications/{key}/dismiss")) == {}
    assert [n["type"] for n in notes(api, alice)] == ["follow"]
    assert api.ok(api.call(alice, "POST", f"/api/v2/notifications/{key}/dismiss")) == {}
    assert api.ok(api.call(bob, "POST", f"/api/v2/notifications/{follow_key}/dismiss")) == {}
    assert [n["type"] for n in notes(api, alice)] == ["follow"]
    unauthorized = api.call(None, "POST", f"/api/v2/notifications/{key}/dismiss")
    assert unauthorized.status_code == 401


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/notifications", {"max_id": "junk", "since_id": "-1", "min_id": "9" * 40}),
        ("/api/v1/notifications", {"limit": "9" * 400, "account_id": "9" * 40}),
        ("/api/v1/notifications", {"types[]": ["x" * 5000, ""], "exclude_types[]": "mention"}),
        ("/api/v1/notifications/" + "9" * 40, {}),
        ("/api/v1/notifications/unread_count", {"limit": "-5", "account_id": "\u00e9"}),
        ("/api/v2/notifications", {"grouped_types[]": ["", "x"], "min_id": "1", "max_id": "2"}),
        ("/api/v2/notifications", {"expand_accounts": ""}),
        ("/api/v2/notifications/favourite-1-" + "9" * 30, {}),
        ("/api/v2/notifications/ungrouped-" + "9" * 40, {}),
        ("/api/v2/notifications/-", {}),
    ],
)
def test_hostile_parameters_get_an_answer_never_an_error(
    api, alice, path: str, params: dict
) -> None:
    answer = api.get(alice, path, **params)
    assert answer.status_code in (200, 400, 404), answer.text
    if answer.status_code != 200:
        assert set(answer.json()) == {"error"}


def test_the_accounts_of_a_group(api, directory: Directory, alice, post) -> None:
    fans = directory.users(3)
    mine = post(alice, status="who liked it")
    for fan in fans:
        api.ok(api.act(fan, mine["id"], "favourite"))
    got = notes(api, alice)
    key = got[0]["group_key"]
    path = f"/api/v2/notifications/{key}/accounts"
    listed = api.ok(api.get(alice, path))
    assert [a["id"] for a in listed] == [fan.id for fan in reversed(fans)]
    assert listed[0] == account(api, alice, fans[2])
    first = api.get(alice, path, limit=2)
    assert [a["id"] for a in api.ok(first)] == [fans[2].id, fans[1].id]
    pages = links(first)
    base = f"https://example.com{path}?limit=2&"
    assert pages == {"next": f"{base}max_id={got[1]['id']}", "prev": f"{base}min_id={got[0]['id']}"}
    rest = api.ok(api.get(alice, path, limit=2, max_id=got[1]["id"]))
    assert [a["id"] for a in rest] == [fans[0].id]
    assert api.ok(api.get(alice, path, since_id=got[1]["id"])) == [listed[0]]
    # Another account's group, or none: an empty list, as Mastodon's query finds nothing.
    assert api.ok(api.get(fans[0], path)) == []
    assert api.get(None, path).status_code == 401
