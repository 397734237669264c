"""The statuses family of Mastodon's RateLimiter (§6.6 step 10, §6.16): an account may publish and
edit 300 statuses per 3-hour window (fixed windows aligned on the epoch, as Mastodon's Redis
keys). A status published through the API counts (`with_rate_limit`); so does every recorded
edit (StatusEdit `rate_limit by: :account, family: :statuses`; the snapshot of the original a
first edit records does not). A request that finds the window full is 429 `Too many requests`
and records nothing; an idempotent retry, a scheduled status and an edit that changes nothing
are not counted.

POST /api/v1/statuses and PUT /api/v1/statuses/:id answer with this family's X-RateLimit-*
headers (`override_rate_limit_headers`), unless the request throttle (api/ratelimit.py) has
fewer left. Counts are shared by every API process and host through PostgreSQL, exactly: a
request takes its place in the window before the command runs (one statement that refuses past
the limit, api/shared_counts.py) and gives it back when nothing was recorded, so racing requests
on several processes never publish more than the limit.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable

from psycopg_pool import AsyncConnectionPool
from starlette.responses import Response

from api.errors import ApiError
from api.ratelimit import reset_header
from api.shared_counts import release, reserve, rule_name

LIMIT = 300
PERIOD = 3 * 60 * 60


class Place:
    """A request's place in its account's window: `recorded` keeps it."""

    def __init__(self, window: int, count: int) -> None:
        self.window = window
        self.count = count
        self.recorded = False


class StatusesLimit:
    """Per-account counts of the current window, in the shared table."""

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

    @contextlib.asynccontextmanager
    async def place(self, account_id: int) -> AsyncIterator[Place]:
        """RateLimiter#record!: a place in the window, or 429 (before anything is written) when
        it is full. The place is given back unless the block sets `recorded` (an idempotent
        retry, an edit that changes nothing and a refused request are not counted)."""
        window = int(self.clock() // self.period)
        if self.limit <= 0:
            yield Place(window, 0)
            return
        bucket = f"{rule_name('statuses', self.limit, self.period)}:{account_id}"
        count = await reserve(self.pool, bucket, window, (window + 1) * self.period, self.limit)
        if count is None:
            full = Place(window, self.limit)
            raise ApiError(429, "Too many requests", headers=self.headers(full))
        place = Place(window, count)
        try:
            yield place
        finally:
            if not place.recorded:
                place.count = await release(self.pool, bucket, window)

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
