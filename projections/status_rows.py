"""A status row as the read queries select it: the status (or a reblog wrapper and its original),
the facts visibility needs, its stored JSON fragments and the viewer's flags; and how it renders.

Rows carry their pre-rendered JSON as stored text; a Status is assembled by splicing the account
and the per-viewer flags into those fragments, never by re-serialising rows. Visibility is decided
by domain.visibility.can_see from the facts the row carries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import orjson

from domain.visibility import VISIBILITIES, Audience, Relationship, can_see
from projections.per_viewer import FOLLOWS_SQL, flag_keys, follows_where_it_matters, shown
from projections.polls import POLL_COLUMN, poll_key

STATUS_COLUMNS = (
    "{s}.account_id, {s}.visibility, {s}.mentions, {s}.deleted, {s}.head, {s}.text, {a}.rendered"
)
# Flags are computed on the original (`o` for a wrapper, else `s`), as scalar subqueries for the
# reason FOLLOWS_SQL gives: a viewer with thousands of favourites paid for all of them per read.
# A probe that cannot change the answer is not made: `pinned` is shown only on the viewer's own
# statuses, and a viewer who never bookmarked or muted a conversation has nothing to find (one
# probe per statement, an InitPlan, says so).
_TARGET = "coalesce(o.id, s.id)"
_VIEWER_HAS = "(SELECT EXISTS (SELECT 1 FROM {table} WHERE account_id = %(viewer)s))"
_MUTED = (
    "CASE WHEN {root} IS NOT NULL AND "
    + _VIEWER_HAS.format(table="tootlog_conversation_mutes")
    + " THEN coalesce((SELECT true FROM tootlog_conversation_mutes cm"
    " WHERE cm.account_id = %(viewer)s AND cm.root_id = {root}), false) ELSE false END"
)
VIEWER_FLAGS = (
    "coalesce((SELECT true FROM tootlog_favourites fv WHERE fv.account_id = %(viewer)s"
    f" AND fv.status_id = {_TARGET}), false),"
    " coalesce((SELECT true FROM tootlog_statuses rb WHERE rb.account_id = %(viewer)s"
    f" AND rb.reblog_of_id = {_TARGET} AND NOT rb.deleted LIMIT 1), false),"
    " CASE WHEN coalesce(o.account_id, s.account_id) = %(viewer)s THEN coalesce((SELECT true"
    f" FROM tootlog_pins pn WHERE pn.account_id = %(viewer)s AND pn.status_id = {_TARGET}),"
    " false) ELSE false END,"
    " CASE WHEN "
    + _VIEWER_HAS.format(table="tootlog_bookmarks")
    + " THEN coalesce((SELECT true FROM tootlog_bookmarks bm WHERE bm.account_id = %(viewer)s"
    f" AND bm.status_id = {_TARGET}), false) ELSE false END, "
    # `muted` is not the original's: a wrapper is a conversation of its own (its root is itself),
    # so the wrapper's and its original's are read apart.
     + _MUTED.format(root="s.root_id") + ", " + _MUTED.format(root="o.root_id")
)
ROW_SELECT = (
    "SELECT s.id, s.in_reply_to_account_id, s.reblog_of_id, "
    + STATUS_COLUMNS.format(s="s", a="a")
    + ", "
    + STATUS_COLUMNS.format(s="o", a="oa")
    + ", "
    + POLL_COLUMN.format(status="coalesce(o.id, s.id)")
    + ", {viewer_columns}"
    " FROM {statuses} JOIN tootlog_accounts a ON a.id = s.account_id"
    " LEFT JOIN tootlog_statuses o ON o.id = s.reblog_of_id"
    " LEFT JOIN tootlog_accounts oa ON oa.id = o.account_id"
)
_USER_COLUMNS = (
    follows_where_it_matters("s.account_id", "s.visibility")
    + ", "
    + follows_where_it_matters("o.account_id", "o.visibility")
    + ", "
    + VIEWER_FLAGS
)
_ANONYMOUS_COLUMNS = ", ".join(["false"] * 8)


@lru_cache(maxsize=8)
def rows_of(statuses: str, user: bool) -> str:
    """The status row select over `statuses`: a FROM item that names the statuses `s` (the
    table itself, or a list driving a join to it), for a user (%(viewer)s) or for anyone."""
    viewer_columns = _USER_COLUMNS if user else _ANONYMOUS_COLUMNS
    return ROW_SELECT.format(viewer_columns=viewer_columns, statuses=statuses)


USER_SELECT = rows_of("tootlog_statuses s", user=True)
ANONYMOUS_SELECT = rows_of("tootlog_statuses s", user=False)
# The statuses named by %(ids)s, found by their primary key before anything is joined to them
# (OFFSET 0 keeps the planner from folding the subquery into the join). The read pool's plans
# are made once per connection: one made while the store held one account and a few statuses
# reached the statuses through that account (its index, then the ids as a filter), and read
# every status of the account on each later read (7,394 rows for 6, 1.7 ms, under POST load).
_BY_IDS = "(SELECT * FROM tootlog_statuses WHERE id = ANY(%(ids)s) OFFSET 0) s"


def rows_by_ids(user: bool) -> str:
    """The status row select of the statuses %(ids)s (a bigint array), for a user
    (%(viewer)s) or for anyone."""
    return rows_of(_BY_IDS, user)


STATUS_WIDTH = 7  # columns per status in STATUS_COLUMNS


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
    # favourited, reblogged, pinned, bookmarked: on the original; then muted: of the status
    # (the wrapper's own conversation) and of its original
    flags: tuple[bool, bool, bool, bool, bool, bool]
    poll: list | None = None  # the original's POLL_COLUMN (projections/polls.py)

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
        ("favourited", "reblogged" or "bookmarked") an undo answers with false at the top level
        (§6.9, §6.11, §6.14)."""
        poll = poll_key(self.poll, viewer_id)
        if self.original is None:
            return self.post.render(self._viewer_keys(viewer_id, self.post, undone) + poll, source)
        nested = self.original.render(
            self._viewer_keys(viewer_id, self.original, muted=self.flags[5]) + poll, source
        )
        wrapper_keys = self._viewer_keys(viewer_id, None, undone)
        return self.post.render(f'{wrapper_keys},"reblog":{nested}', source)

    def _viewer_keys(
        self,
        viewer_id: int | None,
        pinnable: _Post | None,
        undone: str | None = None,
        muted: bool | None = None,
    ) -> str:
        """`muted`: the nested original's (default: the status's own conversation)."""
        if viewer_id is None:
            return ""
        favourited, reblogged, pinned, bookmarked, own_muted, _ = self.flags
        # An undo answers with its flag false, also on a wrapper (§6.9, §6.11, §6.14).
        favourited = favourited and undone != "favourited"
        reblogged = reblogged and undone != "reblogged"
        bookmarked = bookmarked and undone != "bookmarked"
        # `pinned` only on the viewer's own statuses that could be pinned (never a wrapper).
        can_pin = (
            pinnable is not None
            and pinnable.account_id == viewer_id
            and pinnable.visibility != "direct"
        )
        muted = own_muted if muted is None else muted
        return flag_keys(favourited, reblogged, pinned, can_pin, bookmarked, muted)


# Where each part of a status row starts (ROW_SELECT's columns).
_OWN = 3
_THEIRS = _OWN + STATUS_WIDTH
_POLL = _THEIRS + STATUS_WIDTH
_FOLLOWS = _POLL + 1  # the viewer follows: the status's author, the original's
_FLAGS = _FOLLOWS + 2


def _post(row: Sequence, status_id: int, at: int, follows: bool) -> _Post:
    """The status whose STATUS_COLUMNS start at `at`, field by field: a page builds some
    forty of these, and slicing and unpacking the row cost twice as much."""
    return _Post(
        status_id,
        row[at],
        row[at + 1],
        row[at + 2],
        row[at + 3],
        row[at + 4],
        row[at + 5],
        row[at + 6],
        follows,
    )


def status_row(row: Sequence) -> StatusRow:
    status_id, reblog_of_id = row[0], row[2]
    return StatusRow(
        status_id,
        row[1],
        _post(row, status_id, _OWN, row[_FOLLOWS]),
        None if reblog_of_id is None else _post(row, reblog_of_id, _THEIRS, row[_FOLLOWS + 1]),
        row[_FLAGS : _FLAGS + 6],
        row[_POLL],
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


@lru_cache(maxsize=2)
def target_facts(user: bool) -> str:
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


def facts_visible(row: Sequence, viewer_id: int | None) -> bool:
    """can_see on the facts target_facts selected (both levels of a wrapper)."""
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
