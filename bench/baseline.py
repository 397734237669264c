"""The yardstick for bench/: the thinnest Starlette + psycopg app doing tootlog's queries.

Each route does the least work its tootlog counterpart could: one indexed SELECT of stored JSON
text (one row, or a thread's, a page's or a home feed's rows joined into one answer), or one
INSERT. Run it
with uvicorn (see bench/run.py); DATABASE_URL says where to connect.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import time
from collections.abc import AsyncIterator

import orjson
from psycopg_pool import AsyncConnectionPool
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

CREATE_TABLES = [
    "CREATE TABLE IF NOT EXISTS bench_baseline_statuses (id bigint PRIMARY KEY, doc text NOT NULL)",
    # A thread's descendants in the order the context answer lists them.
    "CREATE TABLE IF NOT EXISTS bench_baseline_threads"
    " (root_id bigint, position integer, doc text NOT NULL, PRIMARY KEY (root_id, position))",
    # Who reblogged a status: the Account JSON under the reblog's id (the page cursor).
    "CREATE TABLE IF NOT EXISTS bench_baseline_reblogs"
    " (status_id bigint, cursor bigint, doc text NOT NULL, PRIMARY KEY (status_id, cursor))",
    # A home feed pre-rendered: each entry's Status JSON under its account and status id.
    "CREATE TABLE IF NOT EXISTS bench_baseline_feeds"
    " (account_id bigint, status_id bigint, doc text NOT NULL,"
    " PRIMARY KEY (account_id, status_id))",
]
SELECT_STATUS = "SELECT doc FROM bench_baseline_statuses WHERE id = %s"
INSERT_STATUS = "INSERT INTO bench_baseline_statuses (id, doc) VALUES (%s, %s)"
SELECT_THREAD = "SELECT doc FROM bench_baseline_threads WHERE root_id = %s ORDER BY position"
INSERT_THREAD = "INSERT INTO bench_baseline_threads (root_id, position, doc) VALUES (%s, %s, %s)"
SELECT_REBLOGS = (
    "SELECT doc FROM bench_baseline_reblogs WHERE status_id = %s ORDER BY cursor DESC LIMIT %s"
)
INSERT_REBLOG = "INSERT INTO bench_baseline_reblogs (status_id, cursor, doc) VALUES (%s, %s, %s)"
SELECT_FEED = (
    "SELECT doc FROM bench_baseline_feeds WHERE account_id = %s ORDER BY status_id DESC LIMIT %s"
)
INSERT_FEED = "INSERT INTO bench_baseline_feeds (account_id, status_id, doc) VALUES (%s, %s, %s)"
ACCOUNTS_PAGE = 40  # tootlog's default page of accounts
STATUSES_PAGE = 20  # tootlog's default page of statuses
JSON = "application/json; charset=utf-8"

# Snowflake-shaped ids counted up from start-up: they sort after the status the harness copies
# from tootlog (created before this process started) and never collide with it.
_ids = itertools.count(int(time.time() * 1000) << 16)


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """Open the pool and create the table; close the pool on shutdown."""
    # Sized like tootlog's default pool (TOOTLOG_DB_POOL_SIZE=10) so neither side has more
    # database connections to work with.
    # Autocommit, as tootlog's read pool: one round trip per statement, no COMMIT after it.
    pool = AsyncConnectionPool(
        os.environ["DATABASE_URL"],
        min_size=2,
        max_size=10,
        kwargs={"autocommit": True},
        open=False,
    )
    await pool.open(wait=True)
    async with pool.connection() as conn:
        for statement in CREATE_TABLES:
            await conn.execute(statement)
    app.state.pool = pool
    try:
        yield
    finally:
        await pool.close()


async def show_status(request: Request) -> Response:
    """GET /api/v1/statuses/{id}: the stored JSON, as is."""
    async with request.app.state.pool.connection() as conn:
        cursor = await conn.execute(SELECT_STATUS, (request.path_params["id"],))
        row = await cursor.fetchone()
    if row is None:
        return JSONResponse({"error": "Record not found"}, status_code=404)
    return Response(row[0], media_type=JSON)


async def show_context(request: Request) -> Response:
    """GET /api/v1/statuses/{id}/context of a thread's root: its descendants' stored JSON, in
    one SELECT, joined into the context object."""
    async with request.app.state.pool.connection() as conn:
        cursor = await conn.execute(SELECT_THREAD, (request.path_params["id"],))
        rows = await cursor.fetchall()
    body = '{"ancestors":[],"descendants":[' + ",".join(row[0] for row in rows) + "]}"
    return Response(body, media_type=JSON)


async def reblogged_by(request: Request) -> Response:
    """GET /api/v1/statuses/{id}/reblogged_by: the newest page of stored Account JSON."""
    async with request.app.state.pool.connection() as conn:
        cursor = await conn.execute(SELECT_REBLOGS, (request.path_params["id"], ACCOUNTS_PAGE))
        rows = await cursor.fetchall()
    return Response("[" + ",".join(row[0] for row in rows) + "]", media_type=JSON)


async def home_timeline(request: Request) -> Response:
    """GET /api/v1/timelines/home?account=ID: the newest 20 pre-rendered rows of the feed, by
    one indexed SELECT (the account comes in the query string: no token lookup)."""
    account = int(request.query_params["account"])
    async with request.app.state.pool.connection() as conn:
        cursor = await conn.execute(SELECT_FEED, (account, STATUSES_PAGE))
        rows = await cursor.fetchall()
    return Response("[" + ",".join(row[0] for row in rows) + "]", media_type=JSON)


async def create_status(request: Request) -> Response:
    """POST /api/v1/statuses: store a small JSON doc for the form's status text and return it."""
    form = await request.form()
    status_id = next(_ids)
    doc = orjson.dumps({"id": str(status_id), "content": form.get("status", "")}).decode()
    async with request.app.state.pool.connection() as conn:
        await conn.execute(INSERT_STATUS, (status_id, doc))
    return Response(doc, media_type=JSON)


app = Starlette(
    routes=[
        Route("/api/v1/statuses", create_status, methods=["POST"]),
        Route("/api/v1/statuses/{id:int}", show_status, methods=["GET"]),
        Route("/api/v1/statuses/{id:int}/context", show_context, methods=["GET"]),
        Route("/api/v1/statuses/{id:int}/reblogged_by", reblogged_by, methods=["GET"]),
        Route("/api/v1/timelines/home", home_timeline, methods=["GET"]),
    ],
    lifespan=lifespan,
)
