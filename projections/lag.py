"""How far the read models are behind the event store, read from the database itself (the worker
is another process): its tracking position against the store's newest notification id, and the
age of the oldest event it has not applied yet. When the read models have a database of their own,
the position is read there and the rest in the event store's."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg_pool import AsyncConnectionPool

from projections.schema import EVENTS_TABLE, TRACKED_APPLICATION, TRACKING_TABLE

TRACKED = (
    f"SELECT coalesce((SELECT notification_id FROM {TRACKING_TABLE}"
    " WHERE application_name = %(app)s), 0)"
)
# The head, and the timestamp of the oldest event after `tracked.position`: the event's own
# timestamp is the first key of its stored JSON; only that event is decoded.
BEHIND = (
    f"coalesce((SELECT max(notification_id) FROM {EVENTS_TABLE}), 0),"
    " (SELECT convert_from(state, 'UTF8')::jsonb #>> '{timestamp,_data_}'"
    f" FROM {EVENTS_TABLE} WHERE notification_id > tracked.position"
    " ORDER BY notification_id LIMIT 1) FROM tracked"
)
HEAD_SQL = f"SELECT coalesce(max(notification_id), 0) FROM {EVENTS_TABLE}"
# In one statement, when the read models are in the event store's database; else in two.
LAG_SQL = f"WITH tracked AS ({TRACKED} AS position) SELECT tracked.position, {BEHIND}"
EVENTS_BEHIND = f"WITH tracked AS (SELECT %(position)s::bigint AS position) SELECT {BEHIND}"


def event_store_head(conn: psycopg.Connection) -> int:
    """The newest event's position in the event store `conn` reads (0 when it is empty)."""
    return conn.execute(HEAD_SQL).fetchone()[0]


@dataclass(frozen=True)
class ProjectionLag:
    """`events` counts notification ids, so ids lost to rolled-back inserts make it an upper
    bound; `seconds` is the age of the oldest unapplied event (0 when caught up)."""

    position: int
    head: int
    events: int
    seconds: float


async def projection_lag(
    pool: AsyncConnectionPool, timeout: float, events_pool: AsyncConnectionPool | None = None
) -> ProjectionLag:
    """The lag now, from the read models' `pool` (and the event store's `events_pool`, when it is
    another database's); psycopg or pool errors when a database cannot be reached in
    `timeout`."""
    if events_pool is None or events_pool is pool:
        async with pool.connection(timeout=timeout) as conn:
            cursor = await conn.execute(LAG_SQL, {"app": TRACKED_APPLICATION})
            position, head, oldest = await cursor.fetchone()
    else:
        async with pool.connection(timeout=timeout) as conn:
            cursor = await conn.execute(TRACKED, {"app": TRACKED_APPLICATION})
            (position,) = await cursor.fetchone()
        async with events_pool.connection(timeout=timeout) as conn:
            cursor = await conn.execute(EVENTS_BEHIND, {"position": position})
            head, oldest = await cursor.fetchone()
    seconds = 0.0
    if oldest is not None:
        seconds = max(0.0, time.time() - datetime.fromisoformat(oldest).timestamp())
    return ProjectionLag(position, head, max(0, head - position), seconds)
