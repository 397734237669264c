"""What every read of the read models shares: the read pool (and the event store's, for the
few reads of the log) and a few one-row lookups.

`pool` is anything with `connection()` (an AsyncConnectionPool, or the API's replica router,
api/replicas.py, which picks the connection per request); `primary` is the pool of the
database itself, for the reads that must be current whoever asks (tokens)."""

from __future__ import annotations

from psycopg_pool import AsyncConnectionPool


class Reads:
    """Base of the read classes Queries is made of (projections/queries.py)."""

    def __init__(
        self,
        pool: AsyncConnectionPool,
        primary: AsyncConnectionPool | None = None,
        *,
        events_pool: AsyncConnectionPool | None = None,
    ) -> None:
        self.pool = pool
        self.primary = primary or pool
        # The event store's connections, for the few reads of the log itself (the streams'
        # topics, the lag): the primary's own unless the read models have a database of
        # their own (TOOTLOG_READ_MODEL_DATABASE_URL).
        self.events_pool = events_pool or self.primary

    async def follows(self, follower_id: int, followee_id: int) -> bool:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT 1 FROM tootlog_follows WHERE follower_id = %s AND followee_id = %s",
                (follower_id, followee_id),
            )
            return await cur.fetchone() is not None

    async def _text(self, query: str, params: tuple) -> str | None:
        async with self.pool.connection() as conn:
            cur = await conn.execute(query, params)
            row = await cur.fetchone()
        return row[0] if row else None
