"""Rate-limit counts shared by every API process and host, in PostgreSQL (the primary: the only
engine every process of a deployment already shares).

One table, `tootlog_rate_counts`, one row per bucket and fixed window. It is not a read model:
nothing in it comes from the log, `rebuild` and `verify` leave it alone, and it is UNLOGGED (no
WAL: a crash of PostgreSQL resets the current windows, which costs clients nothing, and replicas
never see it).

Two ways to count:

- `SharedThrottle` (the request throttle, many requests a second): each process counts locally
  and sends its pending increments per bucket in one statement, learning the totals in the same
  statement, when a bucket's pending share reaches a slice (1% of the limit) or every
  FLUSH_INTERVAL. It admits a request while the last total it learned plus what it has not
  sent is under the limit. Within the last tenth of a bucket's limit (or when this process
  holds two slices of it unsent: its sends are slow), a request is counted in PostgreSQL before
  it is answered. So requests far from their limit never wait for PostgreSQL, a bucket costs at
  most a tenth of its limit in round trips per window, and N processes admit at most about two
  slices each past the limit, never fewer than the limit.
- `reserve` and `release` (the statuses family, a few a minute): one round trip each, exact. The
  count is taken before the work and given back when the work records nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

import psycopg
from psycopg_pool import AsyncConnectionPool

log = logging.getLogger("tootlog.ratelimit")

TABLE = "tootlog_rate_counts"
# Held while the table is created: API processes starting together create it once.
CREATE_LOCK_KEY = 0x746F6F7472617465
CREATE_SQL = f"""
CREATE UNLOGGED TABLE IF NOT EXISTS {TABLE} (
    bucket text NOT NULL,
    window_number bigint NOT NULL,
    n bigint NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (bucket, window_number)
)"""

# Rows in bucket order: two processes sending overlapping buckets lock them in the same order.
FLUSH_SQL = f"""
INSERT INTO {TABLE} AS c (bucket, window_number, n, expires_at)
SELECT bucket, %(window)s, n, to_timestamp(%(expires)s)
  FROM unnest(%(buckets)s::text[], %(counts)s::bigint[]) AS sent(bucket, n)
 ORDER BY bucket
ON CONFLICT (bucket, window_number) DO UPDATE SET n = c.n + excluded.n
RETURNING bucket, n
"""
RESERVE_SQL = f"""
INSERT INTO {TABLE} AS c (bucket, window_number, n, expires_at)
VALUES (%(bucket)s, %(window)s, 1, to_timestamp(%(expires)s))
ON CONFLICT (bucket, window_number) DO UPDATE SET n = c.n + 1 WHERE c.n < %(limit)s
RETURNING n
"""
RELEASE_SQL = f"""
UPDATE {TABLE} SET n = n - 1 WHERE bucket = %(bucket)s AND window_number = %(window)s
RETURNING n
"""
EXPIRE_SQL = f"DELETE FROM {TABLE} WHERE expires_at < now()"

# Seconds between sends of what a process has counted (when no bucket filled its slice).
FLUSH_INTERVAL = 0.2
# Ended windows are deleted this often (by every process; the statement is cheap).
EXPIRE_INTERVAL = 60.0
# A process sends a bucket's count once it holds this share of the limit unsent.
SLICE_SHARE = 0.01
# Within this share of the limit, each request is counted in PostgreSQL before it is answered.
NEAR_SHARE = 0.1
# Seconds a request waits for a connection to count it (then this process's count decides).
SEND_TIMEOUT = 1.0


def rule_name(family: str, limit: int, period: float) -> str:
    """What a bucket's name starts with: servers sharing a database with other limits (a
    change of configuration rolling out, test servers) keep counts of their own."""
    return f"{family}/{limit}/{period:g}"


async def create_table(pool: AsyncConnectionPool) -> None:
    """Create the table if it is missing, in the database `pool` writes to (at every start)."""
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (CREATE_LOCK_KEY,))
        await conn.execute(CREATE_SQL)


class _Bucket:
    """A bucket's count in the current window as this process knows it: the total PostgreSQL
    last answered, what is on its way there, and what has not been sent yet."""

    __slots__ = ("known", "pending", "sending")

    def __init__(self) -> None:
        self.known = self.sending = self.pending = 0


class SharedThrottle:
    """`limit` per bucket and fixed window of `period` seconds, counted across processes.
    Without a pool (tests of the windows alone) the counts stay in this process."""

    def __init__(
        self,
        pool: AsyncConnectionPool | None,
        limit: int,
        period: float,
        clock: Callable[[], float] = time.time,
        flush_interval: float = FLUSH_INTERVAL,
        *,
        family: str = "requests",
        exact_below: int = 0,
    ) -> None:
        """`exact_below`: limits up to this are always counted in PostgreSQL first."""
        self.pool = pool
        self.limit = limit  # 0: off
        self.period = period
        self.clock = clock
        self.flush_interval = flush_interval
        self.slice = max(1, int(limit * SLICE_SHARE))
        self.margin = max(2 * self.slice, int(limit * NEAR_SHARE), min(limit, exact_below))
        self.rule = rule_name(family, limit, period)
        self.window = -1
        self._buckets: dict[str, _Bucket] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._failing = False

    async def admit(self, key: str) -> int:
        """Count a request against `key`'s bucket: its number in the window (above the limit:
        refused)."""
        count = self.admit_here(key)
        return count if count is not None else await self.admit_now(key)

    def admit_here(self, key: str) -> int | None:
        """`admit` without PostgreSQL: the request's number as this process knows it (above
        the limit: refused, and not counted), or None when PostgreSQL must decide
        (`admit_now`): the bucket is within a tenth of its limit, or this process holds two
        slices of it unsent (its sends are slow)."""
        window = int(self.clock() // self.period)
        if window != self.window:  # windows are aligned: every older count is stale
            self.window, self._buckets = window, {}
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket()
        seen = bucket.known + bucket.sending + bucket.pending
        if seen >= self.limit:
            return seen + 1
        near = seen >= self.limit - self.margin or bucket.pending >= 2 * self.slice
        if near and self.pool is not None and not self._failing:
            return None
        bucket.pending += 1
        if bucket.pending >= self.slice:
            self._wake.set()
        return seen + 1

    async def admit_now(self, key: str) -> int:
        """Count a request in PostgreSQL, with what this process has not sent of its bucket,
        and answer the total (its number, taken as the last of them); when PostgreSQL cannot
        be reached, this process's count."""
        bucket = self._buckets.setdefault(key, _Bucket())
        bucket.pending += 1
        totals = await self._send(self.window, self._buckets, {key: bucket.pending}, SEND_TIMEOUT)
        if totals is None:
            return bucket.known + bucket.sending + bucket.pending
        return totals[key]

    def give_back(self, key: str) -> None:
        """Uncount one `admit_here` counted (sent with the next counts when already sent)."""
        bucket = self._buckets.get(key)
        if bucket is not None:  # else its window has ended: nothing to give back
            bucket.pending -= 1

    def heard(self, key: str, total: int, *, lowered: bool = False) -> None:
        """A total of `key`'s bucket counted in PostgreSQL by another path (`reserve`, or
        `release`: `lowered`, the newest total, lower than what was heard before)."""
        bucket = self._buckets.setdefault(key, _Bucket())
        bucket.known = total if lowered else max(bucket.known, total)

    def window_end(self) -> float:
        return (self.window + 1) * self.period

    async def start(self) -> None:
        if self.pool is not None and self.limit > 0:
            self._task = asyncio.create_task(self._run(), name="rate-limit-flush")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            await self.flush()  # what this process admitted last still counts for the others

    async def _run(self) -> None:
        expired_at = 0.0
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.flush_interval):
                    await self._wake.wait()
            self._wake.clear()
            await self.flush()
            if time.monotonic() - expired_at > EXPIRE_INTERVAL:
                expired_at = time.monotonic()
                with contextlib.suppress(psycopg.Error):
                    await self._execute(EXPIRE_SQL, {})

    async def flush(self) -> None:
        """Send every bucket's unsent count and learn the totals."""
        sent = {key: bucket.pending for key, bucket in self._buckets.items() if bucket.pending}
        if sent:
            await self._send(self.window, self._buckets, sent)

    async def _send(
        self,
        window: int,
        buckets: dict[str, _Bucket],
        sent: dict[str, int],
        timeout: float | None = None,
    ) -> dict[str, int] | None:
        """Add `sent` to the shared counts; the totals, or None when that failed (the counts
        are kept here, to send again)."""
        if self.pool is None:
            return None
        names = {f"{self.rule}:{key}": key for key in sent}
        for key, count in sent.items():
            bucket = buckets[key]
            bucket.sending += count
            bucket.pending -= count
        params = {
            "window": window,
            "expires": (window + 1) * self.period,
            "buckets": list(names),
            "counts": list(sent.values()),
        }
        try:
            rows = await self._execute(FLUSH_SQL, params, timeout)
        except (psycopg.Error, OSError) as error:
            if not self._failing:
                log.warning("rate-limit counts could not be shared: %s", error)
            self._failing = True
            for key, count in sent.items():
                bucket = buckets[key]
                bucket.sending -= count
                bucket.pending += count
            return None
        self._failing = False
        totals = {names[name]: total for name, total in rows}
        for key, total in totals.items():
            bucket = buckets[key]
            bucket.sending -= sent[key]
            bucket.known = max(bucket.known, total)
        return totals

    async def _execute(self, sql: str, params: dict, timeout: float | None = None) -> list[tuple]:
        assert self.pool is not None
        async with self.pool.connection(timeout) as conn:
            cursor = await conn.execute(sql, params)
            return await cursor.fetchall() if cursor.description else []


async def reserve(
    pool: AsyncConnectionPool, bucket: str, window: int, expires: float, limit: int
) -> int | None:
    """Take one of `limit` in `bucket`'s window; the count with it, or None when full."""
    async with pool.connection() as conn:
        cursor = await conn.execute(
            RESERVE_SQL,
            {"bucket": bucket, "window": window, "expires": expires, "limit": limit},
        )
        row = await cursor.fetchone()
    return None if row is None else row[0]


async def release(pool: AsyncConnectionPool, bucket: str, window: int) -> int:
    """Give back one taken by `reserve`; the count left."""
    async with pool.connection() as conn:
        cursor = await conn.execute(RELEASE_SQL, {"bucket": bucket, "window": window})
        row = await cursor.fetchone()
    return 0 if row is None else row[0]
