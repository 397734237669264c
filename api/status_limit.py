"""The statuses family of Mastodon's RateLimiter (§6.6 step 10, §6.16): an account may publish and
edit 300 statuses per 3-hour window (fixed windows aligned on the epoch, as Mastodon's Redis
keys). A status published through the API counts (`with_rate_limit`); so does every recorded
edit (StatusEdit `rate_limit by: :account, family: :statuses`; the snapshot of the original a
first edit records does not). A request that finds the window full is 429 `Too many requests`
and records nothing; an idempotent retry, a scheduled status and an edit that changes nothing
are not counted.

POST /api/v1/statuses and PUT /api/v1/statuses/:id answer with this family's X-RateLimit-*
headers (`override_rate_limit_headers`), unless the request throttle (api/ratelimit.py) has
fewer left. Counts live in this process, as the request throttle's.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from starlette.responses import Response

from api.errors import ApiError
from api.ratelimit import reset_header

LIMIT = 300
PERIOD = 3 * 60 * 60


class StatusesLimit:
    """Per-account counts of the current window."""

    def __init__(
        self, limit: int = LIMIT, period: float = PERIOD, clock: Callable[[], float] = time.time
    ) -> None:
        self.limit = limit  # 0: off
        self.period = period
        self.clock = clock
        self._window = -1
        self._counts: dict[int, int] = {}

    def _current(self) -> int:
        window = int(self.clock() // self.period)
        if window != self._window:
            self._window, self._counts = window, {}
        return window

    def check(self, account_id: int) -> None:
        """RateLimiter#record!'s refusal, before anything is written: 429 when full."""
        self._current()
        if self.limit > 0 and self._counts.get(account_id, 0) >= self.limit:
            raise ApiError(429, "Too many requests", headers=self.headers(account_id))

    def record(self, account_id: int) -> None:
        """Count a status published or an edit recorded."""
        self._current()
        self._counts[account_id] = self._counts.get(account_id, 0) + 1

    def headers(self, account_id: int) -> dict[str, str]:
        window = self._current()
        remaining = max(0, self.limit - self._counts.get(account_id, 0))
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": reset_header((window + 1) * self.period),
        }

    def answer(self, response: Response, account_id: int) -> Response:
        """Put the family's headers on a create or update answer."""
        if self.limit > 0:
            response.headers.update(self.headers(account_id))
        return response
