"""Lists of accounts: an account's followers and follows (by the follow's id), several accounts
by id, and the Tag entity of a hashtag."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson

from projections.pages import AccountPage, Page, page_bounds
from projections.reads import Reads

# Which side of a follow a list shows: (the account in the path, the accounts listed).
FOLLOWERS = ("followee_id", "follower_id")
FOLLOWING = ("follower_id", "followee_id")
HISTORY_DAYS = 7  # the Tag entity's history, as Mastodon's


def _first_id_at(moment: datetime) -> int:
    """The smallest snowflake of a moment (domain/ids.py)."""
    return int(moment.timestamp() * 1000) << 16


class AccountListReads(Reads):
    async def follow_list(self, side: tuple[str, str], account_id: int, page: Page) -> AccountPage:
        """A page of the accounts following (FOLLOWERS) or followed by (FOLLOWING) the account,
        newest follow first; cursors are the follows' ids."""
        whose, listed = side
        params: dict = {"account": account_id}
        where, order = page_bounds("f.id", page, params)
        bounds = "".join(f" AND {w}" for w in where)
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT p.cursor, p.rendered FROM (SELECT f.id AS cursor, a.rendered"
                f" FROM tootlog_follows f JOIN tootlog_accounts a ON a.id = f.{listed}"
                f" WHERE f.{whose} = %(account)s{bounds} ORDER BY f.id {order}"
                " LIMIT %(limit)s) AS p ORDER BY p.cursor DESC",
                params,
            )
            rows = await cur.fetchall()
        body = "[" + ",".join(rendered for _, rendered in rows) + "]"
        return AccountPage([cursor for cursor, _ in rows], body.encode())

    async def accounts(self, account_ids: list[int]) -> list[str]:
        """The Accounts of the ids that exist, in the order asked, each once."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT id, rendered FROM tootlog_accounts WHERE id = ANY(%s)", (account_ids,)
            )
            found = dict(await cur.fetchall())
        return [found[i] for i in dict.fromkeys(account_ids) if i in found]

    async def tag(self, name: str, tags_url: str, user: bool, now: datetime | None = None) -> str:
        """The Tag entity of a normalized name: its use over the last 7 days (statuses and
        accounts per day, public and unlisted, newest day first); `following` for a user (no
        hashtag is followed here)."""
        return (await self.tags([name], tags_url, user, now))[0]

    async def tags(
        self, names: list[str], tags_url: str, user: bool, now: datetime | None = None
    ) -> list[str]:
        """The Tag entities of several normalized names, in their order, in one statement."""
        if not names:
            return []
        today = (now or datetime.now(UTC)).replace(hour=0, minute=0, second=0, microsecond=0)
        days = [today - timedelta(days=n) for n in range(HISTORY_DAYS)]
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT k.name, d.n, count(t.status_id), count(DISTINCT t.account_id)"
                " FROM unnest(%(names)s::text[]) AS k(name)"
                " CROSS JOIN unnest(%(starts)s::bigint[], %(ends)s::bigint[]) WITH ORDINALITY"
                " AS d(start_id, end_id, n)"
                " LEFT JOIN tootlog_status_tags t ON t.tag = k.name"
                " AND t.status_id >= d.start_id AND t.status_id < d.end_id"
                " AND EXISTS (SELECT 1 FROM tootlog_statuses s WHERE s.id = t.status_id"
                " AND s.visibility IN ('public', 'unlisted'))"
                " GROUP BY k.name, d.n",
                {
                    "names": names,
                    "starts": [_first_id_at(day) for day in days],
                    "ends": [_first_id_at(day + timedelta(days=1)) for day in days],
                },
            )
            counts = {
                (name, n): (uses, accounts) for name, n, uses, accounts in await cur.fetchall()
            }
        entities = []
        for name in names:
            history = [
                {
                    "day": str(int(day.timestamp())),
                    "accounts": str(counts[name, n][1]),
                    "uses": str(counts[name, n][0]),
                }
                for n, day in enumerate(days, start=1)
            ]
            entity: dict = {"name": name, "url": f"{tags_url}/{name}", "history": history}
            if user:
                entity["following"] = False
            entities.append(orjson.dumps(entity).decode())
        return entities
