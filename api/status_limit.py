"""The statuses family of Mastodon's RateLimiter (§6.6 step 10, §6.16): an account may publish and
edit 300 statuses per 3-hour window (fixed windows aligned on the epoch, as Mastodon's Redis
keys). A status published through the API counts (`with_rate_limit`); so does every recorded
edit (StatusEdit `rate_limit by: :account, family: :statuses`; the snapshot of the original a
first edit records does not). A request that finds the window full is 429 `Too many requests`
and records nothing; an idempotent retry, a scheduled status and an edit that changes nothing
are not counted.

POST /api/v1/statuses and PUT /api/v1/statuses/:id answer with this family's X-RateLimit-*
headers (`override_rate_limit_headers`), unless the request throttle (api/ratelimit.py) has
fewer left. Counts are shared by every API process and host through PostgreSQL
(api/shared_counts.py). Far from the limit an account's statuses are counted as the request
throttle counts (in the process, sent every 0.2 s): a statement per status cost a quarter of the
POST throughput, the one hot row of an account taking every POST's update. From 100 under the
limit (and for any limit up to 100) a request takes its place in PostgreSQL before the command
runs, with one statement that refuses past the limit: racing requests on several processes
publish at most the limit plus what the processes counted and had not sent yet (at most two
slices of 1% of the limit each). A place is given back when nothing was recorded.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable

from psycopg_pool import AsyncConnectionPool
from starlette.responses import Response

from api.errors import ApiError
from api.ratelimit import reset_header
from api.shared_counts import SharedThrottle, release, reserve

LIMIT = 300
PERIOD = 3 * 60 * 60


# Limits up to this are counted in PostgreSQL first, every status; larger ones from this far
# under the limit.
EXACT_BELOW = 100


class Place:
    """A request's place in its account's window: `recorded` keeps it."""

    def __init__(self, window: int, count: int, counted_here: bool = False) -> None:
        self.window = window
        self.count = count
        self.counted_here = counted_here  # in this process (else in PostgreSQL)
        self.recorded = False


class StatusesLimit:
    """Per-account counts of the current window, shared through PostgreSQL."""

    def __init__(
        self,
        pool: AsyncConnectionPool,
        limit: int = LIMIT,
        period: float = PERIOD,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.pool = pool
        self.limit = limit  # 0: off
        self.period = period
        self.clock = clock
        self.counts = SharedThrottle(
            pool, limit, period, clock, family="statuses", exact_below=EXACT_BELOW
        )

    async def start(self) -> None:
        await self.counts.start()

    async def stop(self) -> None:
        await self.counts.stop()

    @contextlib.asynccontextmanager
    async def place(self, account_id: int) -> AsyncIterator[Place]:
        """RateLimiter#record!: a place in the window, or 429 (before anything is written) when
        it is full. The place is given back unless the block sets `recorded` (an idempotent
        retry, an edit that changes nothing and a refused request are not counted)."""
        if self.limit <= 0:
            yield Place(int(self.clock() // self.period), 0)
            return
        key = str(account_id)
        count = self.counts.admit_here(key)
        window = self.counts.window
        if count is None:  # near the limit: PostgreSQL decides
            bucket = f"{self.counts.rule}:{key}"
            expires = (window + 1) * self.period
            count = await reserve(self.pool, bucket, window, expires, self.limit)
            if count is not None:
                self.counts.heard(key, count)
            place = Place(window, self.limit if count is None else count)
        else:
            place = Place(window, count, counted_here=True)
        if count is None or count > self.limit:  # a refusal counts nothing
            raise ApiError(429, "Too many requests", headers=self.headers(place))
        try:
            yield place
        finally:
            if place.recorded:
                pass
            elif place.counted_here:
                self.counts.give_back(key)
                place.count -= 1
            else:
                place.count = await release(self.pool, f"{self.counts.rule}:{key}", window)
                self.counts.heard(key, place.count, lowered=True)

    def headers(self, place: Place) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(0, self.limit - place.count)),
            "X-RateLimit-Reset": reset_header((place.window + 1) * self.period),
        }

    def answer(self, response: Response, place: Place) -> Response:
        """Put the family's headers on a create or update answer."""
        if self.limit > 0:
            response.headers.update(self.headers(place))
        return response
