"""The bench's floor under a rebuild (bench/write_floor.py): it stores every rebuilt row again,
with every index the live read models have, and leaves the live read models as they were."""

from __future__ import annotations

import psycopg

from bench import write_floor
from bench.eventlog import generate
from projections.schema import READ_MODEL_TABLES
from tests.operations.conftest import tootlog
from tests.support import scratch_database


def live_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in READ_MODEL_TABLES
        }


def test_the_floor_stores_every_rebuilt_row_and_leaves_the_live_models(server_url: str) -> None:
    with scratch_database(server_url) as url:
        generate(url, 2_000)
        assert tootlog(url, "migrate").returncode == 0
        rebuilt = tootlog(url, "rebuild", "--offline")
        assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
        before = live_counts(url)
        assert before["tootlog_home_feed"] > 0 and before["tootlog_statuses"] > 0

        floor = write_floor.measure(url)

        assert floor.rows == sum(before.values())
        assert floor.megabytes > 0
        assert floor.event_order_s > 0 and floor.key_order_s > 0
        assert {table for table, _ in floor.slowest} <= set(READ_MODEL_TABLES)
        assert live_counts(url) == before
        with psycopg.connect(url) as conn:
            left = conn.execute(
                "SELECT count(*) FROM pg_namespace WHERE nspname = %s",
                (write_floor.FLOOR_SCHEMA,),
            ).fetchone()[0]
        assert left == 0
        check = tootlog(url, "verify")
        assert check.returncode == 0, check.stdout + check.stderr
