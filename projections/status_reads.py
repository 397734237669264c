"""Statuses one at a time or by id, as a viewer sees them: a status, its thread context, the
answers of the writes, and a page of chosen statuses rendered in order."""

from __future__ import annotations

from projections.arrays import Int8Column
from projections.context import ANONYMOUS_CONTEXT, EMPTY_CONTEXT, USER_CONTEXT, read_context
from projections.reads import Reads
from projections.status_rows import (
    StatusRow,
    facts_visible,
    rows_by_ids,
    status_row,
    target_facts,
)


class StatusReads(Reads):
    """Reads of statuses by id."""

    async def _rows(self, ids: list[int], viewer_id: int | None) -> list[StatusRow]:
        """The rows of the statuses `ids` (any order; missing ones left out)."""
        select = rows_by_ids(user=viewer_id is not None)
        async with self.pool.connection() as conn:
            cur = await conn.execute(select, {"ids": Int8Column(ids), "viewer": viewer_id})
            rows = await cur.fetchall()
        return [status_row(row) for row in rows]

    async def visible(self, status_id: int | None, viewer_id: int | None) -> bool:
        """Whether the status (or wrapper and its original) exists and the viewer may see it:
        the facts only, for the checks that come before an answer (§6.10, §6.12)."""
        if status_id is None:
            return False
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                target_facts(viewer_id is not None), {"status": status_id, "viewer": viewer_id}
            )
            row = await cur.fetchone()
        return row is not None and facts_visible(row, viewer_id)

    async def visible_row(
        self, status_id: int | None, viewer_id: int | None, include_deleted: bool = False
    ) -> StatusRow | None:
        """The status (or wrapper) if it exists, is not deleted and the viewer may see it."""
        if status_id is None:
            return None
        rows = await self._rows([status_id], viewer_id)
        if not rows:
            return None
        row = rows[0]
        if include_deleted and row.post.deleted:
            row.post.deleted = False
            if row.original is not None:
                row.original.deleted = False
        return row if row.visible_to(viewer_id) else None

    async def status(self, status_id: int | None, viewer_id: int | None) -> str | None:
        """The status as `viewer_id` sees it (JSON text), or None if missing or invisible."""
        row = await self.visible_row(status_id, viewer_id)
        return None if row is None else row.render(viewer_id)

    async def status_reblogged(self, wrapper_id: int, viewer_id: int) -> str | None:
        """The answer of a reblog (§6.8): its wrapper, even when the caller's own concurrent
        unreblog has already removed it (the reblog did happen); None once the original is gone
        or hidden."""
        rows = await self._rows([wrapper_id], viewer_id)
        if not rows:
            return None
        row = rows[0]
        row.post.deleted = False
        return row.render(viewer_id) if row.visible_to(viewer_id) else None

    async def status_undone(self, status_id: int, viewer_id: int, flag: str) -> str | None:
        """The answer of an unreblog or unfavourite (§6.9, §6.11), or None if deleted: `flag`
        is false at the top level even when the id named a reblog wrapper, whose flags are
        otherwise the original's.

        No visibility check, as in Rails: the command already let the caller undo their own
        reblog or favourite, which they may do after losing sight of the status (an unfollow).
        """
        rows = await self._rows([status_id], viewer_id)
        row = rows[0] if rows else None
        if row is None or row.post.deleted or (row.original and row.original.deleted):
            return None
        return row.render(viewer_id, undone=flag)

    async def statuses(self, status_ids: list[int], viewer_id: int | None) -> dict[int, str]:
        """Several statuses as `viewer_id` sees them (JSON text) in one query, by id; missing
        and invisible ones are left out."""
        rows = await self._rows(status_ids, viewer_id)
        return {row.id: row.render(viewer_id) for row in rows if row.visible_to(viewer_id)}

    async def status_as_deleted(
        self, status_id: int, viewer_id: int, *, include_deleted: bool = False
    ) -> str | None:
        """The status with its source `text` in place of `content` (the DELETE answer)."""
        row = await self.visible_row(status_id, viewer_id, include_deleted)
        return None if row is None else row.render(viewer_id, source=True)

    async def context(
        self, status_id: int | None, viewer_id: int | None, user: bool
    ) -> bytes | None:
        """§6.2: ancestors and descendants as the viewer sees them (JSON), or None (404)."""
        row = await self.visible_row(status_id, viewer_id)
        if row is None:
            return None
        if row.original is not None:  # replies attach to the original, never to a wrapper
            return EMPTY_CONTEXT
        async with self.pool.connection() as conn:
            return await read_context(
                conn, row.id, viewer_id, USER_CONTEXT if user else ANONYMOUS_CONTEXT
            )

    async def rendered_in_order(
        self, picked: list[tuple[int, int]], viewer_id: int | None
    ) -> list[tuple[int, str]]:
        """(cursor, Status JSON) for the (status id, cursor) pairs a list query picked, in their
        order; statuses gone or invisible meanwhile (a boost of something hidden) are left out."""
        if not picked:
            return []
        ids = [sid for sid, _ in picked]
        rows = await self._rows(ids, viewer_id)
        by_id = {r.id: r for r in rows}
        answer = []
        for sid, cursor in picked:
            row = by_id.get(sid)
            if row is not None and row.visible_to(viewer_id):
                answer.append((cursor, row.render(viewer_id)))
        return answer
