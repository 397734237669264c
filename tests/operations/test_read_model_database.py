"""Read models in a database of their own (TOOTLOG_READ_MODEL_DATABASE_URL): the server, its
projection, card and scheduler workers and the operator's commands keep the events in the event
store's database and every read-model row, with its tracking position, in the other; replay,
rebuild and verify work across the two; exactly-once holds when the worker is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import orjson
import psycopg
import pytest

from projections.rebuild import prepare
from projections.schema import READ_MODEL_TABLES, TRACKING_TABLE, VERSION_TABLE
from projections.verify import verify
from tests.api.test_polls import publish_poll
from tests.link_pages import SITE_HOST, Site
from tests.operations.conftest import tootlog
from tests.operations.seeding import social_history
from tests.support import (
    TEST_DOMAIN,
    TEST_URLS,
    Directory,
    LiveServer,
    User,
    new_status,
    scratch_database,
)

# The only tables of the event store's database: the events, and the card worker's position
# (it reads and writes only events, so its position stays with them).
EVENT_STORE_TABLES = {"tootlog_events", TRACKING_TABLE}
READ_MODEL_DATABASE_TABLES = {*READ_MODEL_TABLES, VERSION_TABLE, TRACKING_TABLE}
# Statuses written while the worker is killed twice.
BURST = 800
# serve with every worker it supervises: projection, link cards, scheduler.
WORKERS = {
    "TOOTLOG_CARDS": "1",
    "TOOTLOG_CARD_ALLOWED_HOSTS": SITE_HOST,
    "TOOTLOG_SCHEDULER": "1",
    "TOOTLOG_SCHEDULER_INTERVAL": "0.1",
    "TOOTLOG_POLL_MIN_EXPIRATION": "1",
}


@dataclass
class Split:
    events: str  # DATABASE_URL: the event store
    read_models: str  # TOOTLOG_READ_MODEL_DATABASE_URL

    def tootlog(self, *args: str) -> subprocess.CompletedProcess:
        return tootlog(self.events, *args, read_model_url=self.read_models)


@dataclass
class History:
    """A server on split databases, with every worker, and a social history written through
    its API."""

    split: Split
    server: LiveServer
    site: Site
    statuses: list[str]
    alice: User
    bob: User


def tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
    return {row[0] for row in rows}


def tracked(url: str) -> dict[str, int]:
    """The positions in the tracking table (but the library's mark of its own migration)."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            f"SELECT application_name, notification_id FROM {TRACKING_TABLE}"
            " WHERE application_name <> '__migration__'"
        )
        return dict(rows.fetchall())


def head(events_url: str) -> int:
    with psycopg.connect(events_url) as conn:
        return conn.execute("SELECT max(notification_id) FROM tootlog_events").fetchone()[0]


def one(url: str, query: str, params: tuple = ()) -> object:
    with psycopg.connect(url) as conn:
        row = conn.execute(query, params).fetchone()
    return row[0] if row else None


def wait_for(predicate, timeout: float = 15.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def history(server_url: str, site: Site) -> Iterator[History]:
    with scratch_database(server_url) as events, scratch_database(server_url) as read_models:
        server = LiveServer(events, WORKERS, read_model_url=read_models)
        directory = Directory(events, read_models)
        try:
            statuses = social_history(server, directory, 20)
            alice, bob = directory.users(2)
            yield History(Split(events, read_models), server, site, statuses, alice, bob)
        finally:
            server.stop()
            directory.close()


def test_reads_and_writes_work_with_the_read_models_in_their_own_database(
    history: History,
) -> None:
    split, server = history.split, history.server
    with server.client(history.alice.token) as alice, server.client(history.bob.token) as bob:
        assert bob.post(f"/api/v1/accounts/{history.alice.id}/follow").status_code == 200
        link = history.site.url("/og?split")
        posted = alice.post("/api/v1/statuses", data={"status": f"see {link}"})
        assert posted.status_code == 200, posted.text
        status_id = posted.json()["id"]
        assert bob.post(f"/api/v1/statuses/{status_id}/favourite").status_code == 200
        reblog = bob.post(f"/api/v1/statuses/{status_id}/reblog")
        assert reblog.json()["reblog"]["reblogs_count"] == 1
        home = bob.get("/api/v1/timelines/home").json()
        assert status_id in [entry["id"] for entry in home]
        kinds = {n["type"] for n in alice.get("/api/v1/notifications").json()}
        assert {"follow", "favourite", "reblog"} <= kinds
        poll = publish_poll(server, history.alice, expires_in=1)["poll"]["id"]
        doomed = alice.post("/api/v1/statuses", data={"status": "gone soon"}).json()["id"]
        assert alice.delete(f"/api/v1/statuses/{doomed}").status_code == 200
        assert bob.get(f"/api/v1/statuses/{doomed}").status_code == 404
        # The scheduler reads what is due in the read models and records it in the log; the
        # card worker reads the log and records there.
        polls = "SELECT closed FROM tootlog_polls WHERE id = %s"
        wait_for(lambda: one(split.read_models, polls, (int(poll),)))
        wait_for(lambda: bob.get(f"/api/v1/statuses/{status_id}").json()["card"] is not None)
        assert bob.get(f"/api/v1/statuses/{status_id}/card").json()["title"]
        last = head(split.events)
        wait_for(lambda: set(tracked(split.read_models).values()) == {last})
        ready = alice.get("/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json()["event_store_head"] == last
        assert ready.json()["projection_lag_events"] == 0
    assert tables(split.events) == EVENT_STORE_TABLES
    assert set(tracked(split.events)) == {"tootlog_cards"}
    assert tables(split.read_models) >= READ_MODEL_DATABASE_TABLES
    assert "tootlog_events" not in tables(split.read_models)
    assert set(tracked(split.read_models)) == {"tootlog", "tootlog-feeds"}
    assert one(split.read_models, "SELECT count(*) FROM tootlog_statuses") > 20


def test_replay_reads_the_index_and_the_events_from_their_databases(history: History) -> None:
    split = history.split
    status_id = history.statuses[0]
    result = split.tootlog("replay", "--status", status_id, "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    events = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert events[0]["topic"] == "tootlog.status.published.v1"
    assert all(status_id in orjson.dumps(event["payload"]).decode() for event in events), (
        "only events that name the status"
    )
    favourites = split.tootlog(
        "replay", "--status", status_id, "--topic", "favourite.*", "--format", "jsonl"
    )
    assert favourites.returncode == 0, favourites.stderr
    assert all("favourite" in line for line in favourites.stdout.splitlines())
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 60))
    as_of = split.tootlog("replay", "--as-of", now, "--status", status_id)
    assert as_of.returncode == 0, as_of.stderr
    assert orjson.loads(as_of.stdout)["id"] == status_id
    account = split.tootlog(
        "replay", "--account", f"@{history.alice.username}", "--format", "jsonl"
    )
    assert account.returncode == 0, account.stderr
    assert "tootlog.account.registered.v1" in account.stdout


def test_online_rebuild_and_verify_work_across_the_two_databases(history: History) -> None:
    split = history.split
    before = tables(split.events)
    rebuilt = split.tootlog("rebuild")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    verified = split.tootlog("verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "the live read models equal a fresh replay of the log" in verified.stdout
    assert "for the read models" in verified.stderr  # says which database holds what
    assert tables(split.events) == before  # no copy was built beside the events
    with psycopg.connect(split.read_models) as conn:
        schemas = {row[0] for row in conn.execute("SELECT nspname FROM pg_namespace")}
    assert not schemas & {"tootlog_rebuild", "tootlog_retired", "tootlog_verify"}


def worker(split: Split) -> subprocess.Popen:
    """`tootlog project` on the split databases."""
    env = {
        **os.environ,
        "DATABASE_URL": split.events,
        "TOOTLOG_READ_MODEL_DATABASE_URL": split.read_models,
        "TOOTLOG_DOMAIN": TEST_DOMAIN,
        "TOOTLOG_PROJECTION_BATCH": "25",  # many commits, so a kill lands in the middle of one
    }
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "project"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_a_worker_killed_during_a_burst_of_writes_applies_every_event_once(
    server_url: str,
) -> None:
    """The tracking row commits with the rows in the read models' database: a worker killed in
    the middle of a batch leaves neither; the next one carries on. An offline rebuild (refused
    while the worker holds its lock there) then builds the same read models again."""
    with scratch_database(server_url) as events, scratch_database(server_url) as read_models:
        split = Split(events, read_models)
        prepare(events, TEST_URLS, read_model_url=read_models)
        directory = Directory(events, read_models)
        running = worker(split)
        try:
            users = directory.users(4)
            done = threading.Event()

            def burst() -> None:
                for number in range(BURST):
                    author = users[number % len(users)].account_id
                    directory.write_model.save(new_status(author, f"burst {number}"))
                done.set()

            writer = threading.Thread(target=burst)
            writer.start()
            for _ in range(2):  # killed twice, each time while it is applying the burst
                applied = directory.read_model.position()
                wait_for(lambda: directory.read_model.position() > applied + 100)  # noqa: B023
                running.send_signal(signal.SIGKILL)
                running.wait()
                running = worker(split)
            writer.join()
            assert done.is_set()
            last = head(events)
            wait_for(lambda: directory.read_model.position() >= last, timeout=30)
            report = verify(events, TEST_URLS, read_model_url=read_models)
            assert report.equal, report.differences
            counted = one(read_models, "SELECT sum(statuses_count) FROM tootlog_accounts")
            assert counted == BURST
            refused = split.tootlog("rebuild", "--offline")  # the worker's lock is in there
            assert refused.returncode == 1 and "a projection worker is running" in refused.stderr
            running.terminate()
            running.wait(10)
            rebuilt = split.tootlog("rebuild", "--offline")
            assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
            assert verify(events, TEST_URLS, read_model_url=read_models).equal
            assert tables(events) == {"tootlog_events"}
        finally:
            running.terminate()
            running.wait(10)
            directory.close()
