"""Notifications on the write side: the rows of `tootlog_notifications`, derived by the projector
from the events that cause them, as Mastodon's services create them (NotifyService and the
services that call it), and removed when what caused them is undone.

- mention: each account a new status mentions, and each account an edit mentions that has no
  mention notification for it yet (LocalNotificationWorker's check);
- status: each follower who asked to be notified (`notify`) of a status that is no reply to
  someone else, when it reaches their home feed (a direct one: only mentioned followers);
- reblog, favourite: the author of the original; follow: the followee;
- poll: when a poll ends, its author and every voter;
- update: an edited status's rebloggers (each edit, a new one).

Never to oneself (a poll's author excepted, as Mastodon), and never about a status of a
conversation the recipient has muted (NotifyService's conversation_muted?, for every type that
carries a status). These are decided when the causing event is applied, from the rows as they
are at that event: the statements go out in event order after the statuses, follows, votes and
mutes written before them (TABLES), and the projector flushes the batch before a conversation is
muted or unmuted and around an edit, whose statements read rows later events change. So the
rows do not depend on how the log is cut into batches.

Undo removes: an unfavourite its favourite notification, an unreblog its reblog notification,
an unfollow its follow notification, a deleted status every notification about it. Dismissals
and clears are events too (domain/notification.py).

Grouping (Mastodon 4.3's NotifyService#set_group_key!): a favourite or reblog of one status, or
a follow, joins the recipient's latest group of the same kind (`group_prefix`) if that group's
hour (`bucket`, hours since the epoch) is less than MAXIMUM_GROUP_SPAN_HOURS before the
notification's own; else it starts a group at its own hour. Mastodon keeps the latest hour in
Redis; here it is read from the recipient's rows, so a group whose notifications were all
dismissed is forgotten.
"""

from __future__ import annotations

from datetime import datetime

from domain.ids import format_datetime
from domain.notification import MAXIMUM_GROUP_SPAN_HOURS
from projections.writes import Writes

_COLUMNS = (
    "INSERT INTO tootlog_notifications"
    " (account_id, id, type, from_account_id, status_id, group_prefix, bucket, created_at)"
)
# Whether the recipient `{r}` has muted the conversation of the status `s`.
_MUTED = (
    "EXISTS (SELECT 1 FROM tootlog_conversation_mutes cm"
    " WHERE cm.account_id = {r} AND cm.root_id = s.root_id)"
)
# The hour of the group a favourite, reblog or follow joins (see the module's docstring).
_BUCKET = (
    "coalesce((SELECT p.bucket FROM tootlog_notifications p WHERE p.account_id = {r}"
    " AND p.group_prefix = %(prefix)s"
    f" AND p.bucket > %(hour)s - {MAXIMUM_GROUP_SPAN_HOURS}"
    " ORDER BY p.bucket DESC LIMIT 1), %(hour)s)"
)
# A favourite or reblog of a live status, to its author.
NOTIFY_AUTHOR = (
    f"{_COLUMNS} SELECT s.account_id, %(id)s, %(type)s, %(from)s, s.id, %(prefix)s, "
    + _BUCKET.format(r="s.account_id")
    + ", %(at)s FROM tootlog_statuses s WHERE s.id = %(status)s AND NOT s.deleted"
    " AND s.account_id <> %(from)s AND NOT "
    + _MUTED.format(r="s.account_id")
    + " ON CONFLICT DO NOTHING"
)
NOTIFY_FOLLOW = (
    f"{_COLUMNS} SELECT %(to)s, %(id)s, 'follow', %(from)s, NULL, %(prefix)s, "
    + _BUCKET.format(r="%(to)s")
    + ", %(at)s WHERE %(to)s <> %(from)s ON CONFLICT DO NOTHING"
)
# Mentions of a live status; an edit's only to those not notified of it yet.
NOTIFY_MENTIONS = (
    f"{_COLUMNS} SELECT r.id, %(id)s, 'mention', s.account_id, s.id, NULL, NULL, %(at)s"
    " FROM tootlog_statuses s CROSS JOIN unnest(%(mentions)s::bigint[]) AS r(id)"
    " WHERE s.id = %(status)s AND NOT s.deleted AND r.id <> s.account_id AND NOT "
    + _MUTED.format(r="r.id")
    + " AND NOT EXISTS (SELECT 1 FROM tootlog_notifications n WHERE n.status_id = s.id"
    " AND n.account_id = r.id AND n.type = 'mention') ON CONFLICT DO NOTHING"
)
# A new status to the followers who asked for it (a direct one: the mentioned ones).
NOTIFY_SUBSCRIBERS = (
    f"{_COLUMNS} SELECT f.follower_id, %(id)s, 'status', s.account_id, s.id, NULL, NULL, %(at)s"
    " FROM tootlog_statuses s JOIN tootlog_notifying_follows f ON f.followee_id = s.account_id"
    " WHERE s.id = %(status)s AND NOT s.deleted"
    " AND (s.visibility <> 'direct' OR f.follower_id = ANY(s.mentions)) AND NOT "
    + _MUTED.format(r="f.follower_id")
    + " ON CONFLICT DO NOTHING"
)
# An edited status to its live rebloggers.
NOTIFY_REBLOGGERS = (
    f"{_COLUMNS} SELECT w.account_id, %(id)s, 'update', s.account_id, s.id, NULL, NULL, %(at)s"
    " FROM tootlog_statuses s JOIN tootlog_statuses w ON w.reblog_of_id = s.id AND NOT w.deleted"
    " WHERE s.id = %(status)s AND NOT s.deleted AND w.account_id <> s.account_id AND NOT "
    + _MUTED.format(r="w.account_id")
    + " ON CONFLICT DO NOTHING"
)
# An ended poll to its author and its voters.
NOTIFY_POLL = (
    f"{_COLUMNS} SELECT r.id, %(id)s, 'poll', p.account_id, s.id, NULL, NULL, %(at)s"
    " FROM tootlog_polls p JOIN tootlog_statuses s ON s.id = p.status_id AND NOT s.deleted"
    " CROSS JOIN LATERAL (SELECT p.account_id AS id UNION"
    " SELECT v.account_id FROM tootlog_poll_votes v WHERE v.poll_id = p.id) AS r"
    " WHERE p.id = %(poll)s AND NOT " + _MUTED.format(r="r.id") + " ON CONFLICT DO NOTHING"
)
FORGET_STATUS = "DELETE FROM tootlog_notifications WHERE status_id = %s"
FORGET_ACTION = (
    "DELETE FROM tootlog_notifications"
    " WHERE status_id = %(status)s AND type = %(type)s AND from_account_id = %(from)s"
)
FORGET_FOLLOW = (
    "DELETE FROM tootlog_notifications"
    " WHERE account_id = %s AND from_account_id = %s AND type = 'follow'"
)
DISMISS = "DELETE FROM tootlog_notifications WHERE account_id = %s AND id = %s"
CLEAR = "DELETE FROM tootlog_notifications WHERE account_id = %s"
SUBSCRIBE = (
    "INSERT INTO tootlog_notifying_follows (follower_id, followee_id) VALUES (%s, %s)"
    " ON CONFLICT DO NOTHING"
)
UNSUBSCRIBE = "DELETE FROM tootlog_notifying_follows WHERE follower_id = %s AND followee_id = %s"

TABLE = "notifications"  # the batch's statement queue (projections.writes.TABLES)


def _when(moment: datetime) -> dict:
    return {"at": format_datetime(moment), "hour": int(moment.timestamp()) // 3600}


class NotificationReadModel:
    """Writes of the notifications read model; each method adds to the batch's writes.

    Few accounts have followers who asked for `notify`, so the follows that did are remembered
    (followee -> followers, read once, then kept with each change this projector writes): a
    status whose author has none sends no statement. Forgotten with the projector's memory
    (after a failed batch, or when another worker may have written).
    """

    def __init__(self) -> None:
        self._subscribers: dict[int, set[int]] | None = None

    def forget(self) -> None:
        self._subscribers = None

    def _subscriptions(self, writes: Writes) -> dict[int, set[int]]:
        if self._subscribers is None:
            subscribers: dict[int, set[int]] = {}
            with writes.reader() as reader:
                reader.execute("SELECT followee_id, follower_id FROM tootlog_notifying_follows")
                for row in reader.fetchall():
                    followee, follower = row.values()
                    subscribers.setdefault(followee, set()).add(follower)
            self._subscribers = subscribers
        return self._subscribers

    def favourited(
        self, writes: Writes, nid: int, at: datetime, account_id: int, status_id: int
    ) -> None:
        self._to_author(writes, nid, at, "favourite", account_id, status_id)

    def reblogged(
        self, writes: Writes, nid: int, at: datetime, account_id: int, status_id: int
    ) -> None:
        self._to_author(writes, nid, at, "reblog", account_id, status_id)

    def _to_author(
        self, writes: Writes, nid: int, at: datetime, kind: str, account_id: int, status_id: int
    ) -> None:
        params = {
            "id": nid,
            "type": kind,
            "from": account_id,
            "status": status_id,
            "prefix": f"{kind}-{status_id}",
            **_when(at),
        }
        writes.write(TABLE, NOTIFY_AUTHOR, params)

    def unfavourited(self, writes: Writes, account_id: int, status_id: int) -> None:
        writes.write(
            TABLE, FORGET_ACTION, {"status": status_id, "type": "favourite", "from": account_id}
        )

    def unreblogged(self, writes: Writes, account_id: int, status_id: int) -> None:
        writes.write(
            TABLE, FORGET_ACTION, {"status": status_id, "type": "reblog", "from": account_id}
        )

    def followed(
        self,
        writes: Writes,
        nid: int,
        at: datetime,
        follower_id: int,
        followee_id: int,
        notify: bool,
    ) -> None:
        params = {"id": nid, "from": follower_id, "to": followee_id, "prefix": "follow"}
        writes.write(TABLE, NOTIFY_FOLLOW, {**params, **_when(at)})
        self.subscribe(writes, follower_id, followee_id, notify)

    def unfollowed(self, writes: Writes, follower_id: int, followee_id: int) -> None:
        writes.write(TABLE, FORGET_FOLLOW, (followee_id, follower_id))
        self.subscribe(writes, follower_id, followee_id, False)

    def subscribe(self, writes: Writes, follower_id: int, followee_id: int, notify: bool) -> None:
        """Whether the follower is notified of the followee's statuses (`notify`)."""
        writes.write(TABLE, SUBSCRIBE if notify else UNSUBSCRIBE, (follower_id, followee_id))
        if self._subscribers is not None:
            followers = self._subscribers.setdefault(followee_id, set())
            if notify:
                followers.add(follower_id)
            else:
                followers.discard(follower_id)

    def mentioned(
        self,
        writes: Writes,
        nid: int,
        at: datetime,
        status_id: int,
        author_id: int,
        mentions: list[int],
    ) -> None:
        if any(mentioned != author_id for mentioned in mentions):
            params = {"id": nid, "status": status_id, "mentions": mentions, **_when(at)}
            writes.write(TABLE, NOTIFY_MENTIONS, params)

    def published(
        self, writes: Writes, nid: int, at: datetime, status_id: int, author_id: int
    ) -> None:
        """A status that is no reply to someone else, to its author's subscribers."""
        if self._subscriptions(writes).get(author_id):
            params = {"id": nid, "status": status_id, **_when(at)}
            writes.write(TABLE, NOTIFY_SUBSCRIBERS, params)

    def edited(self, writes: Writes, nid: int, at: datetime, status_id: int) -> None:
        writes.write(TABLE, NOTIFY_REBLOGGERS, {"id": nid, "status": status_id, **_when(at)})

    def poll_ended(self, writes: Writes, nid: int, at: datetime, poll_id: int) -> None:
        writes.write(TABLE, NOTIFY_POLL, {"id": nid, "poll": poll_id, **_when(at)})

    def forget_status(self, writes: Writes, status_id: int) -> None:
        """A deleted status's notifications go with it (its mentions, favourites, reblogs...)."""
        writes.write(TABLE, FORGET_STATUS, (status_id,))

    def dismissed(self, writes: Writes, account_id: int, notification_id: int) -> None:
        writes.write(TABLE, DISMISS, (account_id, notification_id))

    def cleared(self, writes: Writes, account_id: int) -> None:
        writes.write(TABLE, CLEAR, (account_id,))
