"""Access tokens as the API checks them, kept in memory while they are live."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from projections.reads import Reads

TOKEN_CACHE_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class TokenRow:
    account_id: int | None
    app_id: int | None
    scopes: list[str]
    revoked: bool
    account_locked: bool
    application: dict | None = None  # the app's {name, website}, as a Status names it


class TokenReads(Reads):
    """Tokens by hash; the projection's revocation NOTIFY evicts them (`forget_token`).

    Read from the primary, never a replica: a token issued a moment ago must work at once, and
    a lagging replica must not put a token just revoked back in the cache."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # Reads's
        super().__init__(*args, **kwargs)
        self._tokens: dict[str, TokenRow] = {}

    async def token(self, token_hash: str) -> TokenRow | None:
        cached = self._tokens.get(token_hash)
        if cached is not None:
            return cached
        async with self.primary.connection() as conn:
            cur = await conn.execute(
                "SELECT t.account_id, t.app_id, t.scopes, t.revoked, coalesce(a.locked, false),"
                " CASE WHEN ap.id IS NOT NULL THEN jsonb_build_object("
                "  'name', ap.doc->'name', 'website', ap.doc->'website') END"
                " FROM tootlog_tokens t LEFT JOIN tootlog_accounts a ON a.id = t.account_id"
                " LEFT JOIN tootlog_apps ap ON ap.id = t.app_id"
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
