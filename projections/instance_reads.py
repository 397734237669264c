"""Apps and the instance's counts, for OAuth and a client's first calls."""

from __future__ import annotations

from dataclasses import dataclass

from projections.reads import Reads


@dataclass(frozen=True, slots=True)
class InstanceStats:
    user_count: int
    status_count: int
    active_month: int


class InstanceReads(Reads):
    """Reads of apps and instance statistics."""

    async def app(self, app_id: int) -> str | None:
        """An OAuth app's Application JSON (no secrets), or None."""
        return await self._text("SELECT doc::text FROM tootlog_apps WHERE id = %s", (app_id,))

    async def app_by_client_id(self, client_id: str) -> dict | None:
        """An OAuth app's Application document by client_id, or None."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT doc FROM tootlog_apps WHERE client_id = %s", (client_id,)
            )
            row = await cur.fetchone()
        return row[0] if row else None

    async def instance_stats(self) -> InstanceStats:
        """Counts for /api/v1/instance: local users, their statuses, users active this month."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT count(*), coalesce(sum(statuses_count), 0),"
                " count(*) FILTER (WHERE last_status_at >= current_date - 30)"
                " FROM tootlog_accounts"
            )
            row = await cur.fetchone()
        return InstanceStats(*row) if row else InstanceStats(0, 0, 0)
