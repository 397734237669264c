"""The projection's statements find the rows they change by key, however many rows share the value
they start from: an unfavourite of a status with thousands of favourites removes its one
notification without reading the others (a rebuild of the 3-million-event bench log spent 21 s
there, the cost of each unfavourite growing with the status's favourites)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import orjson
import psycopg

from projections.notifications import FORGET_ACTION
from projections.worker import ProjectionWorker
from tests.support import TEST_URLS

HOT_STATUS = 42
AUTHOR = 1
FAVOURITERS = 3000


def _nodes(plan: dict) -> Iterator[dict]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


def test_an_undone_favourite_finds_its_notification_by_status_and_actor(
    fresh_database_url: str,
) -> None:
    worker = ProjectionWorker(fresh_database_url, TEST_URLS)
    try:
        worker.create_tables()
    finally:
        worker.close()
    with psycopg.connect(fresh_database_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO tootlog_notifications"
            " (account_id, id, type, from_account_id, status_id, created_at)"
            " SELECT %s, n, 'favourite', 1000 + n, %s, '2026-12-06T00:00:00.000Z'"
            " FROM generate_series(1, %s) AS n",
            (AUTHOR, HOT_STATUS, FAVOURITERS),
        )
        conn.execute("ANALYZE tootlog_notifications")
        # As the projection's connections run it: one generic plan, kept.
        conn.execute("SET plan_cache_mode = force_generic_plan")
        numbered = iter(("$1", "$2", "$3"))
        conn.execute(
            "PREPARE forget AS " + re.sub(r"%\(\w+\)s", lambda _: next(numbered), FORGET_ACTION)
        )
        with conn.transaction(force_rollback=True):
            actor = 1000 + FAVOURITERS // 2
            (raw,) = conn.execute(
                f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE forget({HOT_STATUS}, 'favourite', {actor})"
            ).fetchone()
    plan = (raw if isinstance(raw, list) else orjson.loads(raw))[0]["Plan"]
    scans = [node for node in _nodes(plan) if "Index Name" in node]
    assert [node["Index Name"] for node in scans] == ["tootlog_notifications_status"], plan
    (scan,) = scans
    assert "from_account_id" in scan["Index Cond"], scan
    assert scan["Actual Rows"] == 1, scan
    assert scan.get("Rows Removed by Filter", 0) == 0, scan
