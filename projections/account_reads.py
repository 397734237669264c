"""Accounts: one by id or name, relationships, and the accounts that reblogged or favourited a
status (a page read with the status's visibility facts in one statement)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import orjson

from projections.pages import AccountPage, Page, page_bounds
from projections.per_viewer import FOLLOWS_SQL
from projections.raw import raw_json_cursor
from projections.reads import Reads
from projections.status_rows import facts_visible, target_facts


class AccountReads(Reads):
    """Reads of accounts."""

    async def account(self, account_id: int | None) -> str | None:
        if account_id is None:
            return None
        return await self._one_account("a.id = %s", account_id)

    async def _one_account(self, condition: str, value: object) -> str | None:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                f"SELECT a.rendered FROM tootlog_accounts a WHERE {condition}",
                (value,),
            )
            row = await cur.fetchone()
        return None if row is None else row[0]

    async def relationships(self, viewer_id: int, account_ids: list[int]) -> list[str]:
        """The Relationship entity for each existing account, in the order asked."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                f"SELECT a.id, {FOLLOWS_SQL.format(author='a.id')},"
                " coalesce((SELECT true FROM tootlog_follows f"
                "  WHERE f.follower_id = a.id AND f.followee_id = %(viewer)s), false),"
                " coalesce((SELECT true FROM tootlog_notifying_follows n"
                "  WHERE n.followee_id = a.id AND n.follower_id = %(viewer)s), false)"
                " FROM tootlog_accounts a WHERE a.id = ANY(%(ids)s)",
                {"viewer": viewer_id, "ids": account_ids},
            )
            found = {row[0]: row[1:] for row in await cur.fetchall()}
        answer = []
        for account_id in dict.fromkeys(account_ids):
            if account_id in found:
                following, followed_by, notifying = found[account_id]
                answer.append(relationship_json(account_id, following, followed_by, notifying))
        return answer

    async def reblogged_by(
        self, status_id: int | None, viewer_id: int | None, page: Page
    ) -> AccountPage | None:
        """Accounts with a live public or unlisted reblog, by reblog id; None when the status
        is missing or the viewer may not see it."""
        return await self._accounts(_REBLOGGERS, status_id, viewer_id, page)

    async def favourited_by(
        self, status_id: int | None, viewer_id: int | None, page: Page
    ) -> AccountPage | None:
        """Accounts that favourited the status, by favourite id; None when the status is
        missing or the viewer may not see it."""
        return await self._accounts(_FAVOURITERS, status_id, viewer_id, page)

    async def _accounts(
        self, source: _AccountSource, status_id: int | None, viewer_id: int | None, page: Page
    ) -> AccountPage | None:
        """A page of accounts about one status, read with the status's visibility facts in one
        statement that PostgreSQL answers with one row: the facts, the page's cursors and its
        JSON array (nothing is sent when the status is not visible)."""
        if status_id is None:
            return None
        params: dict = {"status": status_id, "viewer": viewer_id}
        where, order = page_bounds(source.cursor, page, params)
        query = _accounts_query(source, tuple(where), order, viewer_id is not None)
        async with self.pool.connection() as conn:
            cur = raw_json_cursor(conn)
            await cur.execute(query, params)
            row = await cur.fetchone()
        if row is None or not facts_visible(row, viewer_id):
            return None
        return AccountPage(row[10] or [], row[11])

    async def account_by_username(self, username: str) -> str | None:
        """A local account's JSON by case-insensitive username, or None."""
        return await self._one_account("lower(a.username) = lower(%s)", username)

    async def credential_account(self, account_id: int, extra: dict) -> str | None:
        """The account's JSON with `extra` keys merged in (CredentialAccount's source and role),
        the note as written in `source.note`."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT a.rendered, a.note FROM tootlog_accounts a WHERE a.id = %s", (account_id,)
            )
            row = await cur.fetchone()
        if row is None:
            return None
        doc, note = row
        if "source" in extra:
            extra = {**extra, "source": {**extra["source"], "note": note}}
        return f"{doc[:-1]},{orjson.dumps(extra).decode()[1:]}"


@dataclass(frozen=True, slots=True)
class _AccountSource:
    """Where a list of accounts about a status comes from: rows joined to `a` (the account),
    filtered on %(status)s, and the column that is their page cursor."""

    rows: str
    cursor: str


_REBLOGGERS = _AccountSource(
    "FROM tootlog_statuses s JOIN tootlog_accounts a ON a.id = s.account_id"
    " WHERE s.reblog_of_id = %(status)s AND NOT s.deleted"
    " AND s.visibility IN ('public', 'unlisted')",
    "s.id",
)
_FAVOURITERS = _AccountSource(
    "FROM tootlog_favourites f JOIN tootlog_accounts a ON a.id = f.account_id"
    " WHERE f.status_id = %(status)s",
    "f.id",
)


@lru_cache(maxsize=64)
def _accounts_query(source: _AccountSource, bounds: tuple[str, ...], order: str, user: bool) -> str:
    """The statement of one page shape; built once, so its text is the same object each time."""
    conditions = "".join(f" AND {bound}" for bound in bounds)
    return (
        f"SELECT target.*, page.cursors, ('[' || coalesce(page.body, '') || ']')::varchar"
        f" FROM ({target_facts(user)}) AS target"
        " CROSS JOIN LATERAL (SELECT array_agg(p.cursor ORDER BY p.cursor DESC) AS cursors,"
        " string_agg(p.rendered, ',' ORDER BY p.cursor DESC) AS body"
        f" FROM (SELECT {source.cursor} AS cursor, a.rendered {source.rows}{conditions}"
        f" ORDER BY {source.cursor} {order} LIMIT %(limit)s) AS p) AS page"
    )


def relationship_json(
    account_id: int, following: bool, followed_by: bool, notifying: bool = False
) -> str:
    """The Relationship entity; blocks, mutes and follow requests do not exist here yet.
    `notifying`: the viewer asked to be notified of the account's statuses."""
    return orjson.dumps(
        {
            "id": str(account_id),
            "following": following,
            "showing_reblogs": following,
            "notifying": notifying,
            "languages": None,
            "followed_by": followed_by,
            "blocking": False,
            "blocked_by": False,
            "muting": False,
            "muting_notifications": False,
            "requested": False,
            "requested_by": False,
            "domain_blocking": False,
            "endorsed": False,
            "note": "",
        }
    ).decode()
