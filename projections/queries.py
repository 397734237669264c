"""Read-side queries the API calls. Each answer is one indexed query returning JSON text that
PostgreSQL assembles from the stored documents; visibility is decided by domain.visibility."""

from __future__ import annotations

from dataclasses import dataclass

from psycopg_pool import AsyncConnectionPool

from domain.visibility import Audience, Relationship, can_see

ACCOUNT_JSON = (
    "a.doc || jsonb_build_object('followers_count', a.followers_count,"
    " 'following_count', a.following_count, 'statuses_count', a.statuses_count,"
    " 'last_status_at', a.last_status_at)"
)
STATUS_JSON = (
    "s.doc || jsonb_build_object('replies_count', s.replies_count,"
    " 'reblogs_count', s.reblogs_count, 'favourites_count', s.favourites_count,"
    f" 'account', {ACCOUNT_JSON})"
)
# Per-viewer keys exist only for a user (§3.1); `pinned` only on the viewer's own pinnable statuses.
VIEWER_JSON = (
    "jsonb_build_object('favourited', false, 'reblogged', false, 'muted', false,"
    " 'bookmarked', false, 'filtered', '[]'::jsonb)"
    " || CASE WHEN s.account_id = %(viewer)s AND s.visibility <> 'direct'"
    " THEN jsonb_build_object('pinned', false) ELSE '{}'::jsonb END"
)
TOKEN_CACHE_SIZE = 10_000
STATUS_FACTS = "s.visibility, s.account_id, s.mentions"
STATUS_FROM = "tootlog_statuses s JOIN tootlog_accounts a ON a.id = s.account_id"


@dataclass(frozen=True, slots=True)
class TokenRow:
    account_id: int | None
    app_id: int | None
    scopes: list[str]
    revoked: bool
    account_locked: bool


class Queries:
    """Async read access to the read models."""

    def __init__(self, pool: AsyncConnectionPool) -> None:
        self.pool = pool
        # Live tokens only; the projection's revocation NOTIFY evicts them (`forget_token`).
        self._tokens: dict[str, TokenRow] = {}

    async def token(self, token_hash: str) -> TokenRow | None:
        cached = self._tokens.get(token_hash)
        if cached is not None:
            return cached
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT t.account_id, t.app_id, t.scopes, t.revoked, coalesce(a.locked, false)"
                " FROM tootlog_tokens t LEFT JOIN tootlog_accounts a ON a.id = t.account_id"
                " WHERE t.token_hash = %s",
                (token_hash,),
            )
            row = await cur.fetchone()
        if row is None:
            return None
        token = TokenRow(*row)
        if not token.revoked:
            if len(self._tokens) >= TOKEN_CACHE_SIZE:
                self._tokens.clear()
            self._tokens[token_hash] = token
        return token

    def forget_token(self, token_hash: str | None) -> None:
        """Drop a revoked token from the cache (None: drop them all)."""
        if token_hash is None:
            self._tokens.clear()
        else:
            self._tokens.pop(token_hash, None)

    async def status(self, status_id: int, viewer_id: int | None) -> str | None:
        """The status as `viewer_id` sees it (JSON text), or None if missing or invisible."""
        return await self._visible_status(status_id, viewer_id, STATUS_JSON)

    async def statuses(self, status_ids: list[int], viewer_id: int | None) -> dict[int, str]:
        """Several statuses as `viewer_id` sees them (JSON text) in one query, by id; missing
        and invisible ones are left out."""
        doc = STATUS_JSON if viewer_id is None else f"{STATUS_JSON} || {VIEWER_JSON}"
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                f"SELECT s.id, {STATUS_FACTS}, ({doc})::text FROM {STATUS_FROM}"
                " WHERE s.id = ANY(%(ids)s) AND NOT s.deleted",
                {"ids": status_ids, "viewer": viewer_id},
            )
            rows = await cur.fetchall()
        return {
            status_id: text
            for status_id, visibility, author_id, mentions, text in rows
            if can_see(Audience(visibility, author_id, mentions), viewer_id, Relationship())
        }

    async def status_as_deleted(
        self, status_id: int, viewer_id: int, *, include_deleted: bool = False
    ) -> str | None:
        """The status with its source `text` in place of `content` (the DELETE answer)."""
        doc = f"({STATUS_JSON}) - 'content' || jsonb_build_object('text', s.text)"
        return await self._visible_status(status_id, viewer_id, doc, include_deleted)

    async def _visible_status(
        self, status_id: int, viewer_id: int | None, doc: str, include_deleted: bool = False
    ) -> str | None:
        if viewer_id is not None:
            doc = f"{doc} || {VIEWER_JSON}"
        live = "" if include_deleted else " AND NOT s.deleted"
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                f"SELECT {STATUS_FACTS}, ({doc})::text FROM {STATUS_FROM}"
                f" WHERE s.id = %(id)s{live}",
                {"id": status_id, "viewer": viewer_id},
            )
            row = await cur.fetchone()
        if row is None:
            return None
        visibility, author_id, mentions, text = row
        if not can_see(Audience(visibility, author_id, mentions), viewer_id, Relationship()):
            return None
        return text
