"""The write model: one eventsourcing Application on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from eventsourcing.application import AggregateNotFoundError, Application, Recording
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Transcoder
from psycopg.conninfo import conninfo_to_dict

from commands.group_commit import GroupCommitter
from domain.codec import make_transcoder
from domain.errors import Conflict

APP_NAME = "tootlog"
# A command that loses an optimistic-concurrency race reloads and decides again, this many times.
MAX_ATTEMPTS = 8

T = TypeVar("T")


def event_store_env(database_url: str, pool_size: int = 8) -> dict[str, str]:
    """The library's settings for a libpq URL (it takes no URL of its own)."""
    parts = conninfo_to_dict(database_url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": str(parts.get("dbname") or parts.get("user") or "postgres"),
        "POSTGRES_HOST": str(parts.get("host") or "localhost"),
        "POSTGRES_PORT": str(parts.get("port") or "5432"),
        "POSTGRES_USER": str(parts.get("user") or "postgres"),
        "POSTGRES_PASSWORD": str(parts.get("password") or ""),
        "POSTGRES_POOL_SIZE": str(pool_size),
        "POSTGRES_MAX_OVERFLOW": str(pool_size),
        "POSTGRES_CONNECT_TIMEOUT": "10",
        "POSTGRES_LOCK_TIMEOUT": "5",
        "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "10",
        "CREATE_TABLE": "y",
        "APPLICATION_RECORDER_TOPIC": "commands.event_store:EventRecorder",
    }


class TootlogApplication(Application):
    """The event store (table `tootlog_events`) and the repository of aggregates."""

    name = APP_NAME

    def __init__(
        self,
        database_url: str,
        pool_size: int = 8,
        group_commit: bool = False,
        on_recorded: Callable[[list[Recording]], None] | None = None,
    ) -> None:
        super().__init__(env=event_store_env(database_url, pool_size))
        self._committer = GroupCommitter(self._store) if group_commit else None
        # Told what each save stored (the API counts appended events by topic).
        self._on_recorded = on_recorded

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording]:
        """Save all pending events of `objs` in one transaction (shared with other callers'
        saves when group commit is on)."""
        if self._committer is None or kwargs:
            recordings = super().save(*objs, **kwargs)
        else:
            events = [e for obj in objs if obj is not None for e in obj.collect_events()]
            recordings = self._committer.save(events) if events else []
        if self._on_recorded is not None:
            self._on_recorded(recordings)
        return recordings

    def _store(self, events: list) -> list[Recording]:
        """Store events in one transaction (the group committer's unit of work)."""
        if self.snapshots is not None:
            return super().save(*events)
        # Straight to the event store: Application.save adds nothing else this application
        # uses, and its runtime protocol check of every event is slow.
        return self.events.put(events)

    def close(self) -> None:
        if self._committer is not None:
            self._committer.close()
        super().close()

    def construct_transcoder(self) -> Transcoder:
        return make_transcoder()

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        """Done by make_transcoder, shared with the projections."""

    def get_or_none(self, aggregate_id, aggregate_type: type[T]) -> T | None:  # noqa: ANN001
        """The aggregate, or None when it was never created."""
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        if not isinstance(aggregate, aggregate_type):
            raise TypeError(f"{aggregate_id} is a {type(aggregate).__name__}")
        return aggregate

    def last_position(self) -> int:
        """The notification id of the newest committed event (0 for an empty store)."""
        return self.recorder.max_notification_id() or 0


def retrying(attempt: Callable[[], T]) -> T:
    """Run a command, deciding again after each lost optimistic-concurrency race.

    Losing every attempt is a Conflict (503, retry is safe), never an unhandled error.
    """
    for _ in range(MAX_ATTEMPTS):
        try:
            return attempt()
        except IntegrityError:
            continue
    raise Conflict
