"""The projection worker: tails the event store in order and applies batches exactly once.

One worker per read-model database does the work: it holds a PostgreSQL advisory lock there, and
any others wait for it. It batches when behind and wakes on the event store's NOTIFY when live.
If its connections die it reconnects and resumes from the committed tracking position.

The read models (and their tracking position) may live in another database than the event store
(TOOTLOG_READ_MODEL_DATABASE_URL): the worker then reads and LISTENs on the event store's and
writes, locks and NOTIFYs on the read models'.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import psycopg
from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError
from eventsourcing.postgres import PostgresApplicationRecorder

from domain.urls import Urls
from projections.batch import Batch
from projections.datastore import datastore_for
from projections.errors import UrlsMismatch
from projections.feed_projector import FeedProjector
from projections.growth_statistics import GrowthStatistics
from projections.history import events_after
from projections.projector import Projector
from projections.readmodel import ReadModel
from projections.schema import EVENTS_CHANNEL, EVENTS_TABLE, LIVE_SCHEMA, WORKER_LOCK_KEY

log = logging.getLogger("tootlog.projection")

CONNECTION_ERRORS = (
    psycopg.OperationalError,
    psycopg.InterfaceError,
    OperationalError,
    InterfaceError,
)


# Events read at a time by catch_up_overlapped (a batch may be several pages).
READ_PAGE = 10_000

# Longest a standby's wait for the worker lock goes without looking whether it should stop.
LOCK_WAIT = 1.0

FIRST_RETRY_DELAY = 0.1
MAX_RETRY_DELAY = 5.0


class ProjectionWorker:
    """Applies every stored event to the read models, in notification order."""

    def __init__(
        self,
        database_url: str,
        urls: Urls,
        *,
        batch_size: int = 1000,
        idle_poll: float = 1.0,
        on_batch: Callable[[int, int], None] | None = None,
        schema: str = LIVE_SCHEMA,
        read_model_url: str | None = None,
    ) -> None:
        self.database_url = database_url  # the event store's
        self.read_model_url = read_model_url or database_url
        self.urls = urls
        self.batch_size = batch_size
        self.idle_poll = idle_poll
        self.on_batch = on_batch
        # The read models of `schema` (the live ones, or a copy being built beside them), from
        # the one event store.
        # Connections: a batch's, the feeds' batch's (committed beside the next batch in a
        # rebuild) and the event reader's.
        self.datastore = datastore_for(self.read_model_url, pool_size=3, schema=schema)
        self._events_datastore = (
            self.datastore
            if schema == LIVE_SCHEMA and not self.split
            else datastore_for(database_url, pool_size=1)
        )
        self.events = PostgresApplicationRecorder(
            self._events_datastore, events_table_name=EVENTS_TABLE
        )
        self.view = ReadModel(self.datastore)
        self.projector = Projector(self.view, urls)
        self.feeds = FeedProjector()
        # For the feeds catching up: they may meet rows of a batch that failed as a whole on
        # one already there (projections/home_feed.py), and skip them.
        self.feeds_catching_up = FeedProjector(tolerant=True)
        # The committed position, kept in memory between batches; None means "read it". The
        # home feeds' is never ahead of it, and only behind it after a crash between the two
        # commits of a batch (projections/batch.py) or a failed feeds' transaction.
        self._position: int | None = None
        self.retry_delay = FIRST_RETRY_DELAY  # seconds before the next retry after a failure
        # The live read models' planner statistics, refreshed as the log grows.
        self.statistics = GrowthStatistics(self.view)

    @property
    def split(self) -> bool:
        """Whether the read models live in another database than the event store."""
        return self.read_model_url != self.database_url

    def head(self) -> int:
        """The newest event's position in the event store (0 when it is empty)."""
        return self.events.max_notification_id() or 0

    def create_tables(self) -> None:
        """Create the event store and read-model tables if they are missing."""
        self.events.create_table()
        self.view.create_table()

    def check_urls(self) -> None:
        """Refuse to build documents for another public address than the live read models were
        built for (an operator's command run without the server's TOOTLOG_DOMAIN)."""
        recorded = self.view.recorded_urls()
        if recorded is not None and recorded != self.urls.base:
            raise UrlsMismatch(
                f"the read models were built for {recorded}, but this command would build them"
                f" for {self.urls.base}: set TOOTLOG_DOMAIN and TOOTLOG_SCHEME as the server has"
                " them"
            )

    def catch_up(self, stop: int | None = None) -> int:
        """Apply every event committed so far (up to position `stop`, if given); returns how
        many were read."""
        total = 0
        while True:
            applied = self.apply_next_batch(stop)
            total += applied
            if applied < self.batch_size:
                return total

    def apply_next_batch(self, stop: int | None = None) -> int:
        """Apply up to one batch of events after the tracked position (up to position `stop`,
        if given), in one transaction."""
        if self._position is None:
            self._position = self.view.position()
            self.catch_up_feeds()
        if stop is not None and self._position >= stop:
            return 0
        rows = self.read_events(self._position, self.batch_size, stop)
        if not rows:
            return 0
        previous, last = self._position, rows[-1][0]
        try:
            batch = self.view.open_batch(previous, last)
            try:
                events = self.projector.decode(rows)
                self.projector.apply_events(batch.writes, events)
                self.feeds.apply_events(batch.feed, events)
            except BaseException:
                batch.abandon()
                raise
            batch.commit()
        except BaseException as error:
            # Nothing was applied: what the projector remembers of its writes is void.
            self.projector.forget()
            if not isinstance(error, IntegrityError):
                raise
            # Either the position moved meanwhile (another worker, an online rebuild's switch:
            # carry on from where it is now) or a row conflicts (a real fault: raise).
            self._position = None
            if self.view.position() != previous:
                return self.apply_next_batch(stop)
            raise
        self._position = last
        if self.on_batch is not None:
            self.on_batch(len(rows), last)
        self.statistics.applied(previous, last)
        return len(rows)

    def catch_up_feeds(self) -> None:
        """Bring the home feeds up to the read models' position, if a crash between the two
        commits of a batch left them behind (projections/feed_projector.py), or the feeds'
        transaction of a batch failed on its own (a row already there: these inserts skip it,
        projections/home_feed.py)."""
        assert self._position is not None
        feed = self.view.feed_position()
        if feed < self._position:
            log.warning(
                "home feeds at position %d, behind the read models at %d: catching up",
                feed,
                self._position,
            )
        while feed < self._position:
            rows = self.read_events(feed, self.batch_size, self._position)
            if not rows:
                break
            batch = self.view.open_batch(feed, rows[-1][0])
            self.feeds_catching_up.apply_rows(batch.feed, rows)
            batch.commit_feed()
            feed = rows[-1][0]

    def read_events(self, after: int, limit: int, stop: int | None = None) -> list[tuple]:
        """Up to `limit` stored events after position `after` (rows of EVENT_COLUMNS)."""
        with self._events_datastore.get_connection() as conn:
            return events_after(conn, after, limit, stop)

    def catch_up_overlapped(
        self, stop: int, on_batch: Callable[[int, int], None] | None = None
    ) -> int:
        """Apply every event up to position `stop`, batch after batch, sending each batch to
        PostgreSQL from a thread of its own while the next one is read and applied here: the
        database's work and this process's overlap (for rebuilds, where nobody waits on a
        single batch). A batch is read in pages of at most READ_PAGE events (so its size bounds
        the rows it holds, not the events), each page while the one before it is applied.
        Returns how many events were read."""
        if self._position is None:
            self._position = self.view.position()
            self.catch_up_feeds()
        total = batches = 0
        pending: Future | None = None
        # The home feeds' commits, each after its batch's: beside the next batch's work.
        feeds_pending: list[Future] = []

        def committed() -> None:
            nonlocal pending
            if pending is not None:
                done, pending = pending, None
                done.result()  # a failed batch raises here
            while feeds_pending and (feeds_pending[0].done() or len(feeds_pending) > 1):
                feeds_pending.pop(0).result()

        def commit_feed(batch: Batch, main: Future) -> None:
            main.result()  # not before its batch: the feeds read its statuses
            batch.commit_feed()

        committer = ThreadPoolExecutor(1, thread_name_prefix="batch-commit")
        feed_committer = ThreadPoolExecutor(1, thread_name_prefix="feed-commit")
        reader = ThreadPoolExecutor(1, thread_name_prefix="event-reader")
        # The next page, read while the one before it is applied: (rows, the limit asked).
        page: tuple[Future, int] | None = None

        def read(after: int, in_batch: int) -> tuple[Future, int]:
            """Start reading the page after `after`, for a batch holding `in_batch` events."""
            limit = min(READ_PAGE, self.batch_size - in_batch)
            return reader.submit(self.read_events, after, limit, stop), limit

        with committer, feed_committer, reader, few_collections():
            try:
                while self._position < stop:
                    batch = None
                    position, applied = self._position, 0
                    try:
                        while applied < self.batch_size and position < stop:
                            rows_read, limit = page or read(position, applied)
                            page = None
                            rows = rows_read.result()
                            if not rows:
                                break
                            position, applied = rows[-1][0], applied + len(rows)
                            if position < stop and len(rows) == limit:
                                page = read(position, applied % self.batch_size)
                            if batch is None:
                                # A read in the middle of this batch must see the previous one
                                # committed.
                                batch = self.view.open_batch(
                                    self._position, position, before_open=committed
                                )
                            events = self.projector.decode(rows)
                            self.projector.apply_events(batch.writes, events)
                            self.feeds.apply_events(batch.feed, events)
                            batch.last = position
                            if on_batch is not None:
                                on_batch(total + applied, position)
                    except BaseException:
                        if batch is not None:
                            batch.abandon()
                        raise
                    if batch is None:
                        break
                    committed()
                    batches += 1
                    # Statistics as the tables grow: after batches 1, 2, 4, 8...
                    analyze = batches & (batches - 1) == 0
                    pending = committer.submit(self._commit, batch, analyze)
                    feeds_pending.append(feed_committer.submit(commit_feed, batch, pending))
                    self._position = position
                    total += applied
                committed()
                while feeds_pending:
                    feeds_pending.pop(0).result()
            except BaseException:
                # What was applied past the last commit is void: start again from the row.
                self.projector.forget()
                self._position = None
                raise
        return total

    def _commit(self, batch: Batch, analyze: bool) -> None:
        batch.commit(feed=False)
        if analyze:
            self.view.analyze()

    def run(self, stop: threading.Event) -> None:
        """Work until `stop` is set, surviving lost connections and failing batches."""
        while not stop.is_set():
            try:
                self._run_connected(stop)
            except CONNECTION_ERRORS as error:
                log.warning("projection worker lost its database connection: %s", error)
                self._pause(stop)
            except Exception:
                # A failing batch commits nothing; retry it after a pause rather than die.
                log.exception("projection batch failed; retrying")
                self._pause(stop)

    def _pause(self, stop: threading.Event) -> None:
        """Wait before retrying, twice as long after each failure in a row (up to a limit)."""
        stop.wait(self.retry_delay)
        self.retry_delay = min(self.retry_delay * 2, MAX_RETRY_DELAY)

    def _run_connected(self, stop: threading.Event) -> None:
        self._position = None
        self.projector.forget()  # another worker may have written since
        with contextlib.ExitStack() as connections:
            listener = connections.enter_context(
                psycopg.connect(self.database_url, autocommit=True)
            )
            # The lock is the read models': with their own database, on a connection there.
            holder = listener
            if self.split:
                holder = connections.enter_context(
                    psycopg.connect(self.read_model_url, autocommit=True)
                )
            self._work(listener, holder, stop)

    def _work(
        self, listener: psycopg.Connection, holder: psycopg.Connection, stop: threading.Event
    ) -> None:
        self._hold_worker_lock(holder, stop)
        self._position = None
        self.projector.forget()
        listener.execute(f"LISTEN {EVENTS_CHANNEL}")
        self.view.record_urls(self.urls.base)
        log.info("projection worker active from position %d", self.view.position())
        while not stop.is_set():
            applied = self.apply_next_batch()
            self.retry_delay = FIRST_RETRY_DELAY  # working again: the next failure is new
            if applied >= self.batch_size:
                continue  # behind: take the next batch at once
            # Live: sleep until the event store announces a commit (or poll anyway).
            notified = False
            for _ in listener.notifies(timeout=self.idle_poll, stop_after=1):
                notified = True
            if notified:
                # Commits announced meanwhile are all covered by the next read.
                for _ in listener.notifies(timeout=0):
                    pass
            else:
                # Notice a dead connection even when idle (a lost lock too).
                listener.execute("SELECT 1")
                if holder is not listener:
                    holder.execute("SELECT 1")

    def _hold_worker_lock(self, conn: psycopg.Connection, stop: threading.Event) -> None:
        """Wait in PostgreSQL's lock queue, so a standby takes over the moment the active
        worker's session ends (a crash, a kill: its backend sees the socket close), rather than
        at its next poll; the wait is cut every LOCK_WAIT seconds to look at `stop`."""
        conn.execute(f"SET lock_timeout = '{int(LOCK_WAIT * 1000)}ms'")
        try:
            while not stop.is_set():
                try:
                    conn.execute("SELECT pg_advisory_lock(%s)", (WORKER_LOCK_KEY,))
                    return
                except psycopg.errors.LockNotAvailable:
                    continue
        finally:
            conn.execute("RESET lock_timeout")

    def close(self) -> None:
        self.statistics.close()
        self.datastore.close()
        if self._events_datastore is not self.datastore:
            self._events_datastore.close()


@contextlib.contextmanager
def few_collections() -> Iterator[None]:
    """Run the cyclic garbage collector rarely: a rebuild allocates millions of containers that
    live until their batch is sent, and the default thresholds had it traverse them over and
    over (a third of the projection's CPU). Nothing the projection makes is a cycle to
    collect soon."""
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def start_in_thread(worker: ProjectionWorker) -> tuple[threading.Thread, threading.Event]:
    """Run a worker in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), name="projection", daemon=True)
    thread.start()
    return thread, stop


def wait_until_applied(worker: ProjectionWorker, position: int, timeout: float = 10.0) -> None:
    """Block until the worker's committed position reaches `position` (for tools and tests)."""
    deadline = time.monotonic() + timeout
    while worker.view.position() < position:
        if time.monotonic() > deadline:
            raise TimeoutError(f"projection did not reach {position}")
        time.sleep(0.01)


def worker_is_running(database_url: str, lock_key: int = WORKER_LOCK_KEY) -> bool:
    """True when some process holds the projection worker's advisory lock (or another
    worker's, `lock_key`) on this database (the projection worker's is in the read models')."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        # Advisory locks are per database; pg_locks lists those of every database.
        row = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND classid::bigint = %s AND objid::bigint = %s AND objsubid = 1",
            (lock_key >> 32, lock_key & 0xFFFFFFFF),
        ).fetchone()
    return bool(row and row[0])
