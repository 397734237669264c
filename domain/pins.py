"""Pins: one Pins aggregate per account, holding its pinned status ids in pin order.

The limit and the no-duplicates rule need every pin of the account at once, so the account's pins
are one aggregate: two concurrent pins race on its version and the loser retries against the
winner's state.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DuplicateRecord, ValidationFailed
from domain.ids import derived_uuid

MAX_PINNED_STATUSES = 5


class Pins(Aggregate):
    """The statuses an account has pinned, oldest first."""

    TOPIC = "tootlog.pins"

    class Created(Aggregate.Created):
        TOPIC = "tootlog.pins.created.v1"

    @event("Opened", topic="tootlog.pins.opened.v1")
    def __init__(self, account_id: int) -> None:
        self.account_id = account_id
        self.status_ids: list[int] = []

    @staticmethod
    def create_id(account_id: int) -> UUID:
        return derived_uuid("pins", account_id)

    def pin(self, status_id: int, *, author_id: int, visibility: str, is_reblog: bool) -> None:
        """§6.12: pin a status, or raise every failing rule in one 422, in Mastodon's order."""
        problems = []
        if is_reblog:
            problems.append("A boost cannot be pinned")
        if author_id != self.account_id:
            problems.append("Someone else's post cannot be pinned")
        if visibility == "direct":
            problems.append("Posts that are only visible to mentioned users cannot be pinned")
        if len(self.status_ids) >= MAX_PINNED_STATUSES:
            problems.append("You have already pinned the maximum number of posts")
        if problems:
            raise ValidationFailed(*problems)
        # Mastodon finds duplicates only at its unique index, after the validator: with five
        # pins the limit message wins.
        if status_id in self.status_ids:
            raise DuplicateRecord
        self._pinned(account_id=self.account_id, status_id=status_id)

    def unpin(self, status_id: int) -> bool:
        """Remove a pin; False (and no event) when the status is not pinned."""
        if status_id not in self.status_ids:
            return False
        self._unpinned(account_id=self.account_id, status_id=status_id)
        return True

    def is_pinned(self, status_id: int) -> bool:
        """Whether the status is among this account's pins."""
        return status_id in self.status_ids

    @event("Pinned", topic="tootlog.pins.pinned.v1")
    def _pinned(self, account_id: int, status_id: int) -> None:
        self.status_ids.append(status_id)

    @event("Unpinned", topic="tootlog.pins.unpinned.v1")
    def _unpinned(self, account_id: int, status_id: int) -> None:
        self.status_ids.remove(status_id)
