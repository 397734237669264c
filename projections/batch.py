"""One projection batch: its writes, the tracking position and the position NOTIFY, committed in
one transaction (exactly once); then the home feeds' writes for the same events in a second."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import ExitStack
from typing import TYPE_CHECKING

import psycopg
from psycopg import Connection, Cursor, Pipeline
from psycopg.pq import TransactionStatus

from projections.schema import (
    FEED_APPLICATION,
    FEED_POSITION_CHANNEL,
    POSITION_CHANNEL,
    SWITCH_LOCK_KEY,
    TRACKED_APPLICATION,
    TRACKING_TABLE,
)
from projections.writes import Writes

if TYPE_CHECKING:
    from projections.readmodel import ReadModel

UNFINISHED = (TransactionStatus.INTRANS, TransactionStatus.INERROR)
# The position moves from the one this batch started at to its last event, or the batch fails
# (a unique violation on the insert, when the row holds another position): a batch read after a
# position that has since moved (another worker, an online rebuild's switch) applies nothing.
# The failure needs no answer read before COMMIT, so the whole batch fits in one round trip.
ADVANCE_TRACKING = (
    f"WITH advanced AS (UPDATE {TRACKING_TABLE} SET notification_id = %(position)s"
    " WHERE application_name = %(name)s AND notification_id = %(previous)s RETURNING 1)"
    f" INSERT INTO {TRACKING_TABLE} (application_name, notification_id)"
    " SELECT %(name)s, %(position)s WHERE NOT EXISTS (SELECT 1 FROM advanced)"
)
# The same, and the NOTIFY of the new position (sent at COMMIT, so never for a batch that
# fails), in one statement: a batch's fixed cost is mostly its statements (about 50 us of
# Python each, docs/operations.md).
ADVANCE_AND_NOTIFY = (
    f"WITH advanced AS (UPDATE {TRACKING_TABLE} SET notification_id = %(position)s"
    " WHERE application_name = %(name)s AND notification_id = %(previous)s RETURNING 1),"
    f" inserted AS (INSERT INTO {TRACKING_TABLE} (application_name, notification_id)"
    " SELECT %(name)s, %(position)s WHERE NOT EXISTS (SELECT 1 FROM advanced))"
    " SELECT pg_notify(%(channel)s, %(position)s::text)"
)


class Batch:
    """One transaction per batch of events: rows, tracking position and NOTIFY commit together;
    then the home feeds' writes for the same events, with their own position, in a second one.

    The rows are held in Writes until `commit`, which sends them, the position, NOTIFY and COMMIT
    as one pipeline read back in one round trip; the connection is taken only then, or when a
    statement's answer must be read first. If any statement fails, PostgreSQL skips the rest,
    COMMIT included, and the transaction is rolled back here; a position that is no longer
    `previous` fails as IntegrityError, so a batch is applied exactly once.

    The feeds' transaction (`feed`: FeedProjector's writes) goes second, so that a post's author
    is answered without waiting for its fan-out (projections/feed_projector.py). It is sent only
    once the first has committed, and it too moves its position by compare-and-set; a crash in
    between leaves the feeds behind, to catch up from their own position. On the live read
    models both run under one hold of the switch lock (shared): an online rebuild's switch or
    verify's snapshot never finds the feeds half a batch behind.
    """

    def __init__(
        self,
        view: ReadModel,
        previous: int,
        last: int,
        before_open: Callable[[], None] | None,
        feed_previous: int | None = None,
    ) -> None:
        self.view = view
        self.previous = previous
        self.feed_previous = previous if feed_previous is None else feed_previous
        self.last = last
        self.before_open = before_open
        self.writes = Writes(self._reading_cursor)
        self.feed = Writes(_no_reads)
        self._stack = ExitStack()
        self._curs: Cursor | None = None
        self._pipeline: Pipeline | None = None
        self._lock: _SwitchLock | None = None

    def _reading_cursor(self) -> Cursor:
        """The cursor for the applying thread: its reads must see earlier batches."""
        if self._curs is None and self.before_open is not None:
            self.before_open()
        return self._cursor()

    def _cursor(self) -> Cursor:
        if self._curs is None:
            self._curs, self._pipeline, self._lock = _begin(self._stack, self.view)
        return self._curs

    def commit(self, feed: bool = True) -> None:
        """Commit the batch, then (if `feed`) the feeds' writes on the same connection."""
        with self._stack:
            curs = self._cursor()
            self.writes.flush(curs)
            _advance(curs, self.view, TRACKED_APPLICATION, self.previous, self.last)
            curs.execute("COMMIT")
            if feed:
                assert self._pipeline is not None
                self._pipeline.sync()  # raises if the first failed: then the feeds wait
                curs.execute("BEGIN")
                self.feed.flush(curs)
                _advance(curs, self.view, FEED_APPLICATION, self.feed_previous, self.last)
                curs.execute("COMMIT")
            if self._lock is not None:
                self._lock.release(curs)

    def commit_feed(self) -> None:
        """Commit the feeds' writes alone, on a connection of their own (after `commit(False)`
        of this batch, or for a feed catching up)."""
        with ExitStack() as stack:
            curs, _, lock = _begin(stack, self.view)
            self.feed.flush(curs)
            _advance(curs, self.view, FEED_APPLICATION, self.feed_previous, self.last)
            curs.execute("COMMIT")
            if lock is not None:
                lock.release(curs)

    def abandon(self) -> None:
        self._stack.close()


class _SwitchLock:
    """The switch lock (shared) of a batch on the live read models: taken by the batch's first
    pipelined statement and let go by its last one (`release`), with no round trip of their
    own; if the pipeline fails or is abandoned before its end, let go when its stack closes."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.released = False

    def take(self, curs: Cursor) -> None:
        curs.execute("SELECT pg_advisory_lock_shared(%s)", (SWITCH_LOCK_KEY,))

    def release(self, curs: Cursor) -> None:
        curs.execute("SELECT pg_advisory_unlock_shared(%s)", (SWITCH_LOCK_KEY,))
        self.released = True

    def __call__(self, exc_type: type | None, *_: object) -> bool:
        """ExitStack's exit callback, after the pipeline's own: a pipeline that ended without
        an error ran the release; otherwise it was skipped (or never sent)."""
        if exc_type is not None or not self.released:
            _unlock(self.conn)
        return False


def _begin(stack: ExitStack, view: ReadModel) -> tuple[Cursor, Pipeline, _SwitchLock | None]:
    """A pipelined cursor in a new transaction, all closed with `stack`; on the live read models,
    holding the switch lock (shared) until the returned lock's `release`."""
    conn = stack.enter_context(view.datastore.get_connection())
    lock = None
    if view.live:
        lock = _SwitchLock(conn)
        stack.push(lock)
    stack.callback(_rollback_unfinished, conn)
    pipeline = stack.enter_context(conn.pipeline())
    curs = stack.enter_context(conn.cursor())
    if lock is not None:
        lock.take(curs)
    curs.execute("BEGIN")
    return curs, pipeline, lock


def _advance(curs: Cursor, view: ReadModel, name: str, previous: int, last: int) -> None:
    params: dict[str, object] = {"name": name, "position": last, "previous": previous}
    if not view.live:
        curs.execute(ADVANCE_TRACKING, params, prepare=True)
        return
    params["channel"] = POSITION_CHANNEL if name == TRACKED_APPLICATION else FEED_POSITION_CHANNEL
    curs.execute(ADVANCE_AND_NOTIFY, params, prepare=True)


def _rollback_unfinished(conn: Connection) -> None:
    if conn.info.transaction_status in UNFINISHED:
        conn.execute("ROLLBACK")


def _unlock(conn: Connection) -> None:
    """Let go of the switch lock; a broken connection has already (its session ended)."""
    if not conn.broken:
        with contextlib.suppress(psycopg.Error):
            conn.execute("SELECT pg_advisory_unlock_shared(%s)", (SWITCH_LOCK_KEY,))


def _no_reads() -> Cursor:
    raise RuntimeError("the home feeds' writes read nothing before their commit")
