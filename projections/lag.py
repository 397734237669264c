"""How far the read models are behind the event store, read from the database itself (the worker
is another process): its tracking position against the store's newest notification id, and the
age of the oldest event it has not applied yet."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from psycopg_pool import AsyncConnectionPool

from projections.schema import EVENTS_TABLE, TRACKED_APPLICATION, TRACKING_TABLE

# The event's own timestamp is the first key of its stored JSON; only that event is decoded.
LAG_SQL = f"""
WITH tracked AS (
    SELECT coalesce(
        (SELECT notification_id FROM {TRACKING_TABLE} WHERE application_name = %(app)s), 0
    ) AS position
)
SELECT tracked.position,
       coalesce((SELECT max(notification_id) FROM {EVENTS_TABLE}), 0),
       (SELECT convert_from(state, 'UTF8')::jsonb #>> '{{timestamp,_data_}}'
          FROM {EVENTS_TABLE} WHERE notification_id > tracked.position
         ORDER BY notification_id LIMIT 1)
  FROM tracked
"""


@dataclass(frozen=True)
class ProjectionLag:
    """`events` counts notification ids, so ids lost to rolled-back inserts make it an upper
    bound; `seconds` is the age of the oldest unapplied event (0 when caught up)."""

    position: int
    head: int
    events: int
    seconds: float


async def projection_lag(pool: AsyncConnectionPool, timeout: float) -> ProjectionLag:
    """The lag now; psycopg or pool errors when the database cannot be reached in `timeout`."""
    async with pool.connection(timeout=timeout) as conn:
        cursor = await conn.execute(LAG_SQL, {"app": TRACKED_APPLICATION})
        position, head, oldest = await cursor.fetchone()
    seconds = 0.0
    if oldest is not None:
        seconds = max(0.0, time.time() - datetime.fromisoformat(oldest).timestamp())
    return ProjectionLag(position, head, max(0, head - position), seconds)
