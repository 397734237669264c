"""Mastodon.py's notification calls, unpatched, against `tootlog serve`: the list with its
filters and pages, one by id, the unread count, dismiss, clear, the grouped list, and a follow
asking to be notified."""

from __future__ import annotations

import pytest
from mastodon import MastodonNotFoundError

from tests.e2e.clients import mastodon_py
from tests.support import Directory, LiveServer

pytestmark = [
    pytest.mark.filterwarnings("error::mastodon.errors.MastodonWarning"),
    pytest.mark.filterwarnings("error::UserWarning"),
]


def test_notifications_through_mastodon_py(
    reachable_server: LiveServer, reachable_directory: Directory
) -> None:
    alice, bob, carol = (reachable_directory.user() for _ in range(3))
    as_alice = mastodon_py(reachable_server, alice)
    as_bob = mastodon_py(reachable_server, bob)
    as_carol = mastodon_py(reachable_server, carol)

    # Following with notify: the relationship says so, and each new status notifies.
    relation = as_bob.account_follow(alice.id, notify=True)
    assert relation.following is True and relation.notifying is True
    mine = as_alice.status_post("notify everyone")
    as_bob.status_favourite(mine)
    as_carol.status_reblog(mine)
    hello = as_bob.status_post(f"hello @{alice.username}")

    got = as_alice.notifications()
    assert [(n.type, n.account.id) for n in got] == [
        ("mention", bob.id),
        ("reblog", carol.id),
        ("favourite", bob.id),
        ("follow", bob.id),
    ]
    assert got[0].status.id == hello.id and got[1].status.id == mine.id
    assert got[0].created_at.tzinfo is not None  # parsed as a date
    [posted] = as_bob.notifications(types=["status"])
    assert (posted.type, posted.status.id, posted.account.id) == (
        "status",
        mine.id,
        alice.id,
    )

    # One by id; filters; pages followed with fetch_next.
    one = as_alice.notifications(id=got[1].id)
    assert one.id == got[1].id and one.type == "reblog"
    assert [n.type for n in as_alice.notifications(exclude_types=["mention", "follow"])] == [
        "reblog",
        "favourite",
    ]
    assert [n.id for n in as_alice.notifications(account_id=carol.id)] == [got[1].id]
    first = as_alice.notifications(limit=3)
    rest = as_alice.fetch_next(first)
    assert [n.id for n in first] + [n.id for n in rest] == [n.id for n in got]
    assert as_alice.notifications_unread_count().count == 4

    # The grouped list (Mastodon.py asks for partial avatars by default).
    as_carol.status_favourite(mine)
    grouped = as_alice.grouped_notifications()
    groups = grouped.notification_groups
    assert [(g.type, g.notifications_count) for g in groups] == [
        ("favourite", 2),
        ("mention", 1),
        ("reblog", 1),
        ("follow", 1),
    ]
    assert groups[0].sample_account_ids == [carol.id, bob.id]
    assert {s.id for s in grouped.statuses} == {mine.id, hello.id}
    one_group = as_alice.grouped_notification(groups[0].group_key)
    assert one_group.notification_groups[0].notifications_count == 2
    who = as_alice.grouped_notification_accounts(groups[0].group_key)
    assert [a.id for a in who] == [carol.id, bob.id]
    as_alice.dismiss_grouped_notification(groups[0].group_key)
    assert "favourite" not in [n.type for n in as_alice.notifications()]

    # Dismiss one, then clear them all.
    as_alice.notifications_dismiss(got[0])
    with pytest.raises(MastodonNotFoundError):
        as_alice.notifications(id=got[0].id)
    assert got[0].id not in [n.id for n in as_alice.notifications()]
    as_alice.notifications_clear()
    assert as_alice.notifications() == []
    assert as_alice.notifications_unread_count().count == 0
