"""The read pool's plans stay key lookups however small the tables were when a connection first
planned a statement: its generic plans are made once per connection and kept while the tables
grow (tests would not notice a plan that walks a table; the benchmark's POSTs did)."""

from __future__ import annotations

import asyncio
import re

import psycopg
import pytest

from commands.accounts import register_account
from commands.app import TootlogApplication
from commands.statuses import Publishing, publish
from domain.status import Author, Draft
from projections.queries import read_pool
from projections.status_rows import rows_by_ids
from projections.worker import ProjectionWorker
from tests.support import TEST_URLS

# The read of statuses by id (every write's answer, pages, notifications), as psycopg sends it.
STATUS_READ = re.sub(
    r"%\((\w+)\)s",
    lambda m: {"viewer": "$1::bigint", "ids": "$2::bigint[]"}[m.group(1)],
    rows_by_ids(user=True),
)
BY_KEY = ("Bitmap Index Scan on tootlog_statuses_pkey", "Index Scan using tootlog_statuses_pkey")


def _generic_plan(url: str) -> str:
    """The plan a read pool connection makes for STATUS_READ now, and would keep."""

    async def plan() -> str:
        pool = read_pool(url, min_size=1, max_size=1)
        await pool.open()
        try:
            async with pool.connection() as conn:
                await conn.execute(f"PREPARE status_read AS {STATUS_READ}")
                cur = await conn.execute("EXPLAIN EXECUTE status_read(1, '{1,2,3}')")
                return "\n".join(row[0] for row in await cur.fetchall())
        finally:
            await pool.close()

    return asyncio.run(plan())


@pytest.fixture
def worker(fresh_database_url: str):  # noqa: ANN201
    worker = ProjectionWorker(fresh_database_url, TEST_URLS)
    worker.create_tables()
    yield worker
    worker.close()


def test_a_plan_made_on_empty_tables_finds_statuses_by_key(
    fresh_database_url: str, worker: ProjectionWorker
) -> None:
    plan = _generic_plan(fresh_database_url)

    assert "Seq Scan" not in plan, plan
    assert "Hash Join" not in plan, plan
    assert any(scan in plan for scan in BY_KEY), plan


def test_a_plan_made_on_one_account_finds_statuses_by_key(
    fresh_database_url: str, worker: ProjectionWorker
) -> None:
    """A new server: one account, a few statuses, statistics up to date. The plan reached the
    statuses through the account (its index, the ids as a filter), then read all of the
    account's statuses for every status asked for."""
    app = TootlogApplication(fresh_database_url, pool_size=1)
    try:
        alice = register_account(app, "alice").id
        for n in range(3):
            draft = Draft(text=f"status {n}", visibility="public")
            publish(app, Publishing(TEST_URLS), author=Author(alice), draft=draft)
    finally:
        app.close()
    worker.catch_up()
    with psycopg.connect(fresh_database_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")

    plan = _generic_plan(fresh_database_url)

    assert "Seq Scan" not in plan, plan
    assert "using tootlog_statuses_account on tootlog_statuses s" not in plan, plan
    assert any(scan in plan for scan in BY_KEY), plan
