"""The cost of search on large read models: how long the search indexes take to build, and what
one search costs through the read side the API calls (projections/search.py), on the read
pool's own settings (generic plans).

The rows are written straight into a scratch database's read-model tables (made by the real
DDL), not projected from events: this measures reads, and a projection of a million statuses
is bench/log_bench.py's business. Texts are 12 words drawn from a 50,000-word vocabulary with a
skewed distribution (`w0` is in about a third of the statuses, `w40000` in a few dozen).

`python -m bench.search_bench SERVER_URL [--statuses N] [--runs N]`
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from projections.datastore import datastore_for
from projections.queries import Queries, read_pool
from projections.read_indexes import READ_INDEXES
from projections.search import AccountSearch, StatusSearch
from projections.tables import ReadModelTables

ACCOUNTS = 100_000
TAGS = 5_000
FILLER = "x" * 1000
SEARCH_INDEXES = (
    "tootlog_accounts_username_prefix",
    "tootlog_accounts_display_name_words",
    "tootlog_status_tags_prefix",
    "tootlog_statuses_search",
)  # a status document is about 1.3 kB

FILL = [
    # Accounts: user0..userN, display names of two vocabulary words.
    f"""INSERT INTO tootlog_accounts (id, username, followers_count, doc)
    SELECT n, 'user' || n, n % 100, json_build_object('id', n::text, 'username', 'user' || n,
      'display_name', 'w' || floor(50000 * random() ^ 3)::int || ' w'
      || floor(50000 * random() ^ 3)::int)
    FROM generate_series(1, {ACCOUNTS}) AS n""",
    # Statuses: 80% public, 12% unlisted, 8% private; 2% deleted; snowflake-like ids.
    """INSERT INTO tootlog_statuses (id, account_id, visibility, root_id, depth, path,
      thread_key, text, deleted, doc)
    SELECT id, 1 + n %% %(accounts)s, CASE WHEN n %% 100 < 80 THEN 'public'
      WHEN n %% 100 < 92 THEN 'unlisted' ELSE 'private' END, id, 0, ARRAY[id],
      int8send(id), words.text, n %% 50 = 0,
      json_build_object('id', id::text, 'spoiler_text', '', 'content',
        '<p>' || words.text || '</p>', 'filler', %(filler)s::text)
    FROM generate_series(1, %(statuses)s) AS n
    CROSS JOIN LATERAL (SELECT (111390000000000000 + n::bigint * 65536) AS id) AS ids
    CROSS JOIN LATERAL (SELECT string_agg('w' || floor(50000 * random() ^ 3)::int, ' ') AS text
      FROM generate_series(1, 12) WHERE n > 0) AS words""",
    """INSERT INTO tootlog_status_tags (tag, status_id, account_id)
    SELECT 'topic' || (n %% %(tags)s), 111390000000000000 + n::bigint * 65536,
      1 + n %% %(accounts)s FROM generate_series(1, %(statuses)s) AS n""",
]


def _progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def build(url: str, statuses: int) -> dict[str, float]:
    """The read models with `statuses` rows; seconds each search index took to build."""
    datastore = datastore_for(url)
    tables = ReadModelTables(datastore)
    tables.create_table(read_indexes=False)
    datastore.close()
    params = {"accounts": ACCOUNTS, "statuses": statuses, "tags": TAGS, "filler": FILLER}
    built: dict[str, float] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in FILL:
            started = time.monotonic()
            conn.execute(statement, params if "%(" in statement else None)
            _progress(f"filled in {time.monotonic() - started:.0f} s: {statement.split()[2]}")
        conn.execute("VACUUM ANALYZE")
        conn.execute("SET maintenance_work_mem = '256MB'")
        for name, statement in READ_INDEXES:
            started = time.monotonic()
            conn.execute(statement)
            built[name] = time.monotonic() - started
        conn.execute("ANALYZE")
    return built


async def _timed(call, runs: int) -> tuple[float, float, int]:  # noqa: ANN001
    """Median and worst milliseconds of `runs` calls (after one warm-up), and the answer size."""
    answer = await call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times), len(answer)


async def measure(url: str, runs: int) -> list[tuple[str, float, float, int, int]]:
    """(what, median ms, worst ms, results, matching rows) for each search."""
    pool = read_pool(url, 1, 2)
    await pool.open(wait=True)
    queries = Queries(pool)
    figures = []
    async with pool.connection() as conn:
        for word in ("w40000", "w5000", "w1000", "w300", "w100", "w30", "w0"):
            cur = await conn.execute(
                "SELECT count(*) FROM tootlog_statuses s WHERE to_tsvector('simple', s.text"
                " || ' ' || coalesce(s.doc->>'spoiler_text', '')) @@ to_tsquery('simple', %s)"
                " AND s.reblog_of_id IS NULL AND NOT s.deleted",
                (word,),
            )
            matching = (await cur.fetchone())[0]
            for q in (word, f"{word} w1", f'"{word} w1"'):
                found = StatusSearch(q, 1, 20)
                median, worst, size = await _timed(lambda f=found: queries.search_statuses(f), runs)
                figures.append((f"statuses q={q}", median, worst, size, matching))
    for terms, viewer in (("user1234", 7), ("user1", 7), ("w12", None)):
        search = AccountSearch(terms, viewer, 20)
        median, worst, size = await _timed(lambda s=search: queries.search_accounts(s), runs)
        figures.append((f"accounts q={terms} viewer={viewer}", median, worst, size, 0))
    for prefix in ("topic4999", "topic1", "t"):
        median, worst, size = await _timed(lambda p=prefix: queries.search_tags(p, 20, 0), runs)
        figures.append((f"hashtag names q={prefix}", median, worst, size, 0))
    await pool.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search_bench", description=__doc__)
    parser.add_argument("server", help="libpq URL of a PostgreSQL server (a database is made)")
    parser.add_argument("--statuses", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--database", help="measure the searches on this database built by an earlier run"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database it builds")
    args = parser.parse_args(argv)
    if args.database:
        _report(args.database, args.runs)
        return 0
    name = f"tootlog_bench_search_{uuid.uuid4().hex[:8]}"
    params = conninfo_to_dict(args.server)
    with psycopg.connect(args.server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    params["dbname"] = name
    url = make_conninfo(**params)
    try:
        built = build(url, args.statuses)
        for index, seconds in built.items():
            if index in SEARCH_INDEXES:
                print(f"index {index}: built in {seconds:.1f} s")
        _report(url, args.runs)
    finally:
        if args.keep:
            _progress(f"kept {url}")
        else:
            with psycopg.connect(args.server, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0


def _report(url: str, runs: int) -> None:
    for what, median, worst, size, matching in asyncio.run(measure(url, runs)):
        rows = f", {matching:,} matching statuses" if matching else ""
        print(f"{what}: median {median:.2f} ms, worst {worst:.2f} ms, {size} results{rows}")


if __name__ == "__main__":
    sys.exit(main())
