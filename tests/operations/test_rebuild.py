"""`tootlog rebuild`: online under concurrent reads and writes, offline in place, and killed with
SIGKILL at random points without harm."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import psycopg
import pytest

from bench.eventlog import generate
from tests.operations.conftest import ROOT, Served, tootlog
from tests.support import TEST_DOMAIN, Directory, LiveServer, new_status, scratch_database


def schemas(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tootlog_%'")
        return {row[0] for row in rows}


def test_online_rebuild_under_concurrent_reads_and_writes(served: Served) -> None:
    """No request fails, no write is lost, and the rebuilt models equal a fresh replay."""
    writer_user = served.directory.user()
    stop = threading.Event()
    failures: list[str] = []
    written: list[str] = []
    reads = 0
    with served.server.client(writer_user.token) as client:
        visible = [
            s for s in served.statuses if client.get(f"/api/v1/statuses/{s}").status_code == 200
        ]

    def write() -> None:
        with served.server.client(writer_user.token) as client:
            while not stop.is_set():
                answer = client.post("/api/v1/statuses", data={"status": "during"})
                if answer.status_code != 200:
                    failures.append(f"POST {answer.status_code} {answer.text}")
                else:
                    written.append(answer.json()["id"])

    def read() -> None:
        nonlocal reads
        with served.server.client(writer_user.token) as client:
            while not stop.is_set():
                status_id = random.choice(visible + written[-5:])
                for path in (
                    f"/api/v1/statuses/{status_id}",
                    f"/api/v1/statuses/{status_id}/context",
                ):
                    answer = client.get(path)
                    reads += 1
                    if answer.status_code != 200:
                        failures.append(f"GET {path} {answer.status_code} {answer.text}")

    threads = [threading.Thread(target=write), threading.Thread(target=read)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)
        result = tootlog(served.url, "rebuild", "--batch-size", "25")
        time.sleep(0.5)  # requests after the switch, on the new tables
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "then switched" in result.stdout
    assert failures == []
    assert reads > 20 and len(written) > 5
    with served.server.client() as anonymous:
        for status_id in written:
            assert anonymous.get(f"/api/v1/statuses/{status_id}").status_code == 200
    check = tootlog(served.url, "verify")
    assert check.returncode == 0, check.stdout + check.stderr
    assert schemas(served.url) == set()


def start_rebuild(url: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "TOOTLOG_DOMAIN": TEST_DOMAIN}
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "rebuild", "--batch-size", "200"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def copy_position(url: str) -> int:
    """How far the copy being built beside the live read models has got (0: none yet)."""
    with psycopg.connect(url, autocommit=True) as conn:
        if conn.execute("SELECT to_regclass('tootlog_rebuild.tootlog_tracking')").fetchone()[0]:
            row = conn.execute(
                "SELECT notification_id FROM tootlog_rebuild.tootlog_tracking"
                " WHERE application_name = 'tootlog'"
            ).fetchone()
            return row[0] if row else 0
    return 0


@pytest.fixture
def long_log(server_url: str) -> Iterator[Served]:
    """A generated log of 20,000 events behind a running server."""
    with scratch_database(server_url) as url:
        generate(url, 20_000)
        server = LiveServer(url)
        directory = Directory(url)
        served = Served(url, server, directory, [])
        try:
            yield served
        finally:
            served.server.stop()
            directory.close()


def test_a_rebuild_killed_three_times_then_run_again_ends_equal(long_log: Served) -> None:
    """Killed with SIGKILL in the middle of building its copy (at a random point after the
    copy has started), three times: the live read models go on serving unchanged, and the next
    run carries on from where the copy stopped and ends equal to a fresh replay."""
    rng = random.Random()
    with psycopg.connect(long_log.url) as conn:
        public = conn.execute(
            "SELECT id FROM tootlog_statuses WHERE visibility = 'public' AND NOT deleted"
            " ORDER BY favourites_count DESC LIMIT 1"
        ).fetchone()[0]
    anonymous = long_log.server.client()
    before = anonymous.get(f"/api/v1/statuses/{public}").json()
    reached = []
    for _ in range(3):
        process = start_rebuild(long_log.url)
        deadline = time.monotonic() + 60
        start = copy_position(long_log.url)
        while copy_position(long_log.url) <= start and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        reached.append(copy_position(long_log.url))
        # The live read models go on serving as they were.
        assert anonymous.get(f"/api/v1/statuses/{public}").json() == before
    assert reached == sorted(reached) and reached[0] > 0  # each run carried on from the last
    result = tootlog(long_log.url, "rebuild")
    assert result.returncode == 0, result.stdout + result.stderr
    assert anonymous.get(f"/api/v1/statuses/{public}").json() == before
    check = tootlog(long_log.url, "verify")
    assert check.returncode == 0, check.stdout + check.stderr
    assert schemas(long_log.url) == set()
    anonymous.close()


def test_offline_rebuild_refuses_a_running_server_and_rebuilds_a_stopped_one(
    served: Served,
) -> None:
    refused = tootlog(served.url, "rebuild", "--offline")
    assert refused.returncode == 1
    assert "a projection worker is running" in refused.stderr
    with psycopg.connect(served.url) as conn:
        before = conn.execute("SELECT count(*) FROM tootlog_statuses").fetchone()[0]
    served.server.stop()
    result = tootlog(served.url, "rebuild", "--offline")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "in place" in result.stdout
    with psycopg.connect(served.url) as conn:
        assert conn.execute("SELECT count(*) FROM tootlog_statuses").fetchone()[0] == before
    check = tootlog(served.url, "verify")
    assert check.returncode == 0, check.stdout + check.stderr
    served.server = LiveServer(served.url)  # the fixture stops it again


def test_rebuild_with_another_public_address_is_refused(served: Served) -> None:
    env_result = subprocess.run(
        [sys.executable, "-m", "api.cli", "rebuild"],
        env={**os.environ, "DATABASE_URL": served.url, "TOOTLOG_DOMAIN": "elsewhere.example"},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert env_result.returncode == 1
    assert "the read models were built for https://example.com" in env_result.stderr


def test_the_size_of_batches_does_not_change_the_read_models(server_url: str) -> None:
    """Counter changes are summed per batch and written at its end: a rebuild in batches of 3
    events ends equal to verify's replay in batches of 5,000 (a reblog and the deletion of its
    original in one batch once left the reblogger's count one too high)."""
    with scratch_database(server_url) as url:
        generate(url, 3_000)
        assert tootlog(url, "migrate").returncode == 0
        result = tootlog(url, "rebuild", "--offline", "--batch-size", "3")
        assert result.returncode == 0, result.stdout + result.stderr
        check = tootlog(url, "verify")
        assert check.returncode == 0, check.stdout + check.stderr


def test_a_reblog_recorded_after_its_original_was_deleted_projects_the_same_in_any_batches(
    server_url: str,
) -> None:
    """A reblog that races the deletion of its original can be stored after it: its wrapper
    stays (the deletion had nothing to take with it), and its unreblog takes it. Batches of one
    event and verify's batches of 5,000 must agree on that."""
    from commands.app import TootlogApplication
    from domain.account import Account
    from domain.ids import snowflakes
    from domain.reblog import Reblog, ReblogWrapper

    with scratch_database(server_url) as url:
        app = TootlogApplication(url, pool_size=1)
        try:
            author, booster = (
                Account(
                    account_id=snowflakes.next_id(),
                    username=name,
                    email=None,
                    password_hash=None,
                    display_name="",
                )
                for name in ("author", "booster")
            )
            status = new_status(author.account_id, "hi")
            status_id = status.status_id
            app.save(author, booster, status)
            status.delete(False)
            app.save(status)
            boost = Reblog(account_id=booster.account_id, original_status_id=status_id)
            wrapper_id = boost.reblog(
                snowflakes.next_id(),
                original_visibility="public",
                requested_visibility=None,
                default_visibility="public",
            )
            index = ReblogWrapper(
                wrapper_status_id=wrapper_id,
                account_id=booster.account_id,
                original_status_id=status_id,
            )
            app.save(boost, index)
            before_unreblog = app.last_position()
            boost.unreblog()
            app.save(boost)
        finally:
            app.close()
        assert tootlog(url, "migrate").returncode == 0
        for batch in ("1", "2", "5000"):
            result = tootlog(url, "rebuild", "--offline", "--batch-size", batch)
            assert result.returncode == 0, result.stdout + result.stderr
            check = tootlog(url, "verify")
            assert check.returncode == 0, check.stdout + check.stderr
        with psycopg.connect(url) as conn:
            deleted, count = conn.execute(
                "SELECT w.deleted, a.statuses_count FROM tootlog_statuses w"
                " JOIN tootlog_accounts a ON a.id = w.account_id WHERE w.id = %s",
                (wrapper_id,),
            ).fetchone()
        assert deleted is True and count == 0
        assert before_unreblog > 0


def test_sigterm_stops_a_rebuild_and_a_verify_and_leaves_the_live_models_serving(
    long_log: Served,
) -> None:
    env = {**os.environ, "DATABASE_URL": long_log.url, "TOOTLOG_DOMAIN": TEST_DOMAIN}
    with psycopg.connect(long_log.url) as conn:
        public = conn.execute(
            "SELECT id FROM tootlog_statuses WHERE visibility = 'public' AND NOT deleted LIMIT 1"
        ).fetchone()[0]
    anonymous = long_log.server.client()
    before = anonymous.get(f"/api/v1/statuses/{public}").json()
    for command, schema in (("rebuild", "tootlog_rebuild"), ("verify", "tootlog_verify")):
        process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", command, "--batch-size", "200"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while schema not in schemas(long_log.url) and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 143
        assert anonymous.get(f"/api/v1/statuses/{public}").json() == before
    check = tootlog(long_log.url, "verify")
    assert check.returncode == 0, check.stdout + check.stderr
    assert schemas(long_log.url) <= {"tootlog_rebuild"}  # a copy to carry on from
    anonymous.close()
