"""The read pool's plans stay key lookups however small the tables were when a connection first
planned a statement: its generic plans are made once per connection and kept."""

from __future__ import annotations

import asyncio
import re

from projections.queries import read_pool
from projections.status_rows import USER_SELECT
from projections.worker import ProjectionWorker
from tests.support import TEST_URLS

# The status read every write answers with (and most reads use), prepared as psycopg does.
STATUS_READ = re.sub(
    r"%\((\w+)\)s",
    lambda m: {"viewer": "$1::bigint", "ids": "$2::bigint[]"}[m.group(1)],
    USER_SELECT + " WHERE s.id = ANY(%(ids)s)",
)


def _generic_plan(url: str) -> str:
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


def test_plans_made_on_empty_tables_are_key_lookups(fresh_database_url: str) -> None:
    worker = ProjectionWorker(fresh_database_url, TEST_URLS)
    try:
        worker.create_tables()
    finally:
        worker.close()

    plan = _generic_plan(fresh_database_url)

    # On empty tables the cheapest generic plan scans them; kept while they grow, such a plan
    # made every read walk the whole table (tests would not notice, the benchmark did).
    assert "Seq Scan" not in plan, plan
    assert "Hash Join" not in plan, plan
    by_key = ("Bitmap Index Scan on tootlog_statuses_pkey", "Index Scan using tootlog_statuses_pkey")
    assert any(scan in plan for scan in by_key), plan
