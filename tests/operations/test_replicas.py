"""Read replicas on real PostgreSQL servers: a primary and a streaming replica of it made for this
module (bench/clusters.py: initdb, pg_basebackup -R, pg_ctl on free ports), and `tootlog serve`
on the primary with TOOTLOG_READ_DATABASE_URL naming the replica.

Pausing the replica's replay (pg_wal_replay_pause) holds its view back: a reader that does not
see a write made on the primary is reading the replica."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from bench import clusters
from tests.support import Directory, LiveServer, User, eventually, free_port, serving

MAX_LAG = 3.0  # TOOTLOG_READ_MAX_LAG of the servers here
# A new API process sends tokens to the primary until it has listened for write positions
# this long (api/read_routing.py): then it knows every write that matters.
SESSIONS_KNOWN = MAX_LAG + 1.5


@dataclass
class Replicated:
    clusters: clusters.Replicated
    server: LiveServer  # with the projection worker
    other: LiveServer  # a second API process, no worker: the same database, replica and sessions
    directory: Directory
    alice: User
    bob: User


@pytest.fixture(scope="module")
def replicated() -> Iterator[Replicated]:
    reason = clusters.missing()
    if reason:
        pytest.skip(f"no replica can be made: {reason}")
    with clusters.primary_and_replica() as made:
        env = {
            "TOOTLOG_READ_DATABASE_URL": made.replica.url(),
            "TOOTLOG_READ_MAX_LAG": str(MAX_LAG),
        }
        server = LiveServer(made.primary.url(), env)
        other = None
        directory = None
        try:
            other = LiveServer(made.primary.url(), {**env, "TOOTLOG_WORKER": "0"})
            known = time.monotonic() + SESSIONS_KNOWN
            directory = Directory(made.primary.url())
            alice, bob = directory.users(2)
            made.wait_for_replay()
            time.sleep(max(0.0, known - time.monotonic()))
            yield Replicated(made, server, other, directory, alice, bob)
        finally:
            if directory is not None:
                directory.close()
            if other is not None:
                other.stop()
            server.stop()


def post(server: LiveServer, user: User, text: str) -> str:
    answer = httpx.post(
        f"{server.base_url}/api/v1/statuses",
        data={"status": text},
        headers={"Authorization": f"Bearer {user.token}"},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["id"]


def get(server: LiveServer, path: str, user: User | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {user.token}"} if user else {}
    return httpx.get(f"{server.base_url}{path}", headers=headers)


def ready(server: LiveServer) -> dict:
    answer = get(server, "/ready")
    assert answer.status_code == 200, answer.text
    return answer.json()["replicas"][0]


def test_writer_reads_its_writes_at_once_while_others_read_the_held_back_replica(
    replicated: Replicated,
) -> None:
    r = replicated
    before = post(r.server, r.alice, "before the pause")
    r.clusters.wait_for_replay()
    eventually(lambda: get(r.server, f"/api/v1/statuses/{before}", r.bob).status_code == 200)
    r.clusters.pause_replay()
    try:
        written = []
        for n in range(5):
            status_id = post(r.server, r.alice, f"while paused {n}")
            written.append(status_id)
            mine = get(r.server, f"/api/v1/statuses/{status_id}", r.alice)
            assert mine.status_code == 200 and mine.json()["content"] == f"<p>while paused {n}</p>"
            listed = get(r.server, f"/api/v1/accounts/{r.alice.id}/statuses", r.alice).json()
            assert listed[0]["id"] == status_id
        for status_id in written:  # the replica's view: none of them, for a token or nobody
            assert get(r.server, f"/api/v1/statuses/{status_id}", r.bob).status_code == 404
            assert get(r.server, f"/api/v1/statuses/{status_id}").status_code == 404
        assert get(r.server, f"/api/v1/statuses/{before}", r.bob).status_code == 200
        listed = get(r.server, f"/api/v1/accounts/{r.alice.id}/statuses", r.bob).json()
        assert listed[0]["id"] == before
    finally:
        r.clusters.resume_replay()
    eventually(lambda: get(r.server, f"/api/v1/statuses/{written[-1]}", r.bob).status_code == 200)


def test_a_write_is_read_at_once_by_its_token_on_another_api_process(
    replicated: Replicated,
) -> None:
    r = replicated
    r.clusters.pause_replay()
    try:
        for n in range(3):
            status_id = post(r.server, r.alice, f"elsewhere {n}")
            assert get(r.other, f"/api/v1/statuses/{status_id}", r.alice).status_code == 200
            assert get(r.other, f"/api/v1/statuses/{status_id}", r.bob).status_code == 404
    finally:
        r.clusters.resume_replay()


def test_a_replica_too_far_behind_is_skipped_and_reported(replicated: Replicated) -> None:
    r = replicated
    r.clusters.pause_replay()
    try:
        status_id = post(r.server, r.alice, "held back")
        assert get(r.server, f"/api/v1/statuses/{status_id}", r.bob).status_code == 404
        time.sleep(MAX_LAG + 0.5)
        assert get(r.server, f"/api/v1/statuses/{status_id}", r.bob).status_code == 200
        replica = ready(r.server)
        assert replica["up"] and not replica["used"] and replica["lag_seconds"] > MAX_LAG
        metrics = get(r.server, "/metrics").text
        lag_line = next(
            line for line in metrics.splitlines() if line.startswith("tootlog_replica_lag_seconds")
        )
        assert float(lag_line.split()[-1]) > MAX_LAG
    finally:
        r.clusters.resume_replay()
    eventually(lambda: ready(r.server)["used"])
    assert ready(r.server)["lag_seconds"] == 0


def test_a_stopped_replica_fails_no_request(replicated: Replicated) -> None:
    r = replicated
    status_id = post(r.server, r.alice, "before the stop")
    r.clusters.wait_for_replay()
    eventually(lambda: ready(r.server)["position"] >= 1 and ready(r.server)["lag_seconds"] == 0)
    r.clusters.replica.stop("immediate")
    try:
        # At once, before any look at the replica has found it down: the pool's connections
        # are broken and the reads are answered again from the primary.
        for user in (r.bob, None, r.alice, r.bob, None):
            assert get(r.server, f"/api/v1/statuses/{status_id}", user).status_code == 200
        fresh = post(r.server, r.alice, "while the replica is down")
        assert get(r.server, f"/api/v1/statuses/{fresh}", r.bob).status_code == 200
        eventually(lambda: not ready(r.server)["up"], timeout=5.0)
        replica = ready(r.server)
        assert not replica["used"] and replica["error"]
        assert "tootlog_replica_up" in get(r.server, "/metrics").text
    finally:
        r.clusters.replica.start()
    eventually(lambda: ready(r.server)["used"])
    r.clusters.pause_replay()
    try:
        # Reads go to the replica again.
        unseen = post(r.server, r.alice, "after the restart")
        assert get(r.server, f"/api/v1/statuses/{unseen}", r.bob).status_code == 404
    finally:
        r.clusters.resume_replay()


def test_a_server_whose_replica_never_answers_starts_and_serves_from_the_primary(
    server_url: str,
) -> None:
    dead = f"postgresql://postgres@127.0.0.1:{free_port()}/tootlog"
    with serving(server_url, {"TOOTLOG_READ_DATABASE_URL": dead}) as server:
        directory = Directory(server.database_url)
        try:
            (user,) = directory.users(1)
            status_id = post(server, user, "no replica at all")
            for reader in (user, None):
                assert get(server, f"/api/v1/statuses/{status_id}", reader).status_code == 200
            replica = ready(server)
            assert replica["replica"] == dead.removeprefix("postgresql://postgres@")
            assert not replica["up"] and not replica["used"] and replica["error"]
            assert replica["lag_seconds"] is None
        finally:
            directory.close()
