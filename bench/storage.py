"""What a store takes on disk: the event store and the read models, and both per million
statuses (the home_timeline scenario's store: --home-statuses statuses by 2,000 authors, 1,000
follows, short texts with a hashtag)."""

from __future__ import annotations

from dataclasses import dataclass

from bench import postgres

MB = 1024 * 1024
# Every table tootlog keeps, with its indexes and TOAST; the event store is the one table of events.
SIZES = (
    "SELECT c.relname = 'tootlog_events', sum(pg_total_relation_size(c.oid))"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'tootlog%%'"
    " GROUP BY 1"
)
COUNTS = (
    "SELECT (SELECT count(*) FROM tootlog_statuses),"
    " (SELECT coalesce(max(notification_id), 0) FROM tootlog_events)"
)


@dataclass(frozen=True)
class Storage:
    statuses: int
    events: int
    event_store_bytes: int
    read_model_bytes: int

    def per_million_statuses(self, size: int) -> float:
        return size / MB / self.statuses * 1_000_000 if self.statuses else 0.0

    def render(self) -> str:
        total = self.event_store_bytes + self.read_model_bytes
        return (
            f"storage: {self.statuses:,} statuses ({self.events:,} events):"
            f" event store {self.event_store_bytes / MB:,.0f} MB,"
            f" read models {self.read_model_bytes / MB:,.0f} MB;"
            f" per million statuses {self.per_million_statuses(self.event_store_bytes):,.0f} MB"
            f" + {self.per_million_statuses(self.read_model_bytes):,.0f} MB"
            f" = {self.per_million_statuses(total):,.0f} MB"
        )


def measure(database_url: str) -> Storage:
    sizes = dict(postgres.fetch_all(database_url, SIZES, ()))
    statuses, events = postgres.fetch_all(database_url, COUNTS, ())[0]
    return Storage(
        statuses=int(statuses),
        events=int(events),
        event_store_bytes=int(sizes.get(True, 0)),
        read_model_bytes=int(sizes.get(False, 0)),
    )
