"""Rate limiting (§10): all three X-RateLimit headers on every answer, 429 past the limit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from datetime import datetime

import pytest

from api.ratelimit import RateLimit
from api.shared_counts import SharedThrottle
from tests.support import Directory, LiveServer, scratch_database

HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


def test_every_answer_carries_all_three_headers(live_server: LiveServer, alice) -> None:  # noqa: ANN001
    with live_server.client() as client:
        answers = [
            client.get("/api/v1/instance"),
            client.get("/api/v1/statuses/1"),
            client.post("/api/v1/statuses", data={"status": "x"}),
            client.get("/no/such/route"),
            client.post("/oauth/token", data={"grant_type": "password"}),
        ]
    assert [a.status_code for a in answers] == [200, 404, 401, 404, 401]
    for answer in answers:
        assert all(name in answer.headers for name in HEADERS)
        assert int(answer.headers["x-ratelimit-remaining"]) <= int(
            answer.headers["x-ratelimit-limit"]
        )
        reset = datetime.strptime(answer.headers["x-ratelimit-reset"], "%Y-%m-%dT%H:%M:%S.%fZ")
        assert reset.year >= 2020


@pytest.fixture(scope="module")
def limited(server_url: str) -> Iterator[tuple[LiveServer, Directory]]:
    """A server allowing 3 requests per bucket in a window that outlasts the test run."""
    with scratch_database(server_url) as url:
        server = LiveServer(
            url,
            {
                "TOOTLOG_RATE_LIMIT": "3",
                "TOOTLOG_RATE_LIMIT_PERIOD": "1000000000",
                "TOOTLOG_DB_POOL_SIZE": "2",  # the PostgreSQL server is shared
            },
        )
        directory = Directory(url)
        try:
            yield server, directory
        finally:
            server.stop()
            directory.close()


def test_past_the_limit_the_answer_is_429_with_mastodons_body(
    limited: tuple[LiveServer, Directory],
) -> None:
    server, directory = limited
    user = directory.user()
    with server.client(user.token) as client:
        answers = [client.get("/api/v1/instance") for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert [a.headers["x-ratelimit-remaining"] for a in answers] == ["2", "1", "0", "0", "0"]
    assert all(a.headers["x-ratelimit-limit"] == "3" for a in answers)
    assert answers[3].json() == {"error": "Too many requests"}
    assert answers[3].headers["x-ratelimit-reset"] == answers[0].headers["x-ratelimit-reset"]
    # Another token has a bucket of its own; requests without a token count by address.
    other = directory.user()
    with server.client(other.token) as client:
        assert client.get("/api/v1/instance").status_code == 200
    with server.client("unknown-token") as client:
        first = client.get("/api/v1/instance")  # the server's start-up probe came from here too
        remaining = int(first.headers["x-ratelimit-remaining"])
        rest = [client.get("/api/v1/instance").status_code for _ in range(remaining + 1)]
    with server.client() as client:
        anonymous = client.get("/api/v1/instance")
    assert first.status_code == 200
    assert rest == [200] * remaining + [429]
    assert anonymous.status_code == 429


def _run(app: RateLimit, scope_type: str = "http") -> list[dict]:
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app({"type": scope_type, "client": ("10.0.0.1", 1)}, receive, send))
    return sent


async def _ok(scope: dict, receive, send) -> None:  # noqa: ANN001
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


async def _same_key(scope: dict) -> str:
    return "k"


def _limiter(limit: int, clock: Callable[[], float] = time.time) -> RateLimit:
    """The middleware over a throttle whose counts stay in this process (no pool)."""
    throttle = SharedThrottle(None, limit, 300, clock=clock)
    return RateLimit(_ok, key=_same_key, throttle=lambda scope: throttle)


def test_a_new_window_starts_a_new_count() -> None:
    now = [1000.0]
    limiter = _limiter(2, clock=lambda: now[0])

    def status() -> tuple[int, dict[bytes, bytes]]:
        start = _run(limiter)[0]
        return start["status"], dict(start["headers"])

    assert status()[0] == 200
    code, headers = status()
    assert (code, headers[b"x-ratelimit-remaining"]) == (200, b"0")
    assert headers[b"x-ratelimit-reset"] == b"1970-01-01T00:20:00.000000Z"  # 1200 s
    assert status()[0] == 429
    now[0] = 1200.0  # the next fixed window
    assert status() == (
        200,
        {
            b"x-ratelimit-limit": b"2",
            b"x-ratelimit-remaining": b"1",
            b"x-ratelimit-reset": b"1970-01-01T00:25:00.000000Z",
        },
    )


def test_a_limit_of_zero_switches_throttling_and_headers_off() -> None:
    limiter = _limiter(0)
    for _ in range(3):
        start = _run(limiter)[0]
        assert start["status"] == 200 and start["headers"] == []
