"""One projection batch: its writes, the tracking position and the position NOTIFY, committed in
one transaction (exactly once)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from typing import TYPE_CHECKING

from psycopg import Connection, Cursor
from psycopg.pq import TransactionStatus

from projections.schema import (
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


class Batch:
    """One transaction per batch of events: rows, tracking position and NOTIFY commit together.

    The rows are held in Writes until `commit`, which sends them, the position, NOTIFY and COMMIT
    as one pipeline read back in one round trip; the connection is taken only then, or when a
    statement's answer must be read first. If any statement fails, PostgreSQL skips the rest,
    COMMIT included, and the transaction is rolled back here; a position that is no longer
    `previous` fails as IntegrityError, so a batch is applied exactly once.
    """

    def __init__(
        self, view: ReadModel, previous: int, last: int, before_open: Callable[[], None] | None
    ) -> None:
        self.view = view
        self.previous = previous
        self.last = last
        self.before_open = before_open
        self.writes = Writes(self._reading_cursor)
        self._stack = ExitStack()
        self._curs: Cursor | None = None

    def _reading_cursor(self) -> Cursor:
        """The cursor for the applying thread: its reads must see earlier batches."""
        if self._curs is None and self.before_open is not None:
            self.before_open()
        return self._cursor()

    def _cursor(self) -> Cursor:
        if self._curs is None:
            conn = self._stack.enter_context(self.view.datastore.get_connection())
            self._stack.callback(self._rollback_unfinished, conn)
            self._stack.enter_context(conn.pipeline())
            curs = self._stack.enter_context(conn.cursor())
            curs.execute("BEGIN")
            if self.view.live:
                curs.execute("SELECT pg_advisory_xact_lock_shared(%s)", (SWITCH_LOCK_KEY,))
            self._curs = curs
        return self._curs

    @staticmethod
    def _rollback_unfinished(conn: Connection) -> None:
        if conn.info.transaction_status in UNFINISHED:
            conn.execute("ROLLBACK")

    def commit(self) -> None:
        with self._stack:
            curs = self._cursor()
            self.writes.flush(curs)
            curs.execute(
                ADVANCE_TRACKING,
                {"name": TRACKED_APPLICATION, "position": self.last, "previous": self.previous},
                prepare=True,
            )
            if self.view.live:
                curs.execute("SELECT pg_notify(%s, %s)", (POSITION_CHANNEL, str(self.last)))
            curs.execute("COMMIT")

    def abandon(self) -> None:
        self._stack.close()
