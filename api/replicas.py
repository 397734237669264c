"""Read replicas (TOOTLOG_READ_DATABASE_URL): a pool per replica, how far each one is behind,
and the read pool the queries use, which takes a request's connection from the replica chosen
for it (api/read_routing.py chooses) or from the primary.

How far behind is measured in the read models' own terms: each replica's tracking rows (the
position its copy of the read models has reached, main and home feeds, replicated with the rows
they commit with) against the positions the primary's projection announced to this process, and
when it announced them. A replica's lag is the time since the primary first reached a position
the replica does not have yet (0 when it has them all): the age of the oldest change it misses.
A background task reads every replica each POLL_INTERVAL; no request waits for it.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
import math
import time
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field

import psycopg
import psycopg_pool
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from api.database import database_name
from projections.queries import configure_connection
from projections.schema import LIVE_SCHEMA, TRACKED_APPLICATIONS, TRACKING_TABLE

log = logging.getLogger("tootlog.replicas")

POLL_INTERVAL = 0.2  # seconds between two looks at every replica
PROBE_TIMEOUT = 1.0  # seconds to connect to a replica and read its position
# A request waits this long at most for a replica connection, then reads from the primary.
POOL_TIMEOUT = 2.0
# A read that fails on a replica for one of these is answered again from the primary.
REPLICA_FAILURES = (psycopg.OperationalError, psycopg.InterfaceError, psycopg_pool.PoolTimeout)
# Failures that say nothing about the replica's health: busy, or a query cancelled by a
# conflict with the WAL it replays (max_standby_streaming_delay).
NOT_BROKEN = (
    psycopg_pool.PoolTimeout,
    psycopg.errors.TransactionRollback,
    psycopg.errors.QueryCanceled,
)
POSITIONS_SQL = (
    f"SELECT application_name, notification_id FROM {LIVE_SCHEMA}.{TRACKING_TABLE}"
    " WHERE application_name = ANY(%s)"
)

# The replica this request reads from; None (the default, and outside requests): the primary.
CHOSEN: ContextVar[Replica | None] = ContextVar("tootlog_replica", default=None)


class ReplicaFailed(Exception):
    """A read failed on a replica; api/read_routing.py answers the request from the primary."""


class PositionHistory:
    """When the primary's read models reached each position, as this process heard it: enough
    to say since when a replica at a given position has been behind."""

    def __init__(self, keep: float) -> None:
        self.keep = keep  # seconds of history: past it a replica is too far behind anyway
        # Increasing positions and the first moment each was seen. The first entry's moment is
        # unknown (-inf): a replica behind the position this process started at is behind by
        # more than any bound until it catches up.
        self._positions: list[int] = []
        self._times: list[float] = []

    def record(self, now: float, position: int) -> None:
        if not self._positions:
            self._positions.append(position)
            self._times.append(-math.inf)
        elif position > self._positions[-1]:
            self._positions.append(position)
            self._times.append(now)
        while len(self._times) > 1 and self._times[1] < now - self.keep:
            del self._positions[0], self._times[0]

    @property
    def position(self) -> int:
        return self._positions[-1] if self._positions else 0

    def behind_since(self, position: int) -> float | None:
        """The moment the primary first passed `position`; None if it has not."""
        index = bisect.bisect_right(self._positions, position)
        return self._times[index] if index < len(self._times) else None


@dataclass(eq=False)
class Replica:
    """One replica: its pool and what the last look at it found."""

    name: str
    url: str
    pool: AsyncConnectionPool
    up: bool = False
    position: int = 0  # the lower of its read models' and home feeds' positions
    # Since when it lacks a position the primary has; None: it has them all. -inf: since before
    # anything this process knows (and before the first look at it).
    behind_since: float | None = -math.inf
    error: str | None = None
    renew: bool = False  # it failed: a new pool before using it again (the old one's broke)
    probe: AsyncConnection | None = field(default=None, repr=False)

    def lag(self, now: float) -> float:
        """Seconds since the primary first reached a position this replica lacks (0: none)."""
        if self.behind_since is None:
            return 0.0
        return max(0.0, now - self.behind_since)

    def usable(self, now: float, max_lag: float, needed: int) -> bool:
        return self.up and self.position >= needed and self.lag(now) <= max_lag

    def failed(self, error: BaseException) -> None:
        """A read on it failed: skip it until the next look finds it answering."""
        if isinstance(error, NOT_BROKEN):
            return  # this request reads from the primary; the replica serves the next ones
        log.warning("replica %s failed a read, reading from the primary: %s", self.name, error)
        self.up = False
        self.renew = True
        self.error = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)


class ReplicaSet:
    """The replicas, watched in the background, and the read pool of the API's queries:
    `connection()` is a connection of the replica CHOSEN for this request, or of the primary."""

    def __init__(
        self, urls: tuple[str, ...], primary: AsyncConnectionPool, *, max_lag: float, size: int
    ) -> None:
        self.primary = primary
        self.max_lag = max_lag
        self.history = PositionHistory(keep=max_lag + 1.0)
        self.replicas = [Replica(database_name(url), url, _replica_pool(url, size)) for url in urls]
        self.size = size
        self._next = 0
        self._primary_position: Callable[[], int] = lambda: 0
        self._task: asyncio.Task | None = None
        self._closing: set[asyncio.Task] = set()  # pools replaced, closing in the background

    async def start(self, primary_position: Callable[[], int]) -> None:
        """Open the pools (without waiting: a replica that is down must not stop the start) and
        look at every replica once before serving."""
        self._primary_position = primary_position
        for replica in self.replicas:
            await replica.pool.open(wait=False)
        await self._look()
        self._task = asyncio.create_task(self._watch(), name="replica-watch")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for replica in self.replicas:
            if replica.probe is not None:
                await replica.probe.close()
            await replica.pool.close()
        for closing in list(self._closing):
            await closing

    def choose(self, needed: int) -> Replica | None:
        """A replica that is up, within the lag bound and at `needed` or past it, taking turns;
        None: read from the primary."""
        now = time.monotonic()
        count = len(self.replicas)
        for step in range(count):
            replica = self.replicas[(self._next + step) % count]
            if replica.usable(now, self.max_lag, needed):
                self._next = (self._next + step + 1) % count
                return replica
        return None

    def connection(self) -> contextlib.AbstractAsyncContextManager[AsyncConnection]:
        """The read pool's `connection()`: from the request's replica, else the primary."""
        replica = CHOSEN.get()
        if replica is None:
            return self.primary.connection()
        return self._on_replica(replica)

    @contextlib.asynccontextmanager
    async def _on_replica(self, replica: Replica) -> AsyncIterator[AsyncConnection]:
        try:
            async with replica.pool.connection() as conn:
                yield conn
        except REPLICA_FAILURES as error:
            replica.failed(error)
            raise ReplicaFailed(replica.name) from error

    def facts(self) -> list[dict]:
        """Each replica as /ready reports it."""
        now = time.monotonic()
        return [
            {
                "replica": replica.name,
                "up": replica.up,
                "position": replica.position,
                "lag_seconds": _seconds(replica.lag(now)),
                "used": replica.usable(now, self.max_lag, 0),
                **({"error": replica.error} if replica.error and not replica.up else {}),
            }
            for replica in self.replicas
        ]

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(POLL_INTERVAL)
            try:
                await self._look()
            except Exception:  # the watch must go on whatever one look met
                log.exception("looking at the replicas failed")

    async def _look(self) -> None:
        self.history.record(time.monotonic(), self._primary_position())
        await asyncio.gather(*(self._probe(replica) for replica in self.replicas))

    async def _probe(self, replica: Replica) -> None:
        try:
            async with asyncio.timeout(PROBE_TIMEOUT):
                if replica.probe is None or replica.probe.closed:
                    replica.probe = await AsyncConnection.connect(replica.url, autocommit=True)
                position = await _replica_position(replica.probe)
                if replica.renew:
                    await self._renew_pool(replica)
        except (TimeoutError, psycopg.Error, psycopg_pool.PoolTimeout) as error:
            if replica.up or replica.error is None:
                log.warning("replica %s is not answering: %s", replica.name, error or "timeout")
            replica.up = False
            replica.renew = True
            reason = str(error).strip().splitlines()[0] if str(error).strip() else "timeout"
            replica.error = reason
            if replica.probe is not None:
                probe, replica.probe = replica.probe, None
                with contextlib.suppress(Exception):
                    await probe.close()
            return
        if not replica.up:
            log.info("replica %s answers (position %d)", replica.name, position)
        replica.position = position
        replica.behind_since = self.history.behind_since(position)
        replica.up = True
        replica.error = None

    async def _renew_pool(self, replica: Replica) -> None:
        """A new pool with a live connection in it: the old pool's connections broke with the
        server, and the old pool itself may be waiting out a long reconnection backoff."""
        pool = _replica_pool(replica.url, self.size)
        try:
            await pool.open(wait=True, timeout=PROBE_TIMEOUT)
        except BaseException:
            await pool.close()
            raise
        old, replica.pool, replica.renew = replica.pool, pool, False
        closing = asyncio.create_task(old.close(), name="replica-pool-close")
        self._closing.add(closing)
        closing.add_done_callback(self._closing.discard)


def _replica_pool(url: str, size: int) -> AsyncConnectionPool:
    return AsyncConnectionPool(
        url,
        min_size=1,
        max_size=size,
        kwargs={"autocommit": True},
        configure=configure_connection,
        timeout=POOL_TIMEOUT,
        open=False,
    )


async def _replica_position(conn: AsyncConnection) -> int:
    """The lower of the read models' and the home feeds' positions on this database (0 while a
    tracking row or the table itself has not reached it)."""
    try:
        cursor = await conn.execute(POSITIONS_SQL, (list(TRACKED_APPLICATIONS),))
    except psycopg.errors.UndefinedTable:
        return 0
    found = dict(await cursor.fetchall())
    return min(found.get(name, 0) for name in TRACKED_APPLICATIONS)


def _seconds(value: float) -> float | None:
    return round(value, 3) if math.isfinite(value) else None
