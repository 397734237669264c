"""Reading the log back: the events that match an auditor's filters, oldest first, a page at a
time (constant memory however long the log).

`--status` and `--account` read the event index (projections.event_index) up to the position the
projection has reached, and the few events after it directly, so they never scan the whole log.
The index is a read model: its positions are read first (in the read models' database, which may
be another than the event store's), then the events at them.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import psycopg
from eventsourcing.persistence import Mapper, Notification
from psycopg.rows import tuple_row

from domain.codec import make_mapper
from projections.event_index import ACTOR, STATUS, subjects
from projections.positions import live_position
from projections.schema import EVENTS_TABLE

PAGE = 1000


@dataclass(frozen=True)
class Filters:
    """Every filter is optional; together they narrow (AND)."""

    status_id: int | None = None
    account_id: int | None = None
    since: datetime | None = None  # recorded at or after
    until: datetime | None = None  # recorded at or before
    first: int | None = None  # positions from (inclusive)
    last: int | None = None  # positions to (inclusive)
    topic: str | None = None  # a glob over the topic, with or without its "tootlog." prefix

    def wanted(self, event: object) -> bool:
        """The check the SQL cannot make: the time the event was recorded."""
        moment = event.timestamp  # type: ignore[attr-defined]
        if self.since is not None and moment < self.since:
            return False
        return self.until is None or moment <= self.until

    def concerns(self, event: object) -> bool:
        """For events not indexed yet: whether they name the status and account wanted."""
        return all(
            subject is None or (kind, subject) in set(subjects(event))
            for kind, subject in ((STATUS, self.status_id), (ACTOR, self.account_id))
        )


@dataclass(frozen=True)
class Recorded:
    """One stored event, decoded."""

    stored: Notification
    event: object

    @property
    def position(self) -> int:
        return self.stored.id

    @classmethod
    def from_row(cls, mapper: Mapper, row: tuple) -> Recorded:
        """From (notification_id, originator_id, originator_version, topic, state)."""
        stored = Notification(
            id=row[0],
            originator_id=row[1],
            originator_version=row[2],
            topic=row[3],
            state=bytes(row[4]),
        )
        return cls(stored, mapper.to_domain_event(stored))


# The columns Recorded.from_row reads.
EVENT_COLUMNS = "notification_id, originator_id, originator_version, topic, state"
# A page of the log in position order, for the projection: rows of EVENT_COLUMNS.
EVENTS_AFTER = (
    f"SELECT {EVENT_COLUMNS} FROM {EVENTS_TABLE}"
    " WHERE notification_id > %s AND notification_id <= %s ORDER BY notification_id LIMIT %s"
)
NO_STOP = (1 << 63) - 1


def events_after(
    conn: psycopg.Connection, after: int, limit: int, stop: int | None = None
) -> list[tuple]:
    """Up to `limit` stored events after position `after` (up to `stop`, if given), as rows of
    EVENT_COLUMNS, read in binary (the state as bytes, no hex) and as plain tuples."""
    with conn.cursor(binary=True, row_factory=tuple_row) as curs:
        curs.execute(EVENTS_AFTER, (after, NO_STOP if stop is None else stop, limit), prepare=True)
        return curs.fetchall()


def topic_pattern(glob: str) -> str:
    """A PostgreSQL regular expression for a topic glob (`*` any run, `?` one character)."""
    body = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in glob
    )
    return f"^(tootlog\\.)?{body}$"


def recorded_events(
    database_url: str, filters: Filters, read_model_url: str | None = None
) -> Iterator[Recorded]:
    """The events that match `filters`, oldest first (the event index read in `read_model_url`
    when the read models have a database of their own)."""
    mapper = make_mapper()
    with contextlib.ExitStack() as stack:
        conn = stack.enter_context(psycopg.connect(database_url, autocommit=True))
        start = (filters.first or 1) - 1
        stop = filters.last
        if filters.status_id is not None or filters.account_id is not None:
            index = conn
            if read_model_url not in (None, database_url):
                index = stack.enter_context(psycopg.connect(read_model_url, autocommit=True))
            indexed = live_position(index)  # how far the event index (a read model) reaches
            upto = indexed if stop is None else min(stop, indexed)
            rows = _indexed_rows(index, conn, filters, start, upto)
            start = max(start, indexed)
        else:
            rows = iter(())
        for row in rows:
            record = Recorded.from_row(mapper, row)
            if filters.wanted(record.event):
                yield record
        for row in _rows(conn, filters, start, stop):
            record = Recorded.from_row(mapper, row)
            if filters.wanted(record.event) and filters.concerns(record.event):
                yield record


def _rows(
    conn: psycopg.Connection, filters: Filters, after: int, stop: int | None
) -> Iterator[tuple]:
    """Every event after `after` (up to `stop`), a page at a time."""
    topic = "" if filters.topic is None else " AND topic ~ %(topic)s"
    upto = "" if stop is None else " AND notification_id <= %(stop)s"
    query = (
        f"SELECT {EVENT_COLUMNS} FROM {EVENTS_TABLE} WHERE notification_id > %(after)s{upto}{topic}"
        " ORDER BY notification_id LIMIT %(page)s"
    )
    params = {"stop": stop, "page": PAGE}
    if filters.topic is not None:
        params["topic"] = topic_pattern(filters.topic)
    for page in _pages(conn, query, params, after):
        yield from page


def _indexed_rows(
    index: psycopg.Connection,
    events: psycopg.Connection,
    filters: Filters,
    after: int,
    upto: int,
) -> Iterator[tuple]:
    """The indexed events of a status and/or an account after `after` up to `upto`: the first
    subject drives an index range scan, the other (if any) is one index probe per row. A page of
    positions is read from the index (on `index`), then the events at them (on `events`)."""
    wanted = [
        (kind, subject)
        for kind, subject in ((STATUS, filters.status_id), (ACTOR, filters.account_id))
        if subject is not None
    ]
    (kind, subject), *others = wanted
    params: dict = {"kind": kind, "subject": subject, "stop": upto, "page": PAGE}
    probes = ""
    for number, (other_kind, other_subject) in enumerate(others):
        params[f"kind{number}"], params[f"subject{number}"] = other_kind, other_subject
        probes += (
            " AND EXISTS (SELECT 1 FROM tootlog_event_index x WHERE x.position = i.position"
            f" AND x.kind = %(kind{number})s AND x.subject = %(subject{number})s)"
        )
    query = (
        "SELECT i.position FROM tootlog_event_index i"
        " WHERE i.kind = %(kind)s AND i.subject = %(subject)s"
        f" AND i.position > %(after)s AND i.position <= %(stop)s{probes}"
        " ORDER BY i.position LIMIT %(page)s"
    )
    topic = "" if filters.topic is None else " AND topic ~ %(topic)s"
    at_positions = (
        f"SELECT {EVENT_COLUMNS} FROM {EVENTS_TABLE} WHERE notification_id = ANY(%(positions)s)"
        f"{topic} ORDER BY notification_id"
    )
    pattern = None if filters.topic is None else topic_pattern(filters.topic)
    for page in _pages(index, query, params, after):
        if page:
            positions = [row[0] for row in page]
            yield from events.execute(at_positions, {"positions": positions, "topic": pattern})


def _pages(conn: psycopg.Connection, query: str, params: dict, after: int) -> Iterator[list]:
    """The rows of `query` a page at a time, each page after the first column of the last row
    of the one before."""
    while True:
        rows = conn.execute(query, {**params, "after": after}).fetchall()
        yield rows
        if len(rows) < PAGE:
            return
        after = rows[-1][0]


def first_events(conn: psycopg.Connection, originator_ids: list) -> list[Recorded]:
    """The first event (version 1) of each of these aggregates that exists."""
    if not originator_ids:
        return []
    rows = conn.execute(
        f"SELECT {EVENT_COLUMNS} FROM {EVENTS_TABLE}"
        " WHERE originator_id = ANY(%s) AND originator_version = 1",
        (list(originator_ids),),
    ).fetchall()
    mapper = make_mapper()
    return [Recorded.from_row(mapper, row) for row in rows]


def events_at(conn: psycopg.Connection, positions: list[int]) -> list[Recorded]:
    """The events at these positions, in log order."""
    if not positions:
        return []
    rows = conn.execute(
        f"SELECT {EVENT_COLUMNS} FROM {EVENTS_TABLE} WHERE notification_id = ANY(%s)"
        " ORDER BY notification_id",
        (list(positions),),
    ).fetchall()
    mapper = make_mapper()
    return [Recorded.from_row(mapper, row) for row in rows]
