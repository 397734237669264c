"""A status as it was at a given moment, computed from the events alone.

The events that shaped its answer (its own history, its author's, and the registration of every
account those events name), recorded up to that moment, are projected into a scratch schema by
the same projector as the live read models, and the status is read from there by the same query
that answers `GET /api/v1/statuses/:id`. Today's read models are never read.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg_pool import AsyncConnectionPool

from domain.account import Account
from domain.reblog import Reblog
from domain.status import Status
from domain.urls import Urls
from projections.errors import UnknownStatus
from projections.event_index import OBJECT
from projections.history import Filters, Recorded, events_at, first_events, recorded_events
from projections.queries import Queries
from projections.rebuild import Copy, check_urls, drop_schema
from projections.schema import LIVE_SCHEMA

ACCOUNT_FIELDS = ("account_id", "follower_id", "followee_id")


@dataclass(frozen=True)
class AsOf:
    """What an anonymous `GET /api/v1/statuses/:id` would have answered at `moment`."""

    moment: datetime
    published_at: datetime
    deleted_at: datetime | None  # when deleted at or before the moment
    json: str | None  # the answer; None when it did not exist yet, was deleted, or was hidden
    visibility: str

    @property
    def existed(self) -> bool:
        return self.published_at <= self.moment


def status_as_of(
    database_url: str,
    urls: Urls,
    status_id: int,
    moment: datetime,
    read_model_url: str | None = None,
) -> AsOf:
    """The status at `moment`; the event index and the scratch schema are in the read models'
    database (`read_model_url` when it is not the event store's)."""
    read_model_url = read_model_url or database_url
    check_urls(database_url, urls, read_model_url)
    history = list(recorded_events(database_url, Filters(status_id=status_id), read_model_url))
    birth = next((r for r in history if _creates(r.event, status_id)), None)
    if birth is None:
        raise UnknownStatus(f"no status with id {status_id} was ever recorded")
    published_at = birth.event.timestamp  # type: ignore[attr-defined]
    visibility = birth.event.visibility  # type: ignore[attr-defined]
    if published_at > moment:
        return AsOf(moment, published_at, None, None, visibility)
    death = next(
        (r for r in history if _removes(r.event, status_id) and r.event.timestamp <= moment),
        None,
    )
    if death is not None:
        return AsOf(moment, published_at, death.event.timestamp, None, visibility)
    author = birth.event.account_id  # type: ignore[attr-defined]
    events = _shaping_events(database_url, read_model_url, history, author, moment)
    json = _render(database_url, read_model_url, urls, events, status_id)
    return AsOf(moment, published_at, None, json, visibility)


def _creates(event: object, status_id: int) -> bool:
    if isinstance(event, Status.Published):
        return event.status_id == status_id
    return isinstance(event, Reblog.Reblogged) and event.wrapper_status_id == status_id


def _removes(event: object, status_id: int) -> bool:
    if isinstance(event, Status.Deleted):
        return event.status_id == status_id
    return isinstance(event, Reblog.Unreblogged) and event.wrapper_status_id == status_id


def _shaping_events(
    database_url: str,
    read_model_url: str,
    history: list[Recorded],
    author: int,
    moment: datetime,
) -> list[Recorded]:
    """The status's own events, its author's (as actor and as object of follows), and the
    registrations of every account they name, up to `moment`, in log order."""
    by_position = {r.position: r for r in history}
    until = Filters(until=moment)
    authored = Filters(account_id=author, until=moment)
    for record in recorded_events(database_url, authored, read_model_url):
        by_position[record.position] = record
    with psycopg.connect(read_model_url, autocommit=True) as index:
        objects = _positions(index, OBJECT, author)
    with psycopg.connect(database_url, autocommit=True) as conn:
        missing = [p for p in objects if p not in by_position]
        for record in events_at(conn, missing):
            by_position[record.position] = record
        kept = [r for r in by_position.values() if until.wanted(r.event)]
        named = {
            value
            for record in kept
            for value in (getattr(record.event, name, None) for name in ACCOUNT_FIELDS)
            if type(value) is int
        }
        registrations = first_events(conn, [Account.create_id(account_id) for account_id in named])
        for record in registrations:
            by_position[record.position] = record
            kept.append(record)
    return sorted({r.position: r for r in kept}.values(), key=lambda r: r.position)


def _positions(conn: psycopg.Connection, kind: int, subject: int) -> list[int]:
    rows = conn.execute(
        "SELECT position FROM tootlog_event_index WHERE kind = %s AND subject = %s",
        (kind, subject),
    ).fetchall()
    return [row[0] for row in rows]


def _render(
    database_url: str, read_model_url: str, urls: Urls, events: list[Recorded], status_id: int
) -> str | None:
    schema = f"tootlog_asof_{uuid.uuid4().hex[:12]}"
    copy = Copy(database_url, urls, schema, len(events) or 1, read_model_url)
    try:
        copy.open(resume=False)
        worker = copy.worker
        assert worker is not None
        if events:
            with worker.view.batch(0, events[-1].position) as curs:
                worker.projector.apply_events(curs, [(r.position, r.event) for r in events])
        return asyncio.run(_read(read_model_url, schema, status_id))
    finally:
        copy.close()
        with psycopg.connect(read_model_url, autocommit=True) as conn:
            drop_schema(conn, schema)


async def _read(read_model_url: str, schema: str, status_id: int) -> str | None:
    options = f"-c search_path={schema},{LIVE_SCHEMA}"
    async with AsyncConnectionPool(
        read_model_url,
        min_size=1,
        max_size=1,
        kwargs={"autocommit": True, "options": options},
        open=False,
    ) as pool:
        return await Queries(pool).status(status_id, None)
