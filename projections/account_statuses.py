"""An account's statuses, or its pinned ones, as a viewer sees them (its profile)."""

from __future__ import annotations

from domain.visibility import Relationship
from projections.pages import Page, page_bounds
from projections.status_reads import StatusReads
from projections.status_rows import visible_visibilities


class AccountStatusReads(StatusReads):
    async def account_statuses(
        self,
        account_id: int,
        viewer_id: int | None,
        page: Page,
        *,
        pinned: bool = False,
        exclude_replies: bool = False,
        exclude_reblogs: bool = False,
        exclude_direct: bool = False,
        only_media: bool = False,
    ) -> list[tuple[int, str]]:
        """An account's statuses (or pins) the viewer may see: (cursor, JSON) newest first."""
        follows = False
        if viewer_id is not None and viewer_id != account_id:
            follows = await self.follows(viewer_id, account_id)
        plain, mentioned = visible_visibilities(
            account_id, viewer_id, Relationship(follows_author=follows)
        )
        conditions = [
            "s.account_id = %(account)s",
            "NOT s.deleted",
            "(s.visibility = ANY(%(plain)s)"
            " OR (s.visibility = ANY(%(mentioned)s) AND %(viewer)s = ANY(s.mentions)))",
        ]
        if exclude_replies:  # a reply to oneself continues a thread and stays
            conditions.append(
                "(s.in_reply_to_id IS NULL OR s.in_reply_to_account_id = s.account_id)"
            )
        if exclude_direct:  # Mastodon 4.6: an author's own (or a mentioned viewer's) DMs
            conditions.append("s.visibility <> 'direct'")
        if exclude_reblogs:
            conditions.append("s.reblog_of_id IS NULL")
        if only_media:
            conditions.append(
                "s.reblog_of_id IS NULL AND json_array_length(s.doc->'media_attachments') > 0"
            )
        params = {"account": account_id, "plain": plain, "mentioned": mentioned}
        if pinned:
            cursor = "pn.id"
            source = "JOIN tootlog_pins pn ON pn.status_id = s.id AND pn.account_id = %(account)s"
        else:
            cursor, source = "s.id", ""
        where, order = page_bounds(cursor, page, params)
        conditions += where
        rows_sql = (
            f"SELECT s.id AS sid, {cursor} AS cursor FROM tootlog_statuses s {source}"
            f" WHERE {' AND '.join(conditions)} ORDER BY {cursor} {order} LIMIT %(limit)s"
        )
        async with self.pool.connection() as conn:
            cur = await conn.execute(rows_sql, {**params, "viewer": viewer_id})
            picked = await cur.fetchall()
        if page.ascending:
            picked.reverse()
        return await self.rendered_in_order(picked, viewer_id)
