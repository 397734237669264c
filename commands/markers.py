"""Use case: save where an account stopped reading (`POST /api/v1/markers`)."""

from __future__ import annotations

from datetime import UTC, datetime

from eventsourcing.domain import Aggregate

from commands.accounts import Written
from commands.app import TootlogApplication, retrying
from domain.ids import format_datetime
from domain.marker import Marker


def set_markers(app: TootlogApplication, *, account_id: int, positions: dict[str, int]) -> Written:
    """Move each named timeline's marker (creating it the first time), all in one transaction.

    Two devices saving at once both succeed, one after the other: Mastodon answers the loser 409
    (its optimistic lock); here the event store's version check makes the loser decide again.
    """

    def attempt() -> Written:
        now = format_datetime(datetime.now(UTC))
        changed: list[Aggregate] = []
        for timeline, last_read_id in positions.items():
            marker = app.get_or_none(Marker.create_id(account_id, timeline), Marker)
            if marker is None:
                changed.append(
                    Marker(
                        account_id=account_id,
                        timeline=timeline,
                        last_read_id=last_read_id,
                        updated_at=now,
                    )
                )
            elif marker.move(last_read_id, now):
                changed.append(marker)
        if not changed:
            return Written(account_id, app.last_position())
        recordings = app.save(*changed)
        return Written(account_id, recordings[-1].notification.id)

    return retrying(attempt)
