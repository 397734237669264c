"""Which events make or take back notifications: the notifications read model's part of the
projection (projections/notifications.py has its statements).

The projector hands every event here before its own handler (projections/projector.py), in the
same batch. The order of the two does not matter to the rows (held rows go out before every
statement queue, and the queues in TABLES order), except where this part flushes the batch:
before a conversation is muted or unmuted, so that the notifications of earlier events are
decided without that mute; and around an edit, whose statements read reblogs and mentions that
later events of the batch change.
"""

from __future__ import annotations

from collections.abc import Callable

from domain.conversation_mute import ConversationMute
from domain.favourite import Favourite
from domain.follow import Follow
from domain.notification import (
    MENTION_SLOT,
    STATUS_SLOT,
    UPDATE_SLOT,
    NotificationDismissal,
    NotificationsCleared,
    notification_id,
)
from domain.poll import Poll
from domain.reblog import Reblog
from domain.status import Status
from projections.notifications import NotificationReadModel
from projections.writes import Writes


class NotificationEvents:
    """Maps each event that concerns notifications to the notifications read model's writes."""

    def __init__(self) -> None:
        self.model = NotificationReadModel()

    def forget(self) -> None:
        """Drop what is remembered (with the projector's memory)."""
        self.model.forget()

    def apply(self, writes: Writes, position: int, event: object) -> None:
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(self, writes, position, event)

    def _published(self, writes: Writes, position: int, event: Status.Published) -> None:
        at = event.timestamp
        mentions = [m["id"] for m in event.mentions]
        nid = notification_id(position, MENTION_SLOT)
        self.model.mentioned(writes, nid, at, event.status_id, event.account_id, mentions)
        if event.in_reply_to_id is None or event.in_reply_to_account_id == event.account_id:
            nid = notification_id(position, STATUS_SLOT)
            self.model.published(writes, nid, at, event.status_id, event.account_id)

    def _edited(self, writes: Writes, position: int, event: Status.Edited) -> None:
        writes.flush()
        at = event.timestamp
        mentions = [m["id"] for m in event.mentions]
        nid = notification_id(position, MENTION_SLOT)
        self.model.mentioned(writes, nid, at, event.status_id, event.account_id, mentions)
        self.model.edited(writes, notification_id(position, UPDATE_SLOT), at, event.status_id)
        writes.flush()

    def _deleted(self, writes: Writes, position: int, event: Status.Deleted) -> None:
        self.model.forget_status(writes, event.status_id)

    def _reblogged(self, writes: Writes, position: int, event: Reblog.Reblogged) -> None:
        nid = notification_id(position)
        self.model.reblogged(
            writes, nid, event.timestamp, event.account_id, event.original_status_id
        )

    def _unreblogged(self, writes: Writes, position: int, event: Reblog.Unreblogged) -> None:
        self.model.unreblogged(writes, event.account_id, event.original_status_id)

    def _favourited(self, writes: Writes, position: int, event: Favourite.Favourited) -> None:
        nid = notification_id(position)
        self.model.favourited(writes, nid, event.timestamp, event.account_id, event.status_id)

    def _unfavourited(self, writes: Writes, position: int, event: Favourite.Unfavourited) -> None:
        self.model.unfavourited(writes, event.account_id, event.status_id)

    def _muted(self, writes: Writes, position: int, event: object) -> None:
        writes.flush()  # ConversationMute.Muted and .Unmuted

    def _followed(self, writes: Writes, position: int, event: Follow.Followed) -> None:
        self.model.followed(
            writes,
            notification_id(position),
            event.timestamp,
            event.follower_id,
            event.followee_id,
            event.notify,
        )

    def _notify_changed(self, writes: Writes, position: int, event: Follow.NotifyChanged) -> None:
        self.model.subscribe(writes, event.follower_id, event.followee_id, event.notify)

    def _unfollowed(self, writes: Writes, position: int, event: Follow.Unfollowed) -> None:
        self.model.unfollowed(writes, event.follower_id, event.followee_id)

    def _poll_ended(self, writes: Writes, position: int, event: Poll.Expired) -> None:
        self.model.poll_ended(writes, notification_id(position), event.timestamp, event.poll_id)

    def _dismissed(
        self, writes: Writes, position: int, event: NotificationDismissal.Dismissed
    ) -> None:
        self.model.dismissed(writes, event.account_id, event.notification_id)

    def _cleared(self, writes: Writes, position: int, event: NotificationsCleared.Cleared) -> None:
        self.model.cleared(writes, event.account_id)

    _handlers: dict[type, Callable] = {
        Status.Published: _published,
        Status.Edited: _edited,
        Status.Deleted: _deleted,
        Reblog.Reblogged: _reblogged,
        Reblog.Unreblogged: _unreblogged,
        Favourite.Favourited: _favourited,
        Favourite.Unfavourited: _unfavourited,
        ConversationMute.Muted: _muted,
        ConversationMute.Unmuted: _muted,
        Follow.Followed: _followed,
        Follow.NotifyChanged: _notify_changed,
        Follow.Unfollowed: _unfollowed,
        Poll.Expired: _poll_ended,
        NotificationDismissal.Dismissed: _dismissed,
        NotificationsCleared.Cleared: _cleared,
    }
