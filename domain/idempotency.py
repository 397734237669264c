"""Idempotency-Key: one status per (account, key) within the retention window."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.ids import derived_uuid


class IdempotencyKey(Aggregate):
    """Index aggregate saved in the same transaction as the status it names.

    Two requests racing with one key both try to create (or extend) this aggregate at the same
    version; the event store lets exactly one of them commit.
    """

    TOPIC = "tootlog.idempotency_key"

    class Created(Aggregate.Created):
        TOPIC = "tootlog.idempotency_key.created.v1"

    @event("Used", topic="tootlog.idempotency_key.used.v1")
    def __init__(self, account_id: int, key: str, status_id: int, used_at: float) -> None:
        self.account_id = account_id
        self.key = key
        self.status_id = status_id
        self.used_at = used_at

    @staticmethod
    def create_id(account_id: int, key: str) -> UUID:
        return derived_uuid("idempotency", account_id, key)

    @event("Reused", topic="tootlog.idempotency_key.reused.v1")
    def use_again(self, status_id: int, used_at: float) -> None:
        """The key had expired; it now names a new status."""
        self.status_id = status_id
        self.used_at = used_at

    def live_status_id(self, now: float, retention: float) -> int | None:
        """The status this key still names, or None once it has expired."""
        return self.status_id if now - self.used_at < retention else None
