"""Mastodon's API throttle (§10): `limit` requests per fixed window of `period` seconds, counted
per access token, or per client IP for requests without a valid token.

Every answer carries X-RateLimit-Limit, -Remaining and -Reset (all three: Mastodon.py reads them
together and sleeps until Reset on a 429). Counts are shared by every API process through
PostgreSQL without a round trip per request (api/shared_counts.py, `SharedThrottle`): the
lifespan puts the process's throttle in `app.state.throttle`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import orjson
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import presented_token
from api.services import services
from api.shared_counts import SharedThrottle
from domain.token import hash_token

log = logging.getLogger("tootlog.ratelimit")

TOO_MANY = orjson.dumps({"error": "Too many requests"})


def reset_header(moment: float) -> str:
    """Rails' `Time#iso8601(6)` in UTC, e.g. 2023-06-10T15:00:00.000000Z."""
    return datetime.fromtimestamp(moment, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def app_throttle(scope: Scope) -> SharedThrottle:
    """The throttle the lifespan started for this app."""
    return scope["app"].state.throttle


class RateLimit:
    """ASGI middleware; `key(scope)` names the bucket a request counts against, `throttle(scope)`
    counts it."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        key: Callable[[Scope], Awaitable[str]],
        throttle: Callable[[Scope], SharedThrottle] = app_throttle,
        exempt: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.exempt = exempt  # paths never counted nor throttled (health checks, metrics)
        self.key = key
        self.throttle = throttle
        self._window = -1
        self._reset_header = b""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        throttle = self.throttle(scope) if scope["type"] == "http" else None
        if throttle is None or throttle.limit <= 0 or scope.get("path") in self.exempt:
            await self.app(scope, receive, send)
            return
        try:
            key = await self.key(scope)
        except Exception:  # the database is away: count the request by address instead
            log.exception("rate limit key lookup failed")
            key = ip_key(scope)
        count = await throttle.admit(key)
        if throttle.window != self._window:
            self._window = throttle.window
            self._reset_header = reset_header(throttle.window_end()).encode()
        headers = [
            (b"x-ratelimit-limit", str(throttle.limit).encode()),
            (b"x-ratelimit-remaining", str(max(0, throttle.limit - count)).encode()),
            (b"x-ratelimit-reset", self._reset_header),
        ]
        if count > throttle.limit:
            await send(
                {
                    "type": "http.response.start",
                    "status": 429,
                    "headers": [
                        (b"content-type", b"application/json; charset=utf-8"),
                        (b"content-length", str(len(TOO_MANY)).encode()),
                        (b"cache-control", b"private, no-store"),
                        *headers,
                    ],
                }
            )
            await send({"type": "http.response.body", "body": TOO_MANY})
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = most_limited([*message.get("headers", ())], headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)


RATE_HEADERS = (b"x-ratelimit-limit", b"x-ratelimit-remaining", b"x-ratelimit-reset")


def most_limited(answer: list, throttle: list) -> list:
    """The answer's headers with one set of X-RateLimit-*: the throttle's, unless the answer
    carries a family's (api/status_limit.py) with no more left (Mastodon's
    override_rate_limit_headers)."""
    own = {name.lower(): value for name, value in answer if name.lower() in RATE_HEADERS}
    if not own:  # most answers: the throttle's headers are the only ones
        return answer + throttle
    if b"x-ratelimit-remaining" in own and int(own[b"x-ratelimit-remaining"]) <= int(
        dict(throttle)[b"x-ratelimit-remaining"]
    ):
        return answer
    return [(name, value) for name, value in answer if name.lower() not in RATE_HEADERS] + throttle


def ip_key(scope: Scope) -> str:
    client = scope.get("client")
    return f"ip:{client[0] if client else ''}"


async def request_key(scope: Scope) -> str:
    """A live token's bucket, else the client address's (unknown tokens are anonymous)."""
    token = presented_token(scope)
    if token:
        token_hash = hash_token(token)
        row = await services(Request(scope)).queries.token(token_hash)
        if row is not None and not row.revoked:
            return f"token:{token_hash}"
    return ip_key(scope)
