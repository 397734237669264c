"""The viewer's bookmarks (GET /api/v1/bookmarks): a page of bookmark rows, newest bookmark
first, then their statuses in one read.

As Mastodon's BookmarksController: every bookmarked status that still exists, rendered for the
viewer, with no visibility filter (a bookmark is the viewer's own record of a status they could
see when they made it, as the answer of an unbookmark is, §6.14). Bookmarks are always of
originals, never of reblog wrappers.
"""

from __future__ import annotations

from projections.pages import Page, page_bounds
from projections.status_reads import StatusReads

_PICK = (
    "SELECT b.status_id, b.id FROM tootlog_bookmarks b"
    " JOIN tootlog_statuses s ON s.id = b.status_id"
    " WHERE {conditions} ORDER BY b.id {order} LIMIT %(limit)s"
)


class BookmarkReads(StatusReads):
    async def bookmarks(self, viewer_id: int, page: Page) -> tuple[list[int], list[str]]:
        """The page's cursors (bookmark ids, newest first: the Link header's) and the Status
        JSON of each bookmarked status, in the same order."""
        if page.limit == 0:
            return [], []
        params: dict = {"viewer": viewer_id}
        where, order = page_bounds("b.id", page, params)
        conditions = " AND ".join(["b.account_id = %(viewer)s", "NOT s.deleted", *where])
        async with self.pool.connection() as conn:
            cur = await conn.execute(_PICK.format(conditions=conditions, order=order), params)
            picked = await cur.fetchall()
        if page.ascending:
            picked.reverse()
        if not picked:
            return [], []
        rows = await self._rows([sid for sid, _ in picked], viewer_id)
        by_id = {row.id: row for row in rows}
        docs = [
            by_id[sid].render(viewer_id)
            for sid, _ in picked
            if sid in by_id and not by_id[sid].post.deleted  # deleted since it was picked
        ]
        return [cursor for _, cursor in picked], docs
