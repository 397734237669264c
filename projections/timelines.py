"""The timelines: home, public and hashtag, and the viewer's favourites, as the viewer sees them.

Each page is one statement of the one status row select (status_rows), visibility checked on
each row by the one policy: the home feed's index drives it (each feed row joined to its status
until the page is full); the public and hashtag timelines pick the page's ids by an index first.
The favourites page, whose cursor is the favourite's id, picks (status, cursor) pairs and renders
them with rendered_in_order.
"""

from __future__ import annotations

from dataclasses import dataclass

from projections.pages import Page, page_bounds
from projections.status_reads import StatusReads
from projections.status_rows import ANONYMOUS_SELECT, USER_SELECT, rows_of, status_row

# Mastodon's TagFeed::LIMIT_PER_MODE: at most this many names of `any`, `all` and `none` count.
TAGS_PER_MODE = 4
_WITH_MEDIA = "json_array_length(s.doc->'media_attachments') > 0"
# The home feed's rows, each joined to its status (`s`).
HOME_FEED = "tootlog_home_feed h JOIN tootlog_statuses s ON s.id = h.status_id"


@dataclass(frozen=True, slots=True)
class TagQuery:
    """A hashtag timeline: the tag in the path and `any[]`, `all[]`, `none[]` (normalized)."""

    tag: str
    any: tuple[str, ...] = ()
    all: tuple[str, ...] = ()
    none: tuple[str, ...] = ()


class TimelineReads(StatusReads):
    async def _status_page(
        self, pick: str, params: dict, page: Page, viewer_id: int | None
    ) -> list[tuple[int, str]]:
        """(id, Status JSON) newest first for the ids `pick` selects (a statement with the
        page's bounds, order and limit), in one statement; invisible rows are left out."""
        select = ANONYMOUS_SELECT if viewer_id is None else USER_SELECT
        query = f"{select} WHERE s.id IN ({pick}) ORDER BY s.id DESC"
        return await self._rendered(query, {**params, "viewer": viewer_id}, viewer_id)

    async def _rendered(
        self, query: str, params: dict, viewer_id: int | None, *, reverse: bool = False
    ) -> list[tuple[int, str]]:
        """(id, Status JSON) of the status rows `query` selects, in its order (or the reverse),
        the rows `viewer_id` may not see left out."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(query, params)
            rows = await cur.fetchall()
        if reverse:
            rows.reverse()
        answer = []
        for raw in rows:
            row = status_row(raw)
            if row.visible_to(viewer_id):
                answer.append((row.id, row.render(viewer_id)))
        return answer

    async def home_timeline(self, viewer_id: int, page: Page) -> list[tuple[int, str]]:
        """The viewer's home feed (projections/home_feed.py), deleted statuses left out.

        The feed's index drives the statement: its rows in order, each joined to its status
        until the page is full (no list of ids picked first and looked up again)."""
        params: dict = {"viewer": viewer_id}
        where, order = page_bounds("h.status_id", page, params)
        bounds = "".join(f" AND {w}" for w in where)
        query = (
            f"{rows_of(HOME_FEED, user=True)}"
            f" WHERE h.account_id = %(viewer)s AND NOT s.deleted{bounds}"
            f" ORDER BY h.status_id {order} LIMIT %(limit)s"
        )
        return await self._rendered(query, params, viewer_id, reverse=order == "ASC")

    async def public_timeline(
        self, viewer_id: int | None, page: Page, *, only_media: bool = False
    ) -> list[tuple[int, str]]:
        """Mastodon's PublicFeed: public statuses, no boosts, no replies to others (every
        account is local here)."""
        params: dict = {}
        where, order = page_bounds("p.id", page, params)
        if only_media:
            where.append(_WITH_MEDIA.replace("s.", "p."))
        bounds = "".join(f" AND {w}" for w in where)
        # The conditions of the partial index tootlog_statuses_public, word for word.
        pick = (
            "SELECT p.id FROM tootlog_statuses p WHERE p.visibility = 'public'"
            " AND p.reblog_of_id IS NULL AND NOT p.deleted"
            " AND (p.in_reply_to_id IS NULL OR p.in_reply_to_account_id = p.account_id)"
            f"{bounds} ORDER BY p.id {order} LIMIT %(limit)s"
        )
        return await self._status_page(pick, params, page, viewer_id)

    async def tag_timeline(
        self, tags: TagQuery, viewer_id: int | None, page: Page, *, only_media: bool = False
    ) -> list[tuple[int, str]]:
        """Mastodon's TagFeed: public statuses with any of the tags, all of the `all` tags
        that exist, none of the `none` tags; [] when the tag in the path was never used."""
        any_tags = list(dict.fromkeys((tags.tag, *tags.any[:TAGS_PER_MODE])))
        params: dict = {
            "tag": tags.tag,
            "any": any_tags,
            "all": list(tags.all[:TAGS_PER_MODE]),
            "none": list(tags.none[:TAGS_PER_MODE]),
        }
        where, order = page_bounds("t.status_id", page, params)
        where.append("p.visibility = 'public' AND NOT p.deleted")
        # Mastodon answers [] for a tag no status has used, whatever `any` names.
        where.append("EXISTS (SELECT 1 FROM tootlog_status_tags k WHERE k.tag = %(tag)s)")
        if only_media:
            where.append(_WITH_MEDIA.replace("s.", "p."))
        if tags.all:  # Mastodon leaves out the names no status has used
            where.append(
                "NOT EXISTS (SELECT 1 FROM unnest(%(all)s::text[]) AS n(tag)"
                " WHERE EXISTS (SELECT 1 FROM tootlog_status_tags e WHERE e.tag = n.tag)"
                " AND NOT EXISTS (SELECT 1 FROM tootlog_status_tags e"
                " WHERE e.tag = n.tag AND e.status_id = t.status_id))"
            )
        if tags.none:
            where.append(
                "NOT EXISTS (SELECT 1 FROM tootlog_status_tags e"
                " WHERE e.tag = ANY(%(none)s::text[]) AND e.status_id = t.status_id)"
            )
        distinct = "DISTINCT " if len(any_tags) > 1 else ""
        pick = (
            f"SELECT {distinct}t.status_id FROM tootlog_status_tags t"
            " JOIN tootlog_statuses p ON p.id = t.status_id"
            f" WHERE t.tag = ANY(%(any)s::text[]) AND {' AND '.join(where)}"
            f" ORDER BY t.status_id {order} LIMIT %(limit)s"
        )
        return await self._status_page(pick, params, page, viewer_id)

    async def favourites(self, viewer_id: int, page: Page) -> list[tuple[int, str]]:
        """The statuses the viewer favourited, by favourite id (the cursor), newest first."""
        params: dict = {"viewer": viewer_id}
        where, order = page_bounds("f.id", page, params)
        bounds = "".join(f" AND {w}" for w in where)
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT f.status_id, f.id FROM tootlog_favourites f"
                f" WHERE f.account_id = %(viewer)s{bounds} ORDER BY f.id {order} LIMIT %(limit)s",
                params,
            )
            picked = await cur.fetchall()
        if page.ascending:
            picked.reverse()
        return await self.rendered_in_order(picked, viewer_id)
