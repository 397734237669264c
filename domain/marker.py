"""Markers: where an account stopped reading its home timeline and its notifications, kept in
step across its devices (Mastodon's Marker). One aggregate per (account, timeline); its version
is the marker's `version`, as Mastodon's lock_version."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.ids import derived_uuid

TIMELINES = ("home", "notifications")


class Marker(Aggregate):
    """The last read id of one timeline of one account."""

    TOPIC = "tootlog.marker"

    class Created(Aggregate.Created):
        TOPIC = "tootlog.marker.created.v1"

    @event("Set", topic="tootlog.marker.set.v1")
    def __init__(self, account_id: int, timeline: str, last_read_id: int, updated_at: str) -> None:
        self.account_id = account_id
        self.timeline = timeline
        self.last_read_id = last_read_id
        self.updated_at = updated_at

    @staticmethod
    def create_id(account_id: int, timeline: str) -> UUID:
        return derived_uuid("marker", account_id, timeline)

    def move(self, last_read_id: int, updated_at: str) -> bool:
        """Set the last read id; False (and no event, the version unchanged) when it is the
        same, as Rails saves nothing then."""
        if last_read_id == self.last_read_id:
            return False
        self._moved(
            account_id=self.account_id,
            timeline=self.timeline,
            last_read_id=last_read_id,
            updated_at=updated_at,
        )
        return True

    @event("Moved", topic="tootlog.marker.moved.v1")
    def _moved(self, account_id: int, timeline: str, last_read_id: int, updated_at: str) -> None:
        self.last_read_id = last_read_id
        self.updated_at = updated_at
