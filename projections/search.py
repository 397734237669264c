"""Search: accounts by username or display-name prefix, hashtags by prefix, statuses by
PostgreSQL's full-text search (docs/mastodon-api.md §17).

Each read is one statement served by an index of READ_INDEXES (projections/read_indexes.py), whose
expressions the statements repeat word for word. Prefixes are ranges of `text_pattern_ops`
(byte order), not LIKE: the read pool plans generically, and a generic plan cannot turn
`LIKE $1` into an index range.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from domain.search import word_prefixes
from projections.per_viewer import FOLLOWS_SQL
from projections.status_reads import StatusReads

# Past every character: `prefix || TOP` bounds the strings that start with `prefix`.
TOP = "\U0010ffff"
# Distinct hashtag names read for one prefix before they are ordered (shortest first): a
# one-letter prefix on a large log names thousands.
TAG_SCAN_LIMIT = 1000
# The indexed document of a status (tootlog_statuses_search).
STATUS_DOCUMENT = "to_tsvector('simple', s.text || ' ' || coalesce(s.doc->>'spoiler_text', ''))"
# How the statuses' ids are picked. The read pool plans generically (projections/queries.py),
# and a generic plan cannot know how common the query's words are: it walked the whole id index
# backwards for a word in a few statuses (seconds on a million statuses). So this statement is
# planned for its words, from the index's statistics; and as computing a status's words costs
# about 15 us, which the default cost of an operator undervalues twentyfold, the planner is told
# so: it then reads a rare word's statuses from the GIN index, and walks the newest statuses for
# a common one. No parallel workers: they cost their start (5 ms) for 20 rows, and took twice
# as long as one process on the loaded two cores. Measured in docs/mastodon-api.md §17.4.
PLAN_FOR_THE_WORDS = (
    "SET LOCAL plan_cache_mode = force_custom_plan",
    "SET LOCAL cpu_operator_cost = 0.05",
    "SET LOCAL max_parallel_workers_per_gather = 0",
)
# Statuses anyone may find: public and unlisted ones; a user also finds all of their own.
_FINDABLE = "(s.visibility IN ('public', 'unlisted') OR s.account_id = %(viewer)s)"


@dataclass(frozen=True, slots=True)
class AccountSearch:
    """AccountSearchService's inputs, as the route has read them."""

    terms: str  # the username part of the query
    viewer_id: int | None
    limit: int
    offset: int = 0
    following: bool = False  # only the accounts the viewer follows (and the viewer)
    exact: str | None = None  # a username named in full (`user@thisdomain`)
    names_only: bool = False  # no matches by prefix: only the account named in full


@dataclass(frozen=True, slots=True)
class StatusSearch:
    q: str
    viewer_id: int
    limit: int
    offset: int = 0
    account_id: int | None = None
    min_id: int | None = None
    max_id: int | None = None


class SearchReads(StatusReads):
    async def search_accounts(self, search: AccountSearch) -> list[str]:
        """Accounts as AccountSearchService finds them: the one named in full first, then
        those whose username starts with the terms or whose display name has words starting
        with each of their words. Ranked: the username itself, usernames starting with it,
        then display names; in each, accounts the viewer follows first (a user not asking for
        `following` only), then by followers."""
        found: list[tuple[int, str]] = []
        params: dict = {"viewer": search.viewer_id}
        async with self.pool.connection() as conn:
            if search.exact is not None:
                cur = await conn.execute(
                    _exact_query(search.following), {**params, "name": search.exact.lower()}
                )
                found.extend(await cur.fetchall())
            remaining = 0 if search.names_only else search.limit - len(found)
            if remaining > 0:
                terms = search.terms.lower()
                words = word_prefixes(search.terms)
                query = _accounts_query(
                    words is not None, search.viewer_id is not None, search.following
                )
                cur = await conn.execute(
                    query,
                    {
                        **params,
                        "name": terms,
                        "lo": terms,
                        "hi": terms + TOP,
                        "words": words,
                        "limit": remaining,
                        "offset": search.offset,
                    },
                )
                found.extend(await cur.fetchall())
        # [exact match] + the others, each once (Mastodon's compact.uniq).
        return list({account_id: rendered for account_id, rendered in found}.values())

    async def search_tags(self, prefix: str, limit: int, offset: int) -> list[str]:
        """Names of the hashtags statuses have used that start with `prefix` (normalized),
        shortest first, then by name (Tag.search_for)."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                _TAGS,
                {
                    "lo": prefix,
                    "hi": prefix + TOP,
                    "cap": TAG_SCAN_LIMIT,
                    "limit": limit,
                    "offset": offset,
                },
            )
            return [row[0] for row in await cur.fetchall()]

    async def search_statuses(self, search: StatusSearch) -> list[str]:
        """Statuses whose text or content warning matches the query (websearch_to_tsquery:
        words, "phrases", `or`, `-word`), newest first; public and unlisted ones, and the
        viewer's own. Never a boost, a deleted status or one the viewer may not see.

        The ids are picked under a plan made for the query's words (PLAN_FOR_THE_WORDS); the
        statuses are then rendered by the one status row select."""
        params: dict = {
            "q": search.q,
            "viewer": search.viewer_id,
            "limit": search.limit,
            "offset": search.offset,
            "account": search.account_id,
            "min_id": search.min_id,
            "max_id": search.max_id,
        }
        pick = _statuses_pick(
            search.account_id is not None, search.min_id is not None, search.max_id is not None
        )
        async with self.pool.connection() as conn, conn.transaction():
            for setting in PLAN_FOR_THE_WORDS:
                await conn.execute(setting)
            cur = await conn.execute(pick, params)
            picked = [(row[0], row[0]) for row in await cur.fetchall()]
        return [doc for _, doc in await self.rendered_in_order(picked, search.viewer_id)]


@lru_cache(maxsize=4)
def _exact_query(following: bool) -> str:
    condition = f" AND {FOLLOWS_SQL.format(author='a.id')}" if following else ""
    return (
        "SELECT a.id, a.rendered FROM tootlog_accounts a"
        f" WHERE lower(a.username) = %(name)s{condition}"
    )


@lru_cache(maxsize=16)
def _accounts_query(words: bool, user: bool, following: bool) -> str:
    username = "lower(a.username) ~>=~ %(lo)s AND lower(a.username) ~<~ %(hi)s"
    match = f"({username})"
    if words:
        display_name = (
            "to_tsvector('simple', a.doc->>'display_name') @@ to_tsquery('simple', %(words)s)"
        )
        match = f"(({username}) OR {display_name})"
    followed = FOLLOWS_SQL.format(author="a.id")
    conditions = [match]
    order = [
        "lower(a.username) = %(name)s DESC",
        f"({username}) DESC",
    ]
    if user and following:
        conditions.append(f"(a.id = %(viewer)s OR {followed})")
    elif user:
        order.append(f"{followed} DESC")
    order += ["a.followers_count DESC", "a.id"]
    return (
        f"SELECT a.id, a.rendered FROM tootlog_accounts a WHERE {' AND '.join(conditions)}"
        f" ORDER BY {', '.join(order)} LIMIT %(limit)s OFFSET %(offset)s"
    )


# A loose index scan of tootlog_status_tags_prefix: one probe per distinct name.
_TAGS = (
    "WITH RECURSIVE names(tag) AS ("
    " (SELECT t.tag FROM tootlog_status_tags t WHERE t.tag ~>=~ %(lo)s AND t.tag ~<~ %(hi)s"
    " ORDER BY t.tag USING ~<~ LIMIT 1)"
    " UNION ALL"
    " SELECT (SELECT t.tag FROM tootlog_status_tags t WHERE t.tag ~>~ n.tag"
    " AND t.tag ~<~ %(hi)s ORDER BY t.tag USING ~<~ LIMIT 1)"
    " FROM names n WHERE n.tag IS NOT NULL)"
    " SELECT found.tag FROM (SELECT tag FROM names WHERE tag IS NOT NULL LIMIT %(cap)s) AS found"
    " ORDER BY length(found.tag), found.tag LIMIT %(limit)s OFFSET %(offset)s"
)


@lru_cache(maxsize=8)
def _statuses_pick(by_account: bool, min_id: bool, max_id: bool) -> str:
    conditions = [
        f"{STATUS_DOCUMENT} @@ websearch_to_tsquery('simple', %(q)s)",
        "s.reblog_of_id IS NULL AND NOT s.deleted",
        _FINDABLE,
    ]
    if by_account:
        conditions.append("s.account_id = %(account)s")
    if min_id:
        conditions.append("s.id > %(min_id)s")
    if max_id:
        conditions.append("s.id < %(max_id)s")
    return (
        f"SELECT s.id FROM tootlog_statuses s WHERE {' AND '.join(conditions)}"
        " ORDER BY s.id DESC LIMIT %(limit)s OFFSET %(offset)s"
    )
