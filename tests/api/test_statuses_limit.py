"""The statuses family (§6.6 step 10, §6.16): statuses published and edits recorded count
toward one per-account limit; past it, 429 and nothing recorded; create and update answer with
the family's X-RateLimit-* headers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.support import Directory, LiveServer, scratch_database

PERIOD = 10800


@pytest.fixture(scope="module")
def limited(server_url: str) -> Iterator[tuple[LiveServer, Directory]]:
    """A server allowing 3 statuses and edits per account and 3-hour window."""
    with scratch_database(server_url) as url:
        server = LiveServer(
            url,
            {"TOOTLOG_STATUSES_LIMIT": "3", "TOOTLOG_DB_POOL_SIZE": "2"},
        )
        directory = Directory(url)
        try:
            yield server, directory
        finally:
            server.stop()
            directory.close()


def test_edits_count_toward_the_statuses_limit(limited: tuple[LiveServer, Directory]) -> None:
    server, directory = limited
    user, other = directory.user(), directory.user()
    with server.client(user.token) as client:
        first = client.post("/api/v1/statuses", data={"status": "one"})
        edited = client.put(f"/api/v1/statuses/{first.json()['id']}", data={"status": "two"})
        # No change: nothing recorded, nothing counted.
        same = client.put(f"/api/v1/statuses/{first.json()['id']}", data={"status": "two"})
        second = client.post("/api/v1/statuses", data={"status": "three"})
        refused_post = client.post("/api/v1/statuses", data={"status": "four"})
        refused_edit = client.put(f"/api/v1/statuses/{first.json()['id']}", data={"status": "5"})
        history = client.get(f"/api/v1/statuses/{first.json()['id']}/history").json()
        own = client.get(f"/api/v1/accounts/{first.json()['account']['id']}/statuses").json()
    answers = [first, edited, same, second, refused_post, refused_edit]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429, 429]
    assert [a.headers["x-ratelimit-remaining"] for a in answers] == ["2", "1", "1", "0", "0", "0"]
    assert all(a.headers["x-ratelimit-limit"] == "3" for a in answers)
    assert refused_post.json() == refused_edit.json() == {"error": "Too many requests"}
    window_end = (int(datetime.now(UTC).timestamp()) // PERIOD + 1) * PERIOD
    reset = datetime.strptime(first.headers["x-ratelimit-reset"], "%Y-%m-%dT%H:%M:%S.%f%z")
    assert int(reset.timestamp()) == window_end
    # Nothing of the refused requests was recorded.
    assert [v["content"] for v in history] == ["<p>one</p>", "<p>two</p>"]
    assert [s["content"] for s in own] == ["<p>three</p>", "<p>two</p>"]
    # Another account has a count of its own; other requests carry the request throttle's.
    with server.client(other.token) as client:
        theirs = client.post("/api/v1/statuses", data={"status": "mine"})
        read = client.get("/api/v1/instance")
    assert theirs.status_code == 200 and theirs.headers["x-ratelimit-remaining"] == "2"
    assert int(read.headers["x-ratelimit-limit"]) > 3
