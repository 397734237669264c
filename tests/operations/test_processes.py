"""Process layouts, run as an operator runs them: `tootlog serve --workers 2` (two API processes
on one port, one projection worker), `tootlog api` beside `tootlog project`, a standby projection
worker taking over, and rate limits shared by the API processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import orjson
import psycopg
import pytest

from api.ratelimit import reset_header
from api.shared_counts import FLUSH_INTERVAL
from projections.worker import worker_is_running
from tests.operations.conftest import tootlog
from tests.operations.processes import (
    api_processes,
    connections_on_each,
    descendants,
    request,
    serving_pid,
)
from tests.support import TEST_DOMAIN, Directory, LiveServer, serving

RATE_LIMIT = 200
PERIOD = 1_000_000_000  # one window for the whole test run
STATUSES_LIMIT = 5
TWO_PROCESSES = ("serve", "--workers", "2")


@pytest.fixture(scope="module")
def two(server_url: str) -> Iterator[tuple[LiveServer, Directory]]:
    """`tootlog serve --workers 2` with small limits."""
    env = {
        "TOOTLOG_RATE_LIMIT": str(RATE_LIMIT),
        "TOOTLOG_RATE_LIMIT_PERIOD": str(PERIOD),
        "TOOTLOG_STATUSES_LIMIT": str(STATUSES_LIMIT),
        "TOOTLOG_DB_POOL_SIZE": "2",
    }
    with serving(server_url, env, command=TWO_PROCESSES) as server:
        directory = Directory(server.database_url)
        yield server, directory
        directory.close()


def test_serve_with_two_workers_answers_from_two_processes_and_projects_once(
    two: tuple[LiveServer, Directory],
) -> None:
    server, directory = two
    pids = api_processes(server)
    assert len(pids) == 2
    assert len(descendants(server.process.pid, b"project")) == 1
    assert worker_is_running(server.database_url)  # an advisory lock has one holder at most
    user = directory.user()
    held = connections_on_each(server, 1)
    (first,), (second,) = held.values()
    posted = request(first, "POST", "/api/v1/statuses", user.token, "status=from+one+process")
    assert posted.status == 200, posted.data
    status_id = orjson.loads(posted.data)["id"]
    # The other process reads it at once: the read models are shared, the worker is one.
    read = request(second, "GET", f"/api/v1/statuses/{status_id}", user.token)
    assert read.status == 200
    assert orjson.loads(read.data)["content"] == "<p>from one process</p>"
    assert serving_pid(first, pids) != serving_pid(second, pids)


def test_two_processes_enforce_one_request_limit(two: tuple[LiveServer, Directory]) -> None:
    server, directory = two
    token = directory.user().token
    held = connections_on_each(server, 4)  # anonymous: the token's bucket is still empty
    codes: list[int] = []

    def hammer(connection) -> None:  # noqa: ANN001
        for _ in range(RATE_LIMIT // 4):
            codes.append(request(connection, "GET", "/api/v1/instance", token).status)

    threads = [threading.Thread(target=hammer, args=(c,)) for conns in held.values() for c in conns]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    admitted = codes.count(200)
    print(f"{len(codes)} requests, one token, two processes: {admitted} admitted")
    assert RATE_LIMIT <= admitted <= RATE_LIMIT * 1.1
    assert codes.count(429) == len(codes) - admitted


def test_rebuild_and_verify_leave_the_shared_counts_alone(
    two: tuple[LiveServer, Directory],
) -> None:
    server, directory = two
    token = directory.user().token
    with server.client(token) as client:
        for _ in range(3):
            client.get("/api/v1/instance")
    time.sleep(2 * FLUSH_INTERVAL)  # sent by now

    def counts() -> list[tuple]:
        with psycopg.connect(server.database_url, autocommit=True) as conn:
            return conn.execute(
                "SELECT bucket, window_number, n FROM tootlog_rate_counts ORDER BY 1, 2"
            ).fetchall()

    before = counts()
    assert any(n == 3 for _, _, n in before)
    assert tootlog(server.database_url, "rebuild").returncode == 0
    verified = tootlog(server.database_url, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "tootlog_rate_counts" not in verified.stdout
    assert counts() == before


def test_the_headers_count_down_across_processes(two: tuple[LiveServer, Directory]) -> None:
    server, directory = two
    token = directory.user().token
    (a, *_), (b, *_) = connections_on_each(server, 1).values()
    slice_ = max(1, RATE_LIMIT // 100)
    window_end = reset_header((int(datetime.now(UTC).timestamp()) // PERIOD + 1) * PERIOD)
    seen = []
    for number in range(1, 31):
        answer = request(a if number % 2 else b, "GET", "/api/v1/instance", token)
        remaining = int(answer.getheader("x-ratelimit-remaining"))
        seen.append(remaining)
        # Never more counted than used; never more than what the other process counted since
        # this one last heard the total (a few slices) less.
        assert RATE_LIMIT - number <= remaining <= RATE_LIMIT - number + 4 * slice_
        assert answer.getheader("x-ratelimit-limit") == str(RATE_LIMIT)
        assert answer.getheader("x-ratelimit-reset") == window_end
    print(f"Remaining over 30 requests alternating between the processes: {seen}")


def test_the_statuses_limit_holds_exactly_across_processes(
    two: tuple[LiveServer, Directory],
) -> None:
    server, directory = two
    user = directory.user()
    held = connections_on_each(server, 6)
    start = threading.Barrier(12)
    codes: list[int] = []

    def publish(connection, number: int) -> None:  # noqa: ANN001
        start.wait()
        body = f"status=racing+{number}"
        codes.append(request(connection, "POST", "/api/v1/statuses", user.token, body).status)

    connections = [c for conns in held.values() for c in conns]
    threads = [threading.Thread(target=publish, args=(c, n)) for n, c in enumerate(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [200] * STATUSES_LIMIT + [429] * (12 - STATUSES_LIMIT)
    account = request(connections[0], "GET", f"/api/v1/accounts/{user.account_id}")
    assert orjson.loads(account.data)["statuses_count"] == STATUSES_LIMIT


def test_sigterm_lets_a_request_in_flight_finish(fresh_database_url: str) -> None:
    server = LiveServer(fresh_database_url, command=TWO_PROCESSES)
    directory = Directory(fresh_database_url)
    try:
        user = directory.user()
        body = b"status=sent+while+stopping"
        with socket.create_connection(("127.0.0.1", server.port)) as conn:
            conn.sendall(
                b"POST /api/v1/statuses HTTP/1.1\r\nHost: x\r\n"
                b"Authorization: Bearer " + user.token.encode() + b"\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body[:6]
            )
            time.sleep(0.5)  # the request is in the app, waiting for its body
            server.process.send_signal(signal.SIGTERM)
            time.sleep(1.0)
            conn.sendall(body[6:])
            answer = conn.makefile("rb").read()  # the server closes once it has answered
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        assert b"sent while stopping" in answer
        assert server.process.wait(timeout=20) == 0
    finally:
        server.stop()
        directory.close()


def test_api_processes_serve_beside_a_projection_worker_of_their_own(
    fresh_database_url: str,
) -> None:
    worker = start_project(fresh_database_url)
    wait_for_output(worker, "projection worker active")
    server = LiveServer(fresh_database_url, command=("api", "--workers", "2"))
    directory = Directory(fresh_database_url)
    try:
        assert len(api_processes(server)) == 2
        assert descendants(server.process.pid, b"project") == set()
        user = directory.user()
        with server.client(user.token) as client:
            posted = client.post("/api/v1/statuses", data={"status": "split layout"})
        assert posted.status_code == 200, posted.text
    finally:
        server.stop()
        directory.close()
        stop(worker)


def test_a_standby_projection_worker_takes_over_within_five_seconds(
    fresh_database_url: str,
) -> None:
    active = start_project(fresh_database_url)
    standby = None
    wait_for_output(active, "projection worker active")  # the tables are there
    directory = Directory(fresh_database_url)
    try:
        standby = start_project(fresh_database_url)
        directory.user()  # projected by the active worker
        time.sleep(1.0)  # the standby waits in the lock queue
        assert "projection worker active" not in output(standby)
        active.kill()
        killed = time.monotonic()
        active.wait()
        wait_for_output(standby, "projection worker active")
        took_lock = time.monotonic() - killed
        user = directory.user()  # its token is readable once the standby projects it
        readable = time.monotonic() - killed
        print(
            f"standby took the lock {took_lock:.2f} s after the kill; a new write was"
            f" readable after {readable:.2f} s"
        )
        assert readable < 5.0
        assert worker_is_running(fresh_database_url)
        assert user.token
    finally:
        for process in (active, standby):
            if process is not None:
                stop(process)
        directory.close()


def start_project(database_url: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "TOOTLOG_DOMAIN": TEST_DOMAIN}
    log = tempfile.NamedTemporaryFile(prefix="tootlog-project-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "project"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    process.log_path = log.name  # type: ignore[attr-defined]
    log.close()
    return process


def output(process: subprocess.Popen) -> str:
    return Path(process.log_path).read_text(errors="replace")  # type: ignore[attr-defined]


def wait_for_output(process: subprocess.Popen, text: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while text not in output(process):
        assert process.poll() is None, output(process)
        assert time.monotonic() < deadline, f"no {text!r} in:\n{output(process)}"
        time.sleep(0.02)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    Path(process.log_path).unlink(missing_ok=True)  # type: ignore[attr-defined]
