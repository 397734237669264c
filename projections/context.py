"""§6.2: a status's context, its ancestors and descendants, as one viewer sees them.

The read model keeps each status's place in its thread: its ancestors' ids (`path`), the deepest
deleted one among them (`gap_depth`), and the path as one sortable key (`thread_key`). Ancestors
are read by id from the path. Descendants are one range scan of the thread_key index, which
yields them depth-first with siblings in id order: PostgreSQL neither walks the tree nor sorts.
A row arrives as the bytes of its stored JSON up to the account (`head`) and leaves as those
bytes: a user's view of a 4,096-reply thread is about 6 MB that are never decoded, re-encoded
or re-serialised.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from psycopg import AsyncConnection, AsyncCursor

from projections.per_viewer import FOLLOWS_SQL, flag_keys, shown
from projections.polls import POLL_COLUMN, poll_key
from projections.raw import raw_json_cursor

# (ancestors, descendants, descendant depth) for anonymous viewers and app tokens, and for users.
ANONYMOUS_CONTEXT = (40, 60, 20)
USER_CONTEXT = (4096, 4096, None)
EMPTY_CONTEXT = b'{"ancestors":[],"descendants":[]}'

# JSON goes out as varchar, which raw_json_cursor loads as bytes.
_COLUMNS = (
    "s.id, s.in_reply_to_account_id, s.account_id, s.visibility, s.mentions, s.deleted,"
    " s.head::varchar, " + POLL_COLUMN.format(status="s.id") + "::varchar"
)
_POSITION = (
    "SELECT depth, path, gap_depth, thread_key FROM tootlog_statuses"
    " WHERE id = %(id)s AND NOT deleted"
)
_ANCESTORS = f"SELECT {_COLUMNS} FROM tootlog_statuses s WHERE s.id = ANY(%(ids)s)"
# Below the status, cut below deleted statuses, truncated before visibility filtering.
_DESCENDANTS = (
    f"SELECT {_COLUMNS} FROM tootlog_statuses s"
    " WHERE s.thread_key > %(key)s AND s.thread_key < %(key)s || '\\x80'::bytea"
    " AND s.depth <= %(max_depth)s AND NOT s.deleted AND s.gap_depth <= %(depth)s"
    " ORDER BY s.thread_key LIMIT %(limit)s"
)
# Each author once, with whether the viewer follows them.
_AUTHORS = (
    f"SELECT a.id, a.rendered::varchar, {FOLLOWS_SQL.format(author='a.id')}"
    " FROM tootlog_accounts a WHERE a.id = ANY(%(ids)s)"
)
# The viewer's favourites, live reblogs, pins and bookmarks among the statuses shown, as id sets.
_FLAGS = (
    "SELECT ARRAY(SELECT status_id FROM tootlog_favourites"
    "  WHERE account_id = %(viewer)s AND status_id = ANY(%(ids)s)),"
    " ARRAY(SELECT reblog_of_id FROM tootlog_statuses WHERE account_id = %(viewer)s"
    "  AND reblog_of_id = ANY(%(ids)s) AND NOT deleted),"
    " ARRAY(SELECT status_id FROM tootlog_pins"
    "  WHERE account_id = %(viewer)s AND status_id = ANY(%(ids)s)),"
    " ARRAY(SELECT status_id FROM tootlog_bookmarks"
    "  WHERE account_id = %(viewer)s AND status_id = ANY(%(ids)s)),"
    " ARRAY(SELECT t.id FROM tootlog_statuses t JOIN tootlog_conversation_mutes cm"
    "  ON cm.root_id = t.root_id AND cm.account_id = %(viewer)s WHERE t.id = ANY(%(ids)s))"
)
_UNLIMITED_DEPTH = 1 << 30

Row = Sequence  # the columns of _COLUMNS, in that order


async def read_context(
    conn: AsyncConnection,
    status_id: int,
    viewer_id: int | None,
    limits: tuple[int, int, int | None],
) -> bytes | None:
    """The Context JSON of a status (not a reblog wrapper) the viewer may see; None if it has
    been deleted meanwhile."""
    max_ancestors, max_descendants, max_depth = limits
    cur = raw_json_cursor(conn)
    await cur.execute(_POSITION, {"id": status_id})
    position = await cur.fetchone()
    if position is None:
        return None
    depth, path, gap_depth, key = position
    # The walk up stops at a deleted status and takes the nearest ones when truncated.
    ancestors = await _rows_by_id(
        cur, path[max(gap_depth + 1, depth - max_ancestors) : depth], viewer_id
    )
    await cur.execute(
        _DESCENDANTS,
        {
            "key": key,
            "depth": depth,
            "max_depth": depth + (_UNLIMITED_DEPTH if max_depth is None else max_depth),
            "limit": max_descendants,
            "viewer": viewer_id,
        },
    )
    descendants = await cur.fetchall()
    await cur.execute(
        _AUTHORS, {"ids": list({row[2] for row in (*ancestors, *descendants)}), "viewer": viewer_id}
    )
    authors = {
        author_id: (account, follows) for author_id, account, follows in await cur.fetchall()
    }
    ancestors = _visible(ancestors, authors, viewer_id)
    descendants = _promote_self_replies(_visible(descendants, authors, viewer_id))
    flags = await _viewer_flags(cur, viewer_id, [row[0] for row in (*ancestors, *descendants)])
    pieces = [b'{"ancestors":']
    _json_array(ancestors, authors, viewer_id, flags, pieces)
    pieces.append(b',"descendants":')
    _json_array(descendants, authors, viewer_id, flags, pieces)
    pieces.append(b"}")
    return b"".join(pieces)


async def _rows_by_id(cur: AsyncCursor, ids: list[int], viewer_id: int | None) -> list[Row]:
    """The rows of `ids`, in that order."""
    if not ids:
        return []
    await cur.execute(_ANCESTORS, {"ids": ids, "viewer": viewer_id})
    by_id = {row[0]: row for row in await cur.fetchall()}
    return [by_id[status_id] for status_id in ids if status_id in by_id]


def _visible(rows: Iterable[Row], authors: dict, viewer_id: int | None) -> list[Row]:
    answer = []
    for row in rows:
        _, _, author_id, visibility, mentions, deleted, _, _ = row
        author = authors.get(author_id)
        if deleted or author is None:
            continue
        mentioned = viewer_id is not None and viewer_id in mentions
        if shown(visibility, author_id, mentioned, viewer_id, author[1]):
            answer.append(row)
    return answer


def _promote_self_replies(rows: list[Row]) -> list[Row]:
    """§6.2 step 5: a thread author's own reply chain goes first; order within each group kept."""
    own = [row for row in rows if row[1] == row[2]]
    others = [row for row in rows if row[1] != row[2]]
    return own + others


async def _viewer_flags(
    cur: AsyncCursor, viewer_id: int | None, ids: list[int]
) -> tuple[frozenset, ...]:
    """The ids among `ids` the viewer has favourited, reblogged, pinned and bookmarked, and
    those of a conversation the viewer muted."""
    if viewer_id is None or not ids:
        return (frozenset(),) * 5
    await cur.execute(_FLAGS, {"viewer": viewer_id, "ids": ids})
    return tuple(map(frozenset, await cur.fetchone()))


def _json_array(
    rows: list[Row],
    authors: dict,
    viewer_id: int | None,
    flags: tuple[frozenset, ...],
    out: list[bytes],
) -> None:
    """Append a JSON array of `rows` to `out` as pieces: the answer is joined only once."""
    favourited, reblogged, pinned, bookmarked, muted = flags
    out.append(b"[")
    for i, (status_id, _, author_id, visibility, _, _, head, poll) in enumerate(rows):
        if i:
            out.append(b",")
        if poll is not None:  # the status's poll, before the per-viewer keys
            out += (head, authors[author_id][0], poll_key(poll, viewer_id).encode())
            head = b""
        if viewer_id is None:
            tail = b"}"
        else:
            tail = _user_tail(
                status_id in favourited,
                status_id in reblogged,
                status_id in pinned,
                author_id == viewer_id and visibility != "direct",
                status_id in bookmarked,
                status_id in muted,
            )
        out += (head, authors[author_id][0], tail) if head else (tail,)
    out.append(b"]")


@lru_cache(maxsize=32)
def _user_tail(
    favourited: bool, reblogged: bool, pinned: bool, pinnable: bool, bookmarked: bool, muted: bool
) -> bytes:
    """What follows a user's view of a status's account: the per-viewer keys, then `}`."""
    return (flag_keys(favourited, reblogged, pinned, pinnable, bookmarked, muted) + "}").encode()
