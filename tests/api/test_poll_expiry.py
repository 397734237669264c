"""A poll's expiry is recorded once, at its time, by the scheduler: even with two schedulers
working at once, and after the scheduler was down when the time came."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import orjson
import psycopg
import pytest

from api.scheduler import Scheduler, scheduler_is_running
from tests.api.test_polls import publish_poll
from tests.operations.processes import descendants, process_table
from tests.support import Directory, LiveServer, eventually, serving

EXPIRED_TOPIC = "tootlog.poll.expired.v1"


@pytest.fixture
def server(server_url: str) -> Iterator[LiveServer]:
    """A server without a scheduler of its own, whose polls may close after a second."""
    with serving(server_url, {"TOOTLOG_POLL_MIN_EXPIRATION": "1"}) as live:
        yield live


def expiries(database_url: str) -> dict[str, int]:
    """Recorded PollExpired events per poll id."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT state FROM tootlog_events WHERE topic = %s", (EXPIRED_TOPIC,)
        ).fetchall()
    counts: dict[str, int] = {}
    for (state,) in rows:
        poll_id = str(orjson.loads(state)["poll_id"])
        counts[poll_id] = counts.get(poll_id, 0) + 1
    return counts


def wait_for(predicate, timeout: float = 15.0) -> None:  # noqa: ANN001
    eventually(predicate, timeout, interval=0.1)


def test_two_schedulers_at_once_record_each_expiry_once(server: LiveServer) -> None:
    directory = Directory(server.database_url)
    try:
        author = directory.user()
        polls = [publish_poll(server, author, expires_in=1)["poll"]["id"] for _ in range(8)]
    finally:
        directory.close()
    time.sleep(1.2)
    # No advisory lock: both work on the same due polls at the same moments.
    schedulers = [Scheduler(server.database_url, interval=0.05) for _ in range(2)]
    stop = threading.Event()
    threads = [
        threading.Thread(target=s.run, args=(stop,), kwargs={"lock": False}) for s in schedulers
    ]
    for thread in threads:
        thread.start()
    try:
        wait_for(lambda: len(expiries(server.database_url)) == len(polls))
        time.sleep(0.5)  # both have had every chance to record another
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        for scheduler in schedulers:
            scheduler.close()
    assert expiries(server.database_url) == {poll_id: 1 for poll_id in polls}
    with server.client() as client:
        shown = client.get(f"/api/v1/polls/{polls[0]}").json()
    assert shown["expired"] is True


def test_the_scheduler_processes_catch_up_after_downtime_and_only_one_works(
    server: LiveServer,
) -> None:
    directory = Directory(server.database_url)
    try:
        author = directory.user()
        late = publish_poll(server, author, expires_in=1)["poll"]["id"]
        later = publish_poll(server, author, expires_in=4)["poll"]["id"]
    finally:
        directory.close()
    time.sleep(1.5)  # `late` expired while no scheduler ran
    assert expiries(server.database_url) == {}
    env = {
        **os.environ,
        "DATABASE_URL": server.database_url,
        "TOOTLOG_DOMAIN": "example.com",
        "TOOTLOG_SCHEDULER_INTERVAL": "0.1",
    }
    # The scheduler alone, and one in a projection worker's process (which finds the
    # server's worker active and stands by, while its scheduler may work).
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "api.cli", *command],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for command in (("schedule",), ("project", "--schedule"))
    ]
    try:
        wait_for(lambda: late in expiries(server.database_url))
        assert scheduler_is_running(server.database_url)
        wait_for(lambda: later in expiries(server.database_url))
        time.sleep(0.5)
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
    assert expiries(server.database_url) == {late: 1, later: 1}


def test_serve_runs_the_scheduler(server_url: str) -> None:
    env = {
        "TOOTLOG_POLL_MIN_EXPIRATION": "1",
        "TOOTLOG_SCHEDULER": "1",
        "TOOTLOG_SCHEDULER_INTERVAL": "0.1",
    }
    with serving(server_url, env) as live:
        directory = Directory(live.database_url)
        try:
            poll = publish_poll(live, directory.user(), expires_in=1)["poll"]["id"]
        finally:
            directory.close()
        wait_for(lambda: poll in expiries(live.database_url))
        # In a thread of the projection worker's process: no process of its own.
        (project,) = descendants(live.process.pid, b"project")
        assert b"--schedule" in process_table()[project][1]
        assert not descendants(live.process.pid, b"schedule") - {project}
        with psycopg.connect(live.database_url) as conn:
            wait_for(
                lambda: conn.execute(
                    "SELECT closed FROM tootlog_polls WHERE id = %s", (int(poll),)
                ).fetchone()[0]
            )
