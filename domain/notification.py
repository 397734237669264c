"""Notifications: what Mastodon tells an account about others' activity, and the account's own
dismissals.

The notifications themselves are derived from the events that cause them (a favourite, a follow,
a mention...) by the projector (projections/notifications.py): they are read-model rows, not
aggregates. What the account does to them, dismissing one or clearing them all, is recorded
here as events, so a rebuild reproduces it. Neither decides anything (a dismissal of a
notification that is gone removes nothing), so each is an aggregate of one event that is never
loaded: a dismissal is keyed by what it dismisses, a clear by a fresh id.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.ids import derived_uuid

# Mastodon 4.3's Notification::TYPES, in its order: what `types[]` and `exclude_types[]` may name.
TYPES = (
    "mention",
    "status",
    "reblog",
    "follow",
    "follow_request",
    "favourite",
    "poll",
    "update",
    "admin.sign_up",
    "admin.report",
    "severed_relationships",
    "moderation_warning",
)
# The types whose notification carries a status (REST::NotificationSerializer#status_type?).
STATUS_TYPES = frozenset({"favourite", "reblog", "status", "mention", "poll", "update"})
# Notification::GROUPABLE_NOTIFICATION_TYPES (4.3), minus admin.sign_up (never made here).
GROUPABLE_TYPES = ("favourite", "follow", "reblog")
# A group spans at most this many hours from its first notification (MAXIMUM_GROUP_SPAN_HOURS).
MAXIMUM_GROUP_SPAN_HOURS = 12
# Several notifications can come from one event (a status mentioning an account that also asked
# to be notified of its author's statuses): a notification's id is its event's position times
# SLOTS plus the slot of its kind, so ids follow the log and a rebuild gives the same ids.
SLOTS = 4
MENTION_SLOT, STATUS_SLOT, UPDATE_SLOT = 0, 1, 2


def notification_id(position: int, slot: int = 0) -> int:
    """The id of the notification of kind `slot` caused by the event at `position`."""
    return position * SLOTS + slot


class NotificationDismissal(Aggregate):
    """One notification dismissed by its account. One event, never loaded: dismissing the same
    notification again would create it again, which the event store refuses."""

    TOPIC = "tootlog.notification_dismissal"

    class Created(Aggregate.Created):
        TOPIC = "tootlog.notification_dismissal.created.v1"

    @event("Dismissed", topic="tootlog.notification.dismissed.v1")
    def __init__(self, account_id: int, notification_id: int) -> None:
        self.account_id = account_id
        self.notification_id = notification_id

    @staticmethod
    def create_id(account_id: int, notification_id: int) -> UUID:
        return derived_uuid("notification_dismissal", account_id, notification_id)


class NotificationsCleared(Aggregate):
    """Every notification an account had at that moment, dismissed. One event, never loaded;
    `clear_id` is a fresh snowflake, as each clear is a fact of its own."""

    TOPIC = "tootlog.notifications_cleared"

    class Created(Aggregate.Created):
        TOPIC = "tootlog.notifications_cleared.created.v1"

    @event("Cleared", topic="tootlog.notifications.cleared.v1")
    def __init__(self, account_id: int, clear_id: int) -> None:
        self.account_id = account_id
        self.clear_id = clear_id

    @staticmethod
    def create_id(clear_id: int) -> UUID:
        return derived_uuid("notifications_cleared", clear_id)
