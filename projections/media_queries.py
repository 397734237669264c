"""Read-side queries for media attachments (GET/PUT /api/v1/media/:id and upload answers)."""

from __future__ import annotations

from psycopg_pool import AsyncConnectionPool


async def media_document(
    pool: AsyncConnectionPool, media_id: int, account_id: int, *, unattached_only: bool
) -> str | None:
    """The MediaAttachment JSON of one of `account_id`'s uploads, or None.

    With `unattached_only`, media already attached to a status count as missing (§8.8).
    """
    unattached = " AND status_id IS NULL" if unattached_only else ""
    async with pool.connection() as conn:
        cur = await conn.execute(
            f"SELECT doc::text FROM tootlog_media WHERE id = %s AND account_id = %s{unattached}",
            (media_id, account_id),
        )
        row = await cur.fetchone()
    return row[0] if row else None
