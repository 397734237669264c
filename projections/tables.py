"""The read models' tables as a whole: creating them (with or without the indexes only reads use),
dropping those of an older READ_MODEL_VERSION, the public address they were built for, and their
tracking position. Their rows are written by ReadModel (projections.readmodel)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg import Connection, Cursor

from projections.read_indexes import READ_INDEXES
from projections.schema import (
    DDL,
    FEED_APPLICATION,
    JSON_DATE_FUNCTION,
    LIVE_SCHEMA,
    READ_MODEL_TABLES,
    READ_MODEL_VERSION,
    SCHEMA_LOCK_KEY,
    TRACKED_APPLICATION,
    TRACKED_APPLICATIONS,
    TRACKING_TABLE,
    VERSION_TABLE,
)

log = logging.getLogger("tootlog.projection")

# The tables a projection batch's statements search (rather than only add to).
SEARCHED_BY_BATCHES = (
    "tootlog_statuses",
    "tootlog_home_feed",
    "tootlog_feed_follows",
    "tootlog_feed_statuses",
    "tootlog_follows",
    "tootlog_favourites",
)


def primary_key(conn: Connection, table: str, schema: str = LIVE_SCHEMA) -> tuple[str, ...]:
    """A read model's primary key columns in the key's order, without the columns its index only
    carries (INCLUDE): those are values of the row, not what names it. () when it has none."""
    rows = conn.execute(
        "SELECT a.attname FROM pg_index i"
        " JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON true"
        " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
        " WHERE i.indrelid = to_regclass(%s) AND i.indisprimary AND k.n <= i.indnkeyatts"
        " ORDER BY k.n",
        (f'"{schema}".{table}',),
    ).fetchall()
    return tuple(row[0] for row in rows)


class ReadModelTables(PostgresTrackingRecorder):
    """Read-model tables plus the library's single-row tracking table."""

    def __init__(self, datastore: PostgresDatastore) -> None:
        super().__init__(datastore, tracking_table_name=TRACKING_TABLE)
        # The live read models announce their progress; a copy built elsewhere stays silent.
        self.live = datastore.schema == LIVE_SCHEMA

    def create_table(self, read_indexes: bool = True) -> None:
        """Create the tables (and, unless told not to, the indexes only reads use: see
        create_read_indexes) if they are missing. Read models an older tootlog built (another
        READ_MODEL_VERSION) are dropped first with their tracking position, so the worker builds
        them again from the event store: they are derived data, the events are the record."""
        with self.datastore.get_connection() as conn:
            # One process at a time decides and creates (serve, its worker, the CLI start
            # together).
            conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK_KEY,))
            try:
                conn.execute(JSON_DATE_FUNCTION)
                with conn.transaction(), conn.cursor() as curs:
                    self._drop_outdated(curs)
                super().create_table()  # the tracking table, as the library makes it
                # Each of the read models' statements in a transaction of its own: a running
                # worker's batch holds its tables' row locks until it commits, and CREATE INDEX
                # IF NOT EXISTS takes its table's lock even when the index is there. One
                # transaction holding the locks of the tables done so far while it waited for
                # the next deadlocked with such a batch (an API process starting beside a
                # worker catching up a backlog).
                for statement in DDL:
                    conn.execute(statement)
                conn.execute(f"ALTER TABLE {VERSION_TABLE} ADD COLUMN IF NOT EXISTS urls text")
                if read_indexes:
                    for _, statement in READ_INDEXES:
                        conn.execute(statement)
                with conn.transaction(), conn.cursor() as curs:
                    curs.execute(
                        f"WITH kept AS (DELETE FROM {VERSION_TABLE} RETURNING urls)"
                        f" INSERT INTO {VERSION_TABLE} (version, urls)"
                        " VALUES (%s, (SELECT max(urls) FROM kept))",
                        (READ_MODEL_VERSION,),
                    )
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK_KEY,))

    def _drop_outdated(self, curs: Cursor) -> None:
        schema = self.datastore.schema
        curs.execute(
            "SELECT to_regclass(%s) IS NOT NULL AS built,"
            " to_regclass(%s) IS NOT NULL AS versioned, to_regclass(%s) IS NOT NULL AS tracked",
            tuple(
                f'"{schema}".{table}'
                for table in ("tootlog_statuses", VERSION_TABLE, TRACKING_TABLE)
            ),
        )
        found = curs.fetchone()
        built, versioned, tracked = found["built"], found["versioned"], found["tracked"]
        if not built:
            return
        version = 1
        if versioned:
            curs.execute(f"SELECT max(version) AS version FROM {VERSION_TABLE}")
            version = curs.fetchone()["version"] or 1
        if version == READ_MODEL_VERSION:
            return
        log.warning(
            "read models of version %d found (this tootlog builds version %d): dropping them;"
            " the projection worker rebuilds them from the event store",
            version,
            READ_MODEL_VERSION,
        )
        curs.execute(
            "DROP TABLE IF EXISTS "
            + ", ".join(f'"{schema}".{table}' for table in READ_MODEL_TABLES)
        )
        if tracked:
            curs.execute(
                f'DELETE FROM "{schema}".{TRACKING_TABLE} WHERE application_name = ANY(%s)',
                (list(TRACKED_APPLICATIONS),),
            )

    def create_read_indexes(self) -> None:
        """Create the indexes only reads use (after building a copy of the read models), on two
        connections at once: PostgreSQL builds a GIN index (the text searches) in one process,
        so the B-trees go beside them instead of after them."""
        searches = [statement for _, statement in READ_INDEXES if " USING gin " in statement]
        others = [statement for _, statement in READ_INDEXES if " USING gin " not in statement]
        with ThreadPoolExecutor(2, thread_name_prefix="read-indexes") as threads:
            for built in [threads.submit(self._create, group) for group in (searches, others)]:
                built.result()

    def _create(self, statements: list[str]) -> None:
        with self.datastore.get_connection() as conn:
            conn.execute("SET maintenance_work_mem = '256MB'")
            for statement in statements:
                conn.execute(statement)

    def analyze(self, tables: Iterable[str] = SEARCHED_BY_BATCHES) -> None:
        """Refresh the planner's statistics of `tables` (by default those a batch's statements
        search). A rebuild starts them empty: planned for empty tables, the home feeds'
        statements would go on scanning them as they grow (an ANALYZE also makes every
        connection plan its prepared statements on them again)."""
        with self.datastore.get_connection() as conn:
            conn.execute(f"ANALYZE {', '.join(tables)}")

    def drop_read_indexes(self) -> None:
        """Drop the indexes only reads use (before rebuilding the read models in place)."""
        with self.datastore.get_connection() as conn:
            for name, _ in READ_INDEXES:
                conn.execute(f'DROP INDEX IF EXISTS "{self.datastore.schema}".{name}')

    def record_urls(self, base: str) -> None:
        """Record the public base URL these read models' documents are built with."""
        with self.datastore.get_connection() as conn:
            conn.execute(f"UPDATE {VERSION_TABLE} SET urls = %s", (base,))

    def recorded_urls(self) -> str | None:
        """The base URL the documents were built with (None before a worker recorded it)."""
        with self.datastore.get_connection() as conn:
            row = conn.execute(f"SELECT max(urls) AS urls FROM {VERSION_TABLE}").fetchone()
        return row["urls"] if row else None

    def position(self) -> int:
        """The notification id of the last event applied (0 before the first)."""
        return self.max_tracking_id(TRACKED_APPLICATION) or 0

    def feed_position(self) -> int:
        """The notification id of the last event the home feeds applied (0 before the first)."""
        return self.max_tracking_id(FEED_APPLICATION) or 0
