"""The projection worker: exactly-once, batching, surviving kills and lost connections."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import psycopg
import pytest

from commands.app import TootlogApplication
from domain.account import Account
from domain.ids import snowflakes
from projections.datastore import datastore_for
from projections.readmodel import ReadModel
from projections.schema import WORKER_LOCK_KEY
from projections.worker import (
    ProjectionWorker,
    start_in_thread,
    wait_until_applied,
    worker_is_running,
)
from tests.support import TEST_URLS, new_status, scratch_database


def seed(url: str, accounts: int, statuses_each: int, chunk: int = 250) -> tuple[list[int], int]:
    """Store accounts and their public statuses directly in the event store."""
    write_model = TootlogApplication(url, pool_size=1)
    try:
        ids = []
        position = 0
        for n in range(accounts):
            account = Account(
                account_id=snowflakes.next_id(),
                username=f"seed{n}_{uuid.uuid4().hex[:8]}",
                email=None,
                password_hash=None,
                display_name="",
            )
            position = write_model.save(account)[-1].notification.id
            ids.append(account.account_id)
        pending = [new_status(account_id) for account_id in ids for _ in range(statuses_each)]
        for start in range(0, len(pending), chunk):
            position = write_model.save(*pending[start : start + chunk])[-1].notification.id
        return ids, position
    finally:
        write_model.close()


def assert_projected_exactly_once(url: str, accounts: list[int], statuses_each: int) -> None:
    with psycopg.connect(url) as conn:
        total = conn.execute("SELECT count(*) FROM tootlog_statuses").fetchone()[0]
        counts = dict(conn.execute("SELECT id, statuses_count FROM tootlog_accounts").fetchall())
    assert total == len(accounts) * statuses_each
    assert counts == dict.fromkeys(accounts, statuses_each)


def test_batches_when_behind(fresh_database_url: str) -> None:
    url = fresh_database_url
    worker = ProjectionWorker(url, TEST_URLS, batch_size=1000)
    worker.create_tables()
    accounts, _ = seed(url, accounts=1, statuses_each=2499)
    sizes: list[int] = []
    worker.on_batch = lambda size, _last: sizes.append(size)
    assert worker.catch_up() == 2500
    assert sizes == [1000, 1000, 500]
    assert_projected_exactly_once(url, accounts, 2499)
    assert worker.catch_up() == 0
    worker.close()


def test_a_worker_killed_mid_batch_resumes_and_applies_every_event_once(
    fresh_database_url: str,
) -> None:
    url = fresh_database_url
    setup = ProjectionWorker(url, TEST_URLS)
    setup.create_tables()
    accounts, last = seed(url, accounts=4, statuses_each=3000)
    env = {**os.environ, "DATABASE_URL": url, "TOOTLOG_PROJECTION_BATCH": "200"}
    command = [sys.executable, "-m", "api.cli", "project"]
    first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while setup.view.position() < last // 4:
            assert time.monotonic() < deadline, "worker made no progress"
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed_at = setup.view.position()
        assert 0 < killed_at < last
    finally:
        first.kill()
    second = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_until_applied(setup, last, timeout=120)
    finally:
        second.terminate()
        second.wait(timeout=10)
    assert_projected_exactly_once(url, accounts, 3000)
    setup.close()


def test_worker_survives_lost_connections_and_resumes(fresh_database_url: str) -> None:
    url = fresh_database_url
    worker = ProjectionWorker(url, TEST_URLS)
    worker.create_tables()
    thread, stop = start_in_thread(worker)
    try:
        accounts, position = seed(url, accounts=1, statuses_each=10)
        wait_until_applied(worker, position)
        with psycopg.connect(url, autocommit=True) as admin:
            killed = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()[0]
        assert killed >= 1
        more, position = seed(url, accounts=1, statuses_each=10)
        wait_until_applied(worker, position, timeout=30)
    finally:
        stop.set()
        thread.join(timeout=10)
        worker.close()
    assert_projected_exactly_once(url, accounts + more, 10)


def test_two_workers_never_apply_an_event_twice(fresh_database_url: str) -> None:
    url = fresh_database_url
    workers = [ProjectionWorker(url, TEST_URLS, batch_size=50) for _ in range(2)]
    workers[0].create_tables()
    running = [start_in_thread(w) for w in workers]
    try:
        accounts, position = seed(url, accounts=2, statuses_each=500, chunk=20)
        wait_until_applied(workers[0], position, timeout=60)
    finally:
        for thread, stop in running:
            stop.set()
            thread.join(timeout=10)
        for w in workers:
            w.close()
    assert_projected_exactly_once(url, accounts, 500)


def test_position_is_recorded_in_the_same_transaction_as_the_rows(fresh_database_url: str) -> None:
    url = fresh_database_url
    worker = ProjectionWorker(url, TEST_URLS)
    worker.create_tables()
    seed(url, accounts=1, statuses_each=3)
    view = ReadModel(datastore_for(url))

    def failing_insert(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    worker.view.insert_status = failing_insert  # the batch fails after the account row
    with pytest.raises(RuntimeError):
        worker.catch_up()
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM tootlog_accounts").fetchone()[0] == 0
    assert view.position() == 0
    view.datastore.close()
    worker.close()


def test_a_worker_on_another_database_is_not_running_on_this_one(
    server_url: str, fresh_database_url: str
) -> None:
    here = fresh_database_url
    with scratch_database(server_url) as elsewhere, psycopg.connect(elsewhere) as other:
        other.execute("SELECT pg_advisory_lock(%s)", (WORKER_LOCK_KEY,))
        assert worker_is_running(elsewhere)
        assert not worker_is_running(here)
        with psycopg.connect(here) as this:
            this.execute("SELECT pg_advisory_lock(%s)", (WORKER_LOCK_KEY,))
            assert worker_is_running(here)


def test_retries_wait_longer_after_each_failure_and_start_over_once_a_batch_succeeds(
    fresh_database_url: str,
) -> None:
    url = fresh_database_url
    worker = ProjectionWorker(url, TEST_URLS)
    worker.create_tables()
    accounts, position = seed(url, accounts=1, statuses_each=3)
    real_insert = worker.view.insert_status
    failures = 3

    def failing_insert(*args: object, **kwargs: object) -> None:
        nonlocal failures
        if failures:
            failures -= 1
            raise RuntimeError("boom")
        real_insert(*args, **kwargs)

    worker.view.insert_status = failing_insert
    delays: list[float] = []
    pause = worker._pause

    def recorded_pause(stop) -> None:  # noqa: ANN001
        delays.append(worker.retry_delay)
        pause(stop)

    worker._pause = recorded_pause
    thread, stop = start_in_thread(worker)
    try:
        wait_until_applied(worker, position, timeout=30)
    finally:
        stop.set()
        thread.join(timeout=10)
        worker.close()
    assert delays == [0.1, 0.2, 0.4]
    assert worker.retry_delay == 0.1
    assert_projected_exactly_once(url, accounts, 3)


def _manual_analyzes(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT analyze_count FROM pg_stat_user_tables WHERE relname = %s", (table,)
        ).fetchone()
    return row[0]


def test_the_read_models_are_analyzed_each_time_the_log_doubles(fresh_database_url: str) -> None:
    """So the read pool's plans, made once per connection while the tables were small, are
    made again as they grow (projections/growth_statistics.py)."""
    url = fresh_database_url
    worker = ProjectionWorker(url, TEST_URLS, batch_size=100)
    worker.create_tables()
    worker.statistics.start = 64
    seed(url, accounts=1, statuses_each=299)  # positions 1-300: past 64, 128 and 256
    analyzed: list[int] = []
    worker.on_batch = lambda _size, last: analyzed.append(last)
    worker.catch_up()
    worker.close()  # waits for the ANALYZE in flight

    assert analyzed == [100, 200, 300]
    # Batches ending at 100 (past 64), 200 (past 128) and 300 (past 256) each started one,
    # unless the one before was still running.
    assert 1 <= _manual_analyzes(url, "tootlog_statuses") <= 3
    assert _manual_analyzes(url, "tootlog_home_feed") >= 1


def test_a_log_that_stays_below_the_first_doubling_is_not_analyzed(
    fresh_database_url: str,
) -> None:
    url = fresh_database_url
    worker = ProjectionWorker(url, TEST_URLS)
    worker.create_tables()
    seed(url, accounts=1, statuses_each=9)
    worker.catch_up()
    worker.close()

    assert _manual_analyzes(url, "tootlog_statuses") == 0
