"""Read-side queries the API calls.

Each answer is one or two indexed queries. Rows carry their pre-rendered JSON as stored text; a
response is assembled by splicing counters, the account and the per-viewer flags into those
fragments, never by re-serialising rows. Per-viewer flags for every row of a response come from the
same statement. Visibility is decided by domain.visibility.can_see from facts the query returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import orjson
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from domain.visibility import VISIBILITIES, Audience, Relationship, can_see
from projections.context import ANONYMOUS_CONTEXT, EMPTY_CONTEXT, USER_CONTEXT, read_context
from projections.per_viewer import FOLLOWS_SQL, flag_keys, shown
from projections.raw import raw_json_cursor

TOKEN_CACHE_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class TokenRow:
    account_id: int | None
    app_id: int | None
    scopes: list[str]
    revoked: bool
    account_locked: bool
    application: dict | None = None  # the app's {name, website}, as a Status names it


@dataclass(frozen=True, slots=True)
class InstanceStats:
    user_count: int
    status_count: int
    active_month: int


@dataclass(frozen=True, slots=True)
class AccountPage:
    """A page of accounts: their cursors, newest first, and the JSON array of the Accounts."""

    cursors: list[int]
    body: bytes


@dataclass(frozen=True, slots=True)
class Page:
    """A page of a list: newest first, bounded by exclusive cursors."""

    limit: int
    max_id: int | None = None
    since_id: int | None = None
    min_id: int | None = None


_STATUS_COLUMNS = (
    "{s}.account_id, {s}.visibility, {s}.mentions, {s}.deleted, {s}.head, {s}.text, {a}.rendered"
)
# Flags are computed on the original (`o` for a wrapper, else `s`), as scalar subqueries for the
# reason FOLLOWS_SQL gives: a viewer with thousands of favourites paid for all of them per read.
_VIEWER_FLAGS = (
    "coalesce((SELECT true FROM tootlog_favourites fv WHERE fv.account_id = %(viewer)s"
    " AND fv.status_id = coalesce(o.id, s.id)), false),"
    " coalesce((SELECT true FROM tootlog_statuses rb WHERE rb.account_id = %(viewer)s"
    " AND rb.reblog_of_id = coalesce(o.id, s.id) AND NOT rb.deleted LIMIT 1), false),"
    " coalesce((SELECT true FROM tootlog_pins pn WHERE pn.account_id = %(viewer)s"
    " AND pn.status_id = coalesce(o.id, s.id)), false)"
)
_ROW_SELECT = (
    "SELECT s.id, s.in_reply_to_account_id, s.reblog_of_id, "
    + _STATUS_COLUMNS.format(s="s", a="a")
    + ", "
    + _STATUS_COLUMNS.format(s="o", a="oa")
    + ", {viewer_columns}"
    " FROM tootlog_statuses s JOIN tootlog_accounts a ON a.id = s.account_id"
    " LEFT JOIN tootlog_statuses o ON o.id = s.reblog_of_id"
    " LEFT JOIN tootlog_accounts oa ON oa.id = o.account_id"
)
_USER_SELECT = _ROW_SELECT.format(
    viewer_columns=FOLLOWS_SQL.format(author="s.account_id")
    + ", "
    + FOLLOWS_SQL.format(author="o.account_id")
    + ", "
    + _VIEWER_FLAGS
)
_ANONYMOUS_SELECT = _ROW_SELECT.format(viewer_columns="false, false, false, false, false")
_STATUS_WIDTH = 7  # columns per status in _STATUS_COLUMNS


@dataclass(slots=True)
class _Post:
    """One status as a row gives it: the facts visibility needs and its JSON fragments."""

    id: int
    account_id: int
    visibility: str
    mentions: list[int]
    deleted: bool
    head: str  # the Status JSON up to its account, counters included
    text: str  # the source text
    account: str
    follows_author: bool

    @classmethod
    def from_columns(cls, status_id: int, cols: Sequence, follows: bool) -> _Post:
        return cls(status_id, *cols, follows)

    def visible_to(self, viewer_id: int | None) -> bool:
        mentioned = viewer_id is not None and viewer_id in self.mentions
        return shown(self.visibility, self.account_id, mentioned, viewer_id, self.follows_author)

    def render(self, extra: str, source: bool) -> str:
        """The Status JSON: the stored head, the account, then `extra` (per-viewer keys, a
        wrapper's nested original)."""
        rendered = f"{self.head}{self.account}{extra}}}"
        if not source:
            return rendered
        # The DELETE answer: the source text in place of the HTML.
        fields = orjson.loads(rendered)
        fields.pop("content", None)
        fields["text"] = self.text
        return orjson.dumps(fields).decode()


@dataclass(slots=True)
class StatusRow:
    """A status (or reblog wrapper with its original) as one viewer sees it."""

    id: int
    in_reply_to_account_id: int | None
    post: _Post
    original: _Post | None
    flags: tuple[bool, bool, bool]  # favourited, reblogged, pinned: on the original

    @property
    def account_id(self) -> int:
        return self.post.account_id

    def visible_to(self, viewer_id: int | None) -> bool:
        if self.post.deleted or not self.post.visible_to(viewer_id):
            return False
        original = self.original
        return original is None or (not original.deleted and original.visible_to(viewer_id))

    def render(self, viewer_id: int | None, source: bool = False, undone: str | None = None) -> str:
        """The Status entity; per-viewer keys only for a user (§3.1). `undone` names the flag
        ("favourited" or "reblogged") an undo answers with false at the top level (§6.9, §6.11)."""
        if self.original is None:
            return self.post.render(self._viewer_keys(viewer_id, self.post, undone), source)
        nested = self.original.render(self._viewer_keys(viewer_id, self.original), source)
        wrapper_keys = self._viewer_keys(viewer_id, None, undone)
        return self.post.render(f'{wrapper_keys},"reblog":{nested}', source)

    def _viewer_keys(
        self, viewer_id: int | None, pinnable: _Post | None, undone: str | None = None
    ) -> str:
        if viewer_id is None:
            return ""
        favourited, reblogged, pinned = self.flags
        # An undo answers with its flag false, also on a wrapper (§6.9, §6.11).
        favourited = favourited and undone != "favourited"
        reblogged = reblogged and undone != "reblogged"
        # `pinned` only on the viewer's own statuses that could be pinned (never a wrapper).
        can_pin = (
            pinnable is not None
            and pinnable.account_id == viewer_id
            and pinnable.visibility != "direct"
        )
        return flag_keys(favourited, reblogged, pinned, can_pin)


def _status_row(row: Sequence) -> StatusRow:
    status_id, in_reply_to_account_id, reblog_of_id = row[0], row[1], row[2]
    own = row[3 : 3 + _STATUS_WIDTH]
    theirs = row[3 + _STATUS_WIDTH : 3 + 2 * _STATUS_WIDTH]
    follows_own, follows_theirs, favourited, reblogged, pinned = row[3 + 2 * _STATUS_WIDTH :]
    original = (
        None if reblog_of_id is None else _Post.from_columns(reblog_of_id, theirs, follows_theirs)
    )
    return StatusRow(
        status_id,
        in_reply_to_account_id,
        _Post.from_columns(status_id, own, follows_own),
        original,
        (favourited, reblogged, pinned),
    )


def visible_visibilities(author_id: int, viewer_id: int | None, rel: Relationship):
    """For one author: the visibilities the viewer sees, and those seen only when mentioned.

    Derived from can_see itself, so a list filtered in SQL obeys the same policy as a single read.
    """
    plain = [v for v in VISIBILITIES if can_see(Audience(v, author_id), viewer_id, rel)]
    if viewer_id is None:
        return plain, []
    mentioned = [
        v
        for v in VISIBILITIES
        if v not in plain and can_see(Audience(v, author_id, (viewer_id,)), viewer_id, rel)
    ]
    return plain, mentioned


async def configure_connection(conn: AsyncConnection) -> None:
    """Settings of every connection of the read pool (its `configure` callback).

    Generic plans for the prepared read statements: their best plan does not depend on the
    values (an index on what the WHERE names, then LIMIT). With custom plans PostgreSQL planned
    every execution again (0.3 ms), and for a status holding most of the table's reblogs it
    chose to walk the primary key backwards: reblogged_by cost 1.3 ms in PostgreSQL instead of
    0.25 ms.
    """
    await conn.execute("SET plan_cache_mode = force_generic_plan")


class Queries:
    """Async read access to the read models."""

    def __init__(self, pool: AsyncConnectionPool) -> None:
        self.pool = pool
        # Live tokens only; the projection's revocation NOTIFY evicts them (`forget_token`).
        self._tokens: dict[str, TokenRow] = {}

    # Tokens

    async def token(self, token_hash: str) -> TokenRow | None:
        cached = self._tokens.get(token_hash)
        if cached is not None:
            return cached
        async with self.pool.connection() as conn:
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

    # Statuses

    async def _rows(self, where: str, params: dict, viewer_id: int | None) -> list[StatusRow]:
        select = _ANONYMOUS_SELECT if viewer_id is None else _USER_SELECT
        async with self.pool.connection() as conn:
            cur = await conn.execute(f"{select} {where}", {**params, "viewer": viewer_id})
            rows = await cur.fetchall()
        return [_status_row(row) for row in rows]

    async def visible(self, status_id: int | None, viewer_id: int | None) -> bool:
        """Whether the status (or wrapper and its original) exists and the viewer may see it:
        the facts only, for the checks that come before an answer (§6.10, §6.12)."""
        if status_id is None:
            return False
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                _target_facts(viewer_id is not None), {"status": status_id, "viewer": viewer_id}
            )
            row = await cur.fetchone()
        return row is not None and _facts_visible(row, viewer_id)

    async def visible_row(
        self, status_id: int | None, viewer_id: int | None, include_deleted: bool = False
    ) -> StatusRow | None:
        """The status (or wrapper) if it exists, is not deleted and the viewer may see it."""
        if status_id is None:
            return None
        rows = await self._rows("WHERE s.id = %(id)s", {"id": status_id}, viewer_id)
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
        rows = await self._rows("WHERE s.id = %(id)s", {"id": wrapper_id}, viewer_id)
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
        rows = await self._rows("WHERE s.id = %(id)s", {"id": status_id}, viewer_id)
        row = rows[0] if rows else None
        if row is None or row.post.deleted or (row.original and row.original.deleted):
            return None
        return row.render(viewer_id, undone=flag)

    async def statuses(self, status_ids: list[int], viewer_id: int | None) -> dict[int, str]:
        """Several statuses as `viewer_id` sees them (JSON text) in one query, by id; missing
        and invisible ones are left out."""
        rows = await self._rows("WHERE s.id = ANY(%(ids)s)", {"ids": status_ids}, viewer_id)
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

    async def account_statuses(
        self,
        account_id: int,
        viewer_id: int | None,
        page: Page,
        *,
        pinned: bool = False,
        exclude_replies: bool = False,
        exclude_reblogs: bool = False,
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
        where, order = _page_bounds(cursor, page, params)
        conditions += where
        rows_sql = (
            f"SELECT s.id AS sid, {cursor} AS cursor FROM tootlog_statuses s {source}"
            f" WHERE {' AND '.join(conditions)} ORDER BY {cursor} {order} LIMIT %(limit)s"
        )
        async with self.pool.connection() as conn:
            cur = await conn.execute(rows_sql, {**params, "viewer": viewer_id})
            picked = await cur.fetchall()
        if page.min_id is not None and page.max_id is None and page.since_id is None:
            picked.reverse()
        if not picked:
            return []
        cursors = {sid: c for sid, c in picked}
        rows = await self._rows("WHERE s.id = ANY(%(ids)s)", {"ids": list(cursors)}, viewer_id)
        by_id = {r.id: r for r in rows}
        answer = []
        for sid, c in picked:
            row = by_id.get(sid)
            # A boost of something the viewer may not see is left out.
            if row is not None and row.visible_to(viewer_id):
                answer.append((c, row.render(viewer_id)))
        return answer

    # Accounts

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

    async def follows(self, follower_id: int, followee_id: int) -> bool:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT 1 FROM tootlog_follows WHERE follower_id = %s AND followee_id = %s",
                (follower_id, followee_id),
            )
            return await cur.fetchone() is not None

    async def relationships(self, viewer_id: int, account_ids: list[int]) -> list[str]:
        """The Relationship entity for each existing account, in the order asked."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                f"SELECT a.id, {FOLLOWS_SQL.format(author='a.id')},"
                " coalesce((SELECT true FROM tootlog_follows f"
                "  WHERE f.follower_id = a.id AND f.followee_id = %(viewer)s), false)"
                " FROM tootlog_accounts a WHERE a.id = ANY(%(ids)s)",
                {"viewer": viewer_id, "ids": account_ids},
            )
            found = {row[0]: row[1:] for row in await cur.fetchall()}
        answer = []
        for account_id in dict.fromkeys(account_ids):
            if account_id in found:
                following, followed_by = found[account_id]
                answer.append(relationship_json(account_id, following, followed_by))
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
        where, order = _page_bounds(source.cursor, page, params)
        query = _accounts_query(source, tuple(where), order, viewer_id is not None)
        async with self.pool.connection() as conn:
            cur = raw_json_cursor(conn)
            await cur.execute(query, params)
            row = await cur.fetchone()
        if row is None or not _facts_visible(row, viewer_id):
            return None
        return AccountPage(row[10] or [], row[11])

    # Accounts, apps and the instance (OAuth and client bootstrap)

    async def account_by_username(self, username: str) -> str | None:
        """A local account's JSON by case-insensitive username, or None."""
        return await self._one_account("lower(a.username) = lower(%s)", username)

    async def credential_account(self, account_id: int, extra: dict) -> str | None:
        """The account's JSON with `extra` keys merged in (CredentialAccount's source and role)."""
        doc = await self.account(account_id)
        if doc is None or not extra:
            return doc
        return f"{doc[:-1]},{orjson.dumps(extra).decode()[1:]}"

    async def app(self, app_id: int) -> str | None:
        """An OAuth app's Application JSON (no secrets), or None."""
        return await self._text("SELECT doc::text FROM tootlog_apps WHERE id = %s", (app_id,))

    async def app_by_client_id(self, client_id: str) -> dict | None:
        """An OAuth app's Application document by client_id, or None."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT doc FROM tootlog_apps WHERE client_id = %s", (client_id,)
            )
            row = await cur.fetchone()
        return row[0] if row else None

    async def instance_stats(self) -> InstanceStats:
        """Counts for /api/v1/instance: local users, their statuses, users active this month."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT count(*), coalesce(sum(statuses_count), 0),"
                " count(*) FILTER (WHERE last_status_at >= current_date - 30)"
                " FROM tootlog_accounts"
            )
            row = await cur.fetchone()
        return InstanceStats(*row) if row else InstanceStats(0, 0, 0)

    async def _text(self, query: str, params: tuple) -> str | None:
        async with self.pool.connection() as conn:
            cur = await conn.execute(query, params)
            row = await cur.fetchone()
        return row[0] if row else None


@lru_cache(maxsize=2)
def _target_facts(user: bool) -> str:
    """SELECT of what decides whether a status (or a wrapper and its original) is visible to
    a user (%(viewer)s) or to anyone."""
    follows = (
        FOLLOWS_SQL.format(author="s.account_id") + ", " + FOLLOWS_SQL.format(author="o.account_id")
        if user
        else "false, false"
    )
    return (
        "SELECT s.account_id, s.visibility, s.mentions, s.deleted,"
        f" o.account_id, o.visibility, o.mentions, o.deleted, {follows}"
        " FROM tootlog_statuses s LEFT JOIN tootlog_statuses o ON o.id = s.reblog_of_id"
        " WHERE s.id = %(status)s"
    )


def _facts_visible(row: Sequence, viewer_id: int | None) -> bool:
    """can_see on the facts _target_facts selected (both levels of a wrapper)."""
    own, original = row[0:4], row[4:8]
    follows, follows_original = row[8:10]
    author, visibility, mentions, deleted = own
    mentioned = viewer_id is not None and viewer_id in mentions
    if deleted or not shown(visibility, author, mentioned, viewer_id, follows):
        return False
    author, visibility, mentions, deleted = original
    if author is None:  # not a reblog wrapper
        return True
    mentioned = viewer_id is not None and viewer_id in mentions
    return not deleted and shown(visibility, author, mentioned, viewer_id, follows_original)


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
        f" FROM ({_target_facts(user)}) AS target"
        " CROSS JOIN LATERAL (SELECT array_agg(p.cursor ORDER BY p.cursor DESC) AS cursors,"
        " string_agg(p.rendered, ',' ORDER BY p.cursor DESC) AS body"
        f" FROM (SELECT {source.cursor} AS cursor, a.rendered {source.rows}{conditions}"
        f" ORDER BY {source.cursor} {order} LIMIT %(limit)s) AS p) AS page"
    )


def _page_bounds(cursor: str, page: Page, params: dict) -> tuple[list[str], str]:
    """SQL conditions and order for a page; fills `params`. `min_id` pages run ascending."""
    params["limit"] = page.limit
    where = []
    if page.max_id is not None:
        where.append(f"{cursor} < %(max_id)s")
        params["max_id"] = page.max_id
    if page.since_id is not None:
        where.append(f"{cursor} > %(since_id)s")
        params["since_id"] = page.since_id
    if page.min_id is not None:
        where.append(f"{cursor} > %(min_id)s")
        params["min_id"] = page.min_id
    ascending = page.min_id is not None and page.max_id is None and page.since_id is None
    return where, "ASC" if ascending else "DESC"


def relationship_json(account_id: int, following: bool, followed_by: bool) -> str:
    """The Relationship entity; blocks, mutes and follow requests do not exist here yet."""
    return orjson.dumps(
        {
            "id": str(account_id),
            "following": following,
            "showing_reblogs": following,
            "notifying": False,
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
