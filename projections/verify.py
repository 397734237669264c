"""Proving the live read models right: replay the log into a scratch copy up to the live models'
position and compare the two, table by table and row by row.

The comparison reads both at the same position while the server goes on writing: the live
projection is held between two batches only while the copy applies the last few events and a
repeatable-read snapshot is taken; the rows are compared inside that snapshot.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from domain.urls import Urls
from projections.errors import Busy
from projections.positions import live_feed_position, live_position
from projections.rebuild import (
    Copy,
    Progress,
    check_urls,
    drop_schema,
    exclusive,
)
from projections.schema import BATCH_SIZE, LIVE_SCHEMA, READ_MODEL_TABLES, SWITCH_LOCK_KEY
from projections.tables import primary_key

# How many times (0.1 s apart) verify looks for the home feeds level with the other read models.
FEEDS_CATCH_UP_CHECKS = 50

VERIFY_SCHEMA = "tootlog_verify"
# Columns whose values are not facts of the log (a sequence's numbering, which rolled-back
# batches leave gaps in) and the natural key that identifies their rows instead.
SURROGATES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "tootlog_pins": (("id",), ("account_id", "status_id")),
    # No primary key (it would be updated row by row); each row is its own key.
    "tootlog_event_index": ((), ("kind", "subject", "position")),
}


@dataclass(frozen=True)
class Difference:
    table: str
    key: str  # e.g. "id=123" or "account_id=1, status_id=2"
    column: str  # a column name, or "(row)" for a row only one side has
    live: object
    replayed: object


@dataclass
class TableSummary:
    table: str
    live_rows: int
    replayed_rows: int
    differing_rows: int


@dataclass
class Report:
    position: int
    tables: list[TableSummary] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)  # the first ones

    @property
    def equal(self) -> bool:
        return all(t.differing_rows == 0 for t in self.tables)


def verify(
    database_url: str,
    urls: Urls,
    *,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
    show: int = 20,
    read_model_url: str | None = None,
) -> Report:
    """Replay the log into a scratch copy and compare it with the live read models (both in the
    read models' database, `read_model_url` when it is not the event store's)."""
    read_model_url = read_model_url or database_url
    with exclusive(read_model_url, "verify") as conn:
        check_urls(database_url, urls, read_model_url)
        copy = Copy(database_url, urls, VERIFY_SCHEMA, batch_size, read_model_url)
        try:
            copy.open(resume=False)
            copy.catch_up(live_position(conn), progress)
            with psycopg.connect(read_model_url) as snapshot:
                position = _same_position(conn, snapshot, copy, progress)
                report = Report(position)
                for table in READ_MODEL_TABLES:
                    summary, first = _compare(snapshot, table, show - len(report.differences))
                    report.tables.append(summary)
                    report.differences.extend(first)
                snapshot.rollback()
        finally:
            copy.close()
            drop_schema(conn, VERIFY_SCHEMA)
        return report


class FeedsBehind(Busy):
    """The live home feeds have not reached the live read models' position."""


def _same_position(
    conn: psycopg.Connection, snapshot: psycopg.Connection, copy: Copy, progress: Progress | None
) -> int:
    """Bring the copy to the live position and open, on `snapshot`, a view of both there."""
    for _ in range(FEEDS_CATCH_UP_CHECKS):
        conn.execute("SELECT pg_advisory_lock(%s)", (SWITCH_LOCK_KEY,))
        position = live_position(conn)  # no live batch can move it while we hold the lock
        if live_feed_position(conn) == position:
            break
        # The home feeds lag only after a crash between a batch's two commits, until the
        # worker catches them up.
        conn.execute("SELECT pg_advisory_unlock(%s)", (SWITCH_LOCK_KEY,))
        time.sleep(0.1)
    else:
        raise FeedsBehind(
            "the home feeds are behind the other read models (the projection worker is catching"
            " them up after a crash, or is not running): run verify again once it has"
        )
    try:
        copy.catch_up(position, progress)
        snapshot.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        seen = live_position(snapshot)  # the transaction, and its snapshot, start here
        assert seen == position == copy.position, (seen, position, copy.position)
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (SWITCH_LOCK_KEY,))
    return position


def _key_columns(conn: psycopg.Connection, table: str) -> tuple[str, ...]:
    if table in SURROGATES:
        return SURROGATES[table][1]
    return primary_key(conn, table)


def _compare(
    conn: psycopg.Connection, table: str, show: int
) -> tuple[TableSummary, list[Difference]]:
    keys = _key_columns(conn, table)
    ignored = list(SURROGATES.get(table, ((), ()))[0])
    live = sql.SQL("{}.{}").format(sql.Identifier(LIVE_SCHEMA), sql.Identifier(table))
    replayed = sql.SQL("{}.{}").format(sql.Identifier(VERIFY_SCHEMA), sql.Identifier(table))
    on = sql.SQL(" AND ").join(sql.SQL("l.{0} = r.{0}").format(sql.Identifier(key)) for key in keys)
    query = sql.SQL(
        "SELECT live, replayed FROM (SELECT to_jsonb(l) - %(ignored)s::text[] AS live,"
        " to_jsonb(r) - %(ignored)s::text[] AS replayed"
        " FROM {live} l FULL JOIN {replayed} r ON {on}) AS pairs"
        " WHERE live IS DISTINCT FROM replayed"
    ).format(live=live, replayed=replayed, on=on)
    differing = 0
    first: list[Difference] = []
    with conn.cursor(name=f"compare_{table}") as cursor:
        cursor.execute(query, {"ignored": ignored})
        for live_row, replayed_row in cursor:
            differing += 1
            if len(first) < show:
                first.extend(_row_differences(table, keys, live_row, replayed_row))
    counts = conn.execute(
        sql.SQL("SELECT (SELECT count(*) FROM {}), (SELECT count(*) FROM {})").format(
            live, replayed
        )
    ).fetchone()
    return TableSummary(table, counts[0], counts[1], differing), first[: max(show, 0)]


def _row_differences(
    table: str, keys: tuple[str, ...], live: dict | None, replayed: dict | None
) -> Iterator[Difference]:
    either = live if live is not None else replayed
    key = ", ".join(f"{name}={either[name]}" for name in keys)
    if live is None:
        yield Difference(table, key, "(row)", "missing", "present")
        return
    if replayed is None:
        yield Difference(table, key, "(row)", "present", "missing")
        return
    for column in live.keys() | replayed.keys():
        if live.get(column) != replayed.get(column):
            yield Difference(table, key, column, live.get(column), replayed.get(column))
