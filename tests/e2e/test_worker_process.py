"""`tootlog serve` runs its projection worker as a child process: restarted if it dies, and
gone when serve is."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from tests.operations.processes import process_table
from tests.support import Directory, LiveServer


def children(pid: int, command: str | None = "project") -> set[int]:
    """The live child processes of `pid` running `tootlog <command>` (any, for None)."""
    return {
        child
        for child, (parent, argv) in process_table().items()
        if parent == pid and (command is None or command.encode() in argv)
    }


def wait_until(condition, what: str, timeout: float = 30.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.05)


def alive(pid: int) -> bool:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return False
    return fields[0] != "Z"


def test_a_killed_worker_is_restarted_and_writes_are_readable_again(
    fresh_database_url: str,
) -> None:
    server = LiveServer(fresh_database_url)
    directory = Directory(fresh_database_url)
    try:
        (worker,) = children(server.process.pid)
        os.kill(worker, signal.SIGKILL)
        wait_until(lambda: children(server.process.pid) - {worker}, "a new worker runs")
        user = directory.user()  # waits until the new worker has projected the token
        with server.client(user.token) as client:
            response = client.post("/api/v1/statuses", data={"status": "after a restart"})
        assert response.status_code == 200, response.text
        assert response.json()["account"]["statuses_count"] == 1
        assert "restarting" in server.output()
    finally:
        server.stop()
        directory.close()


def test_the_worker_stops_with_serve_even_when_serve_is_killed(fresh_database_url: str) -> None:
    stopped = LiveServer(fresh_database_url, {"TOOTLOG_CARDS": "1"})
    (first,) = children(stopped.process.pid)
    (cards,) = children(stopped.process.pid, "cards")
    stopped.process.terminate()
    stopped.process.wait(timeout=30)
    assert not alive(first)
    assert not alive(cards)
    assert "Fatal Python error" not in stopped.output()  # the worker shut down cleanly
    stopped.stop()

    killed = LiveServer(fresh_database_url)
    (second,) = children(killed.process.pid)
    killed.process.kill()
    killed.process.wait()
    wait_until(lambda: not alive(second), "the orphaned worker exits")
    killed.stop()


def test_no_worker_process_when_told_not_to(fresh_database_url: str) -> None:
    server = LiveServer(fresh_database_url, {"TOOTLOG_WORKER": "0"})
    try:
        assert children(server.process.pid, command=None) == set()
    finally:
        server.stop()


def test_serve_runs_a_card_worker_unless_cards_are_off(fresh_database_url: str) -> None:
    server = LiveServer(fresh_database_url, {"TOOTLOG_CARDS": "1"})
    try:
        assert len(children(server.process.pid, "cards")) == 1
    finally:
        server.stop()
    off = LiveServer(fresh_database_url, {"TOOTLOG_CARDS": "0"})
    try:
        assert children(off.process.pid, "cards") == set()
        assert len(children(off.process.pid, "project")) == 1
    finally:
        off.stop()
