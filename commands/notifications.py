"""Use cases on the caller's own notifications: dismiss one, clear them all
(POST /api/v1/notifications/:id/dismiss, /clear). Each records one event, which the projector
applies to the notifications read model; nothing is loaded."""

from __future__ import annotations

from eventsourcing.persistence import IntegrityError

from commands.accounts import Written
from commands.app import TootlogApplication, retrying
from domain.ids import snowflakes
from domain.notification import NotificationDismissal, NotificationsCleared


def dismiss(app: TootlogApplication, *, account_id: int, notification_id: int) -> Written:
    """Dismiss one of the caller's notifications (the route checks that it exists). Dismissed
    already (a concurrent request): nothing more to record."""
    try:
        recordings = app.save(
            NotificationDismissal(account_id=account_id, notification_id=notification_id)
        )
    except IntegrityError:
        return Written(account_id, app.last_position())
    return Written(account_id, recordings[-1].notification.id)


def dismiss_all(
    app: TootlogApplication, *, account_id: int, notification_ids: list[int]
) -> Written:
    """Dismiss several of the caller's notifications together (a group,
    POST /api/v2/notifications/:group_key/dismiss); those dismissed meanwhile are skipped."""
    try:
        dismissals = [
            NotificationDismissal(account_id=account_id, notification_id=notification_id)
            for notification_id in notification_ids
        ]
        if dismissals:
            return Written(account_id, app.save(*dismissals)[-1].notification.id)
    except IntegrityError:  # one was dismissed meanwhile: the others one by one
        for notification_id in notification_ids:
            dismiss(app, account_id=account_id, notification_id=notification_id)
    return Written(account_id, app.last_position())


def clear(app: TootlogApplication, *, account_id: int) -> Written:
    """Dismiss every notification the caller has now."""

    def attempt() -> Written:  # a new id on the (unlikely) snowflake collision
        cleared = NotificationsCleared(account_id=account_id, clear_id=snowflakes.next_id())
        return Written(account_id, app.save(cleared)[-1].notification.id)

    return retrying(attempt)
