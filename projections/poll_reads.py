"""Polls by id as a viewer sees them (GET /api/v1/polls/:id and the answer of a vote)."""

from __future__ import annotations

import orjson

from projections.polls import poll_document
from projections.status_reads import StatusReads


class PollReads(StatusReads):
    """Reads of polls: visible exactly when their status is."""

    async def poll(self, poll_id: int | None, viewer_id: int | None) -> str | None:
        """The Poll entity (JSON text), or None when missing or its status is invisible."""
        if poll_id is None:
            return None
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT status_id FROM tootlog_polls WHERE id = %s", (poll_id,), prepare=True
            )
            found = await cur.fetchone()
        if found is None:
            return None
        row = await self.visible_row(found[0], viewer_id)
        if row is None or row.original is not None or row.poll is None:
            return None
        return orjson.dumps(poll_document(row.poll, viewer_id)).decode()
