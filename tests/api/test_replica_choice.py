"""How replicas are named in the settings, how their lag is measured and which one a read uses,
without a database (tests/operations/test_replicas.py runs them on real servers)."""

from __future__ import annotations

import asyncio
import math
import os
import subprocess
import sys
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from psycopg_pool import AsyncConnectionPool

from api.database import read_database_urls
from api.read_routing import (
    Outbox,
    ReadRouting,
    ReadRoutingMiddleware,
    ReadSessions,
    session_key,
)
from api.replicas import CHOSEN, PositionHistory, Replica, ReplicaFailed, ReplicaSet


def test_replica_urls_are_split_on_commas_but_a_multi_host_url_stays_whole() -> None:
    raw = " postgresql://r1:5432/db , postgres://a,b/db,postgresql://u@r3/db "
    assert read_database_urls(raw) == (
        "postgresql://r1:5432/db",
        "postgres://a,b/db",
        "postgresql://u@r3/db",
    )
    assert read_database_urls("") == ()


@pytest.mark.parametrize("raw", ["host=r1 dbname=x", "postgresql://r1/db?sslmode", "r1:5432"])
def test_a_replica_setting_that_is_not_urls_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="TOOTLOG_READ_DATABASE_URL"):
        read_database_urls(raw)


def test_lag_counts_from_when_the_primary_first_passed_the_replica() -> None:
    history = PositionHistory(keep=10.0)
    history.record(100.0, 5)  # the start: when 5 was reached is unknown
    history.record(101.0, 8)
    history.record(102.0, 8)
    history.record(103.0, 12)
    assert history.behind_since(12) is None  # has everything
    assert history.behind_since(9) == 103.0
    assert history.behind_since(8) == 103.0
    assert history.behind_since(6) == 101.0
    assert history.behind_since(4) == -math.inf  # behind the start: too far behind


def test_history_older_than_the_bound_is_forgotten_but_still_counts_as_behind() -> None:
    history = PositionHistory(keep=3.0)
    history.record(0.0, 1)
    history.record(1.0, 2)
    history.record(2.0, 3)
    history.record(10.0, 4)
    assert history.behind_since(3) == 10.0
    assert history.behind_since(1) == 2.0  # forgotten: behind since 2 s at least


def replica(up: bool, position: int, behind_since: float | None) -> Replica:
    pool = AsyncConnectionPool("postgresql://nowhere/x", open=False)
    return Replica("r", "postgresql://nowhere/x", pool, up, position, behind_since)


def test_a_read_uses_a_replica_that_is_up_recent_enough_and_has_the_token_s_write() -> None:
    assert replica(True, 10, None).usable(50.0, 5.0, needed=10)
    assert not replica(True, 10, None).usable(50.0, 5.0, needed=11)  # lacks the token's write
    assert not replica(False, 10, None).usable(50.0, 5.0, needed=0)  # down
    assert replica(True, 10, 46.0).usable(50.0, 5.0, needed=0)
    assert not replica(True, 10, 44.0).usable(50.0, 5.0, needed=0)  # 6 s behind


def test_reads_take_turns_over_the_usable_replicas_and_fall_back_to_the_primary() -> None:
    primary = AsyncConnectionPool("postgresql://nowhere/x", open=False)
    replicas = ReplicaSet(
        ("postgresql://a/x", "postgresql://b/x", "postgresql://c/x"), primary, max_lag=5, size=2
    )
    a, b, c = replicas.replicas
    for each in (a, b):
        each.up, each.position, each.behind_since = True, 10, None
    assert [replicas.choose(0) for _ in range(4)] == [a, b, a, b]
    assert replicas.choose(11) is None


def test_write_positions_go_out_in_notifies_under_postgres_payload_limit() -> None:
    async def payloads() -> list[str]:
        outbox = Outbox()
        for n in range(400):
            outbox.positions[session_key(f"token-{n}")] = 2**62 + n
        return list(outbox.payloads())

    sent = asyncio.run(payloads())
    assert len(sent) == 3 and all(len(payload.encode()) < 8000 for payload in sent)
    entries = " ".join(sent).split()
    assert len(entries) == 400 and entries[0] == f"{session_key('token-0')}:{2**62}"


def test_a_bad_replica_setting_is_one_line_on_stderr_and_exit_1() -> None:
    env = {**os.environ, "TOOTLOG_READ_DATABASE_URL": "replica.example:5432"}
    finished = subprocess.run(
        [sys.executable, "-m", "api.cli", "migrate"], env=env, capture_output=True, text=True
    )
    assert finished.returncode == 1
    assert finished.stderr.strip().splitlines() == [
        "tootlog: TOOTLOG_READ_DATABASE_URL must be postgresql:// URLs separated by commas,"
        " not 'replica.example:5432'"
    ]


def test_a_read_that_fails_on_a_replica_is_answered_again_from_the_primary() -> None:
    primary = AsyncConnectionPool("postgresql://nowhere/x", open=False)
    replicas = ReplicaSet(("postgresql://a/x",), primary, max_lag=5, size=2)
    (replica,) = replicas.replicas
    replica.up, replica.position, replica.behind_since = True, 10, None
    routing = ReadRouting(replicas, ReadSessions(primary, keep=6.0))
    tried: list[Replica | None] = []
    sent: list[dict] = []

    async def app(scope: dict, receive: Callable, send: Callable) -> None:
        tried.append(CHOSEN.get())
        body = (await receive())["body"]
        if CHOSEN.get() is not None:
            raise ReplicaFailed("a")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    async def receive() -> dict:
        return {"type": "http.request", "body": b"asked", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/api/v1/statuses/1",
        "headers": [],
        "query_string": b"",
        "app": SimpleNamespace(state=SimpleNamespace(read_routing=routing)),
    }
    asyncio.run(ReadRoutingMiddleware(app)(scope, receive, send))
    assert tried == [replica, None]
    assert [message.get("status", message.get("body")) for message in sent] == [200, b"asked"]
