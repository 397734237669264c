"""Rebuilding the read models from the log: in place (offline), or beside the live ones and then
switched in atomically (online).

Online, the new copy is built in its own schema by the same projector as the live models, batch by
batch, with its own tracking position: a rebuild that is interrupted leaves the live models as they
were, and the next run carries on from the copy's position. The switch is one transaction that
waits for the live worker's batch in flight, brings the copy up to the last committed event, and
moves the copy's tables into the live schema in place of the old ones. Requests that arrive
meanwhile wait for it (milliseconds) and then read the new tables; the live worker's next batch,
read after a position that has moved, applies nothing and starts again from the new position.

Everything here happens in the read models' database (their copies, the locks, the switch); only
the events are read from the event store's, when the read models have a database of their own.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator

import psycopg
from psycopg import sql

from domain.urls import Urls
from projections.errors import Busy
from projections.positions import live_position
from projections.schema import (
    BATCH_SIZE,
    EVENT_STORE_LOCK_KEY,
    FEED_APPLICATION,
    FEED_POSITION_CHANNEL,
    LIVE_SCHEMA,
    POSITION_CHANNEL,
    READ_MODEL_TABLES,
    READ_MODEL_VERSION,
    REBUILD_LOCK_KEY,
    SWITCH_LOCK_KEY,
    TRACKED_APPLICATION,
    TRACKED_APPLICATIONS,
    TRACKING_TABLE,
    VERSION_TABLE,
    WORKER_LOCK_KEY,
)
from projections.worker import ProjectionWorker

log = logging.getLogger("tootlog.rebuild")

REBUILD_SCHEMA = "tootlog_rebuild"
RETIRED_SCHEMA = "tootlog_retired"
# Catch the copy up outside the switch until it is this close to the last event, so the switch
# (which pauses the live projection) only applies a few batches.
SWITCH_WHEN_BEHIND_BY = 2000
# How long the switch waits for a table lock before giving way to the reads (see _switch), and
# how many times it tries.
SWITCH_LOCK_TIMEOUT = "250ms"
SWITCH_ATTEMPTS = 40

# Called after every batch with (events applied so far, position reached, position aimed at).
Progress = Callable[[int, int, int], None]


@contextlib.contextmanager
def exclusive(read_model_url: str, what: str, wait: bool = False) -> Iterator[psycopg.Connection]:
    """Hold the lock that lets one rebuild or verify at a time run against the read models'
    database (`wait` for it, or fail at once). The lock belongs to the returned connection's
    session: a killed process releases it with its connection."""
    with psycopg.connect(read_model_url, autocommit=True) as conn:
        if wait:
            conn.execute("SELECT pg_advisory_lock(%s)", (REBUILD_LOCK_KEY,))
        else:
            held = conn.execute("SELECT pg_try_advisory_lock(%s)", (REBUILD_LOCK_KEY,)).fetchone()
            if not (held and held[0]):
                raise Busy(f"another rebuild or verify is running; {what} not started")
        yield conn


class Copy:
    """The read models built in a schema of their own by a projection worker of their own."""

    def __init__(
        self,
        database_url: str,
        urls: Urls,
        schema: str,
        batch_size: int,
        read_model_url: str | None = None,
    ) -> None:
        self.database_url = database_url  # the event store's
        self.read_model_url = read_model_url or database_url
        self.schema = schema
        self.batch_size = batch_size
        self.urls = urls
        self.worker: ProjectionWorker | None = None
        self._applied = 0

    def open(self, resume: bool) -> None:
        """Create the schema and its tables; keep a complete copy of this version if `resume`."""
        with psycopg.connect(self.read_model_url, autocommit=True) as conn:
            if not (resume and self._resumable(conn)):
                drop_schema(conn, self.schema)
            conn.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema))
            )
        self.worker = ProjectionWorker(
            self.database_url,
            self.urls,
            batch_size=self.batch_size,
            schema=self.schema,
            read_model_url=self.read_model_url,
        )
        # The indexes only reads use come at the end (finish), each in one sort.
        self.worker.view.create_table(read_indexes=False)
        self.worker.view.record_urls(self.urls.base)

    def _resumable(self, conn: psycopg.Connection) -> bool:
        """A copy left by an interrupted run: all of its tables, of this version."""
        names = [f"{self.schema}.{table}" for table in (*READ_MODEL_TABLES, VERSION_TABLE)]
        row = conn.execute(
            "SELECT bool_and(to_regclass(name) IS NOT NULL) FROM unnest(%s::text[]) AS name",
            (names,),
        ).fetchone()
        if not (row and row[0]):
            return False
        version = conn.execute(
            sql.SQL("SELECT max(version) FROM {}.{}").format(
                sql.Identifier(self.schema), sql.Identifier(VERSION_TABLE)
            )
        ).fetchone()
        return bool(version and version[0] == READ_MODEL_VERSION)

    @property
    def position(self) -> int:
        assert self.worker is not None
        return self.worker.view.position()

    def last_event(self) -> int:
        """The newest event's position in the event store."""
        assert self.worker is not None
        return self.worker.head()

    def catch_up(self, stop: int, progress: Progress | None) -> None:
        """Apply the events up to position `stop`, batch by batch."""
        assert self.worker is not None
        worker = self.worker
        done = self._applied

        def reached(applied: int, position: int) -> None:
            self._applied = done + applied
            if progress is not None:
                progress(self._applied, position, stop)

        worker.catch_up_overlapped(stop, reached)

    def finish(self) -> None:
        """Create the indexes only reads use, once the copy holds (nearly) everything."""
        assert self.worker is not None
        self.worker.view.create_read_indexes()

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None


def check_urls(database_url: str, urls: Urls, read_model_url: str | None = None) -> None:
    live = ProjectionWorker(database_url, urls, read_model_url=read_model_url)
    try:
        live.check_urls()
    finally:
        live.close()


def drop_schema(conn: psycopg.Connection, schema: str) -> None:
    conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def rebuild_online(
    database_url: str,
    urls: Urls,
    *,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
    upgrade: bool = False,
    read_model_url: str | None = None,
) -> int:
    """Build a new copy of every read model beside the live one and switch to it; returns the
    position the new read models start from. `upgrade`: the live read models are of an older
    READ_MODEL_VERSION (their recorded address is not checked, and the lock is waited for)."""
    read_model_url = read_model_url or database_url
    with exclusive(read_model_url, "rebuild", wait=upgrade) as conn:
        if upgrade and live_version(conn) == READ_MODEL_VERSION:
            return live_position(conn)  # another process upgraded them while we waited
        if not upgrade:
            check_urls(database_url, urls, read_model_url)
        drop_schema(conn, RETIRED_SCHEMA)  # left by a run killed right after its switch
        copy = Copy(database_url, urls, REBUILD_SCHEMA, batch_size, read_model_url)
        try:
            copy.open(resume=True)
            while True:
                target = copy.last_event()
                copy.catch_up(target, progress)
                if copy.last_event() - copy.position <= SWITCH_WHEN_BEHIND_BY:
                    break
            copy.finish()
            position = _switch(conn, copy, progress)
        finally:
            copy.close()
        drop_schema(conn, RETIRED_SCHEMA)
        drop_schema(conn, REBUILD_SCHEMA)
        return position


def _switch(conn: psycopg.Connection, copy: Copy, progress: Progress | None) -> int:
    """Put the copy in place of the live read models, in one transaction, trying again when it
    gives way to a read.

    A read takes its tables' locks one at a time: one holding the statuses while it waits for the
    accounts, which the switch holds while it waits for the statuses, is a deadlock, and
    PostgreSQL would cancel either side, perhaps the read (a failed request). The switch waits for
    its table locks only briefly (SWITCH_LOCK_TIMEOUT, well under deadlock_timeout), so it is the
    one that gives way; it then tries again. Nothing is lost: the copy's catch-up commits on
    the copy's own connections.
    """
    for attempt in range(1, SWITCH_ATTEMPTS + 1):
        try:
            return _switch_once(conn, copy, progress)
        except (psycopg.errors.LockNotAvailable, psycopg.errors.DeadlockDetected):
            if attempt == SWITCH_ATTEMPTS:
                raise
            time.sleep(0.02 * attempt)
    raise AssertionError("unreachable")


def _switch_once(conn: psycopg.Connection, copy: Copy, progress: Progress | None) -> int:
    live = sql.Identifier(LIVE_SCHEMA)
    retired = sql.Identifier(RETIRED_SCHEMA)
    new = sql.Identifier(copy.schema)
    with conn.transaction():
        # No live batch is half-way through after this, and none starts until we commit.
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (SWITCH_LOCK_KEY,))
        copy.catch_up(copy.last_event(), progress)
        position = copy.position
        # The live tables there are (an older version may lack some, or have none yet).
        present = [
            sql.Identifier(table)
            for table in READ_MODEL_TABLES
            if conn.execute("SELECT to_regclass(%s)", (f"{LIVE_SCHEMA}.{table}",)).fetchone()[0]
        ]
        if present:
            conn.execute(f"SET LOCAL lock_timeout = '{SWITCH_LOCK_TIMEOUT}'")
            conn.execute(
                sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(
                    sql.SQL(", ").join(sql.SQL("{}.{}").format(live, table) for table in present)
                )
            )
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(retired))
        for table in present:
            conn.execute(sql.SQL("ALTER TABLE {}.{} SET SCHEMA {}").format(live, table, retired))
        for table in READ_MODEL_TABLES:
            conn.execute(
                sql.SQL("ALTER TABLE {}.{} SET SCHEMA {}").format(new, sql.Identifier(table), live)
            )
        conn.execute(f"CREATE TABLE IF NOT EXISTS {LIVE_SCHEMA}.{VERSION_TABLE} (version integer)")
        conn.execute(f"DELETE FROM {LIVE_SCHEMA}.{VERSION_TABLE}")
        conn.execute(
            f"INSERT INTO {LIVE_SCHEMA}.{VERSION_TABLE} (version) VALUES (%s)",
            (READ_MODEL_VERSION,),
        )
        set_live_position(conn, position)
    return position


def set_live_position(conn: psycopg.Connection, position: int) -> None:
    """Record the live read models' position and tell API processes (their read-your-writes
    waits) that it moved; call inside a transaction."""
    for name, channel in (
        (TRACKED_APPLICATION, POSITION_CHANNEL),
        (FEED_APPLICATION, FEED_POSITION_CHANNEL),
    ):
        conn.execute(
            f"INSERT INTO {LIVE_SCHEMA}.{TRACKING_TABLE} (application_name, notification_id)"
            " VALUES (%s, %s) ON CONFLICT (application_name)"
            " DO UPDATE SET notification_id = excluded.notification_id",
            (name, position),
        )
        conn.execute("SELECT pg_notify(%s, %s)", (channel, str(position)))


def rebuild_offline(
    database_url: str,
    urls: Urls,
    *,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
    read_model_url: str | None = None,
) -> int:
    """Empty the live read models and rebuild them in place (the server must be stopped)."""
    read_model_url = read_model_url or database_url
    with exclusive(read_model_url, "rebuild") as conn:
        held = conn.execute("SELECT pg_try_advisory_lock(%s)", (WORKER_LOCK_KEY,)).fetchone()
        if not (held and held[0]):
            raise Busy(
                "a projection worker is running (is the server up?): stop it for an offline"
                " rebuild, or run the online rebuild (without --offline)"
            )
        worker = ProjectionWorker(
            database_url, urls, batch_size=batch_size, read_model_url=read_model_url
        )
        try:
            worker.create_tables()
            worker.check_urls()
            worker.view.drop_read_indexes()
            with conn.transaction():
                conn.execute(
                    sql.SQL("TRUNCATE {}").format(
                        sql.SQL(", ").join(
                            sql.SQL("{}.{}").format(sql.Identifier(LIVE_SCHEMA), sql.Identifier(t))
                            for t in READ_MODEL_TABLES
                        )
                    )
                )
                conn.execute(
                    f"DELETE FROM {LIVE_SCHEMA}.{TRACKING_TABLE} WHERE application_name = ANY(%s)",
                    (list(TRACKED_APPLICATIONS),),
                )
            copy = _InPlace(worker)
            copy.catch_up(worker.head(), progress)
            copy.finish()
            return worker.view.position()
        finally:
            worker.close()


def live_version(conn: psycopg.Connection) -> int | None:
    """The READ_MODEL_VERSION the live read models were built by (None: there are none; 1:
    built before versions were recorded)."""
    built = conn.execute("SELECT to_regclass(%s)", (f"{LIVE_SCHEMA}.tootlog_statuses",))
    if built.fetchone()[0] is None:
        return None
    recorded = conn.execute("SELECT to_regclass(%s)", (f"{LIVE_SCHEMA}.{VERSION_TABLE}",))
    if recorded.fetchone()[0] is None:
        return 1
    row = conn.execute(f"SELECT max(version) FROM {LIVE_SCHEMA}.{VERSION_TABLE}").fetchone()
    return row[0] or 1


def prepare(
    database_url: str,
    urls: Urls,
    progress: Progress | None = None,
    read_model_url: str | None = None,
) -> None:
    """Create the event store and read-model tables if missing (each in its database). Read
    models of an older READ_MODEL_VERSION are rebuilt beside the live ones and switched in
    (rebuild_online), so an upgrade never serves half-built read models; the old ones go on
    answering until then."""
    worker = ProjectionWorker(database_url, urls, read_model_url=read_model_url)
    try:
        # Under a lock on the event store's database, as commands/event_store.py does: the
        # library replaces its functions on every start, and two at once collided.
        with worker.events.datastore.get_connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (EVENT_STORE_LOCK_KEY,))
            try:
                worker.events.create_table()
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (EVENT_STORE_LOCK_KEY,))
        with psycopg.connect(worker.read_model_url, autocommit=True) as conn:
            version = live_version(conn)
        if version is not None and version != READ_MODEL_VERSION:
            log.warning(
                "read models of version %d found (this tootlog builds version %d): building"
                " the new ones beside them from the event store, then switching",
                version,
                READ_MODEL_VERSION,
            )
            rebuild_online(
                database_url,
                urls,
                progress=progress,
                upgrade=True,
                read_model_url=worker.read_model_url,
            )
        worker.view.create_table()
    finally:
        worker.close()


class _InPlace(Copy):
    """The live read models, rebuilt where they are."""

    def __init__(self, worker: ProjectionWorker) -> None:
        super().__init__(
            worker.database_url, worker.urls, LIVE_SCHEMA, worker.batch_size, worker.read_model_url
        )
        self.worker = worker
