"""What the streaming API reads after each projection batch, once per API process: which
statuses the batch published, edited or deleted, those statuses as rows (rendered once for
everyone), the home feed rows that say whose feed a status entered (rendered per viewer), and
the follows that decide who hears of a deletion.

Every read is of committed read-model rows (and the event store's topics for the batch's range):
an event is streamed only once the row it shows exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import orjson

from projections.reads import Reads
from projections.status_rows import USER_SELECT, StatusRow, rows_by_ids, status_row

UPDATE = "update"
EDIT = "status.update"
DELETE = "delete"

# Stored topic -> (what it does to a status, the field naming that status): domain/status.py
# and domain/reblog.py give these topics.
_TOPICS = {
    "tootlog.status.published.v1": (UPDATE, "status_id"),
    "tootlog.status.edited.v1": (EDIT, "status_id"),
    "tootlog.status.deleted.v1": (DELETE, "status_id"),
    "tootlog.reblog.reblogged.v1": (UPDATE, "wrapper_status_id"),
    "tootlog.reblog.unreblogged.v1": (DELETE, "wrapper_status_id"),
}
CHANGES = (
    "SELECT notification_id, topic, state FROM tootlog_events WHERE notification_id > %s"
    " AND notification_id <= %s AND topic = ANY(%s) ORDER BY notification_id"
)
# The status row select (status_rows) for everyone, after the facts that route a status to
# streams: its parent, its hashtags and whether it has media.
_ROUTING = (
    "SELECT s.in_reply_to_id, ARRAY(SELECT t.tag FROM tootlog_status_tags t"
    " WHERE t.status_id = s.id), json_array_length(s.doc->'media_attachments') > 0, "
)
ROWS = rows_by_ids(user=False).replace("SELECT ", _ROUTING, 1)
# The status row select once per home feed row: for each viewer whose feed holds the status,
# the row with that viewer's flags (the renderer's own select, with the viewer taken from h).
HOME_ROWS = (
    "SELECT h.account_id, r.* FROM tootlog_home_feed h CROSS JOIN LATERAL ("
    + USER_SELECT.replace("%(viewer)s", "h.account_id")
    + " WHERE s.id = h.status_id) r"
    " WHERE h.account_id = ANY(%(viewers)s::bigint[]) AND h.status_id = ANY(%(ids)s::bigint[])"
)
FOLLOWS = (
    "SELECT follower_id, followee_id FROM tootlog_follows"
    " WHERE followee_id = ANY(%s::bigint[]) AND follower_id = ANY(%s::bigint[])"
)
REBLOGS_OF = "SELECT id FROM tootlog_statuses WHERE reblog_of_id = ANY(%s::bigint[]) AND deleted"


@dataclass(frozen=True, slots=True)
class Change:
    kind: str  # UPDATE, EDIT or DELETE
    status_id: int
    position: int  # the event's


@dataclass(slots=True)
class StreamStatus:
    """A status as the streams route it, with its JSON for everyone rendered at most once."""

    row: StatusRow
    in_reply_to_id: int | None
    tags: list[str]
    with_media: bool
    _public: str | None = None

    @property
    def account_id(self) -> int:
        return self.row.account_id

    @property
    def visibility(self) -> str:
        return self.row.post.visibility

    @property
    def mentions(self) -> list[int]:
        return self.row.post.mentions

    @property
    def is_reblog(self) -> bool:
        return self.row.original is not None

    def rendered(self) -> str:
        """The Status JSON for everyone (no per-viewer keys), as public streams send it."""
        if self._public is None:
            self._public = self.row.render(None)
        return self._public


class StreamReads(Reads):
    """The reads behind the streams; each is one statement for a whole batch."""

    async def changes(self, after: int, upto: int) -> list[Change]:
        """What the events in (after, upto] did to statuses, in log order."""
        async with self.events_pool.connection() as conn:
            cur = await conn.execute(CHANGES, (after, upto, list(_TOPICS)))
            found = await cur.fetchall()
        changes = []
        for position, topic, state in found:
            kind, field = _TOPICS[topic]
            status_id = orjson.loads(state).get(field)
            if type(status_id) is int:
                changes.append(Change(kind, status_id, position))
        return changes

    async def statuses(self, ids: Iterable[int]) -> dict[int, StreamStatus]:
        """The rows of these statuses (deleted ones included), rendered for nobody yet."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(ROWS, {"ids": list(ids), "viewer": None})
            found = await cur.fetchall()
        answer = {}
        for raw in found:
            row = status_row(raw[3:])
            answer[row.id] = StreamStatus(row, raw[0], list(raw[1] or ()), bool(raw[2]))
        return answer

    async def home_rows(
        self, ids: Sequence[int], viewers: Sequence[int]
    ) -> list[tuple[int, StatusRow]]:
        """(viewer, the status as that viewer sees it) for each of the viewers' home feeds that
        holds one of these statuses."""
        if not ids or not viewers:
            return []
        async with self.pool.connection() as conn:
            cur = await conn.execute(HOME_ROWS, {"ids": list(ids), "viewers": list(viewers)})
            found = await cur.fetchall()
        return [(raw[0], status_row(raw[1:])) for raw in found]

    async def follows_among(
        self, followees: Iterable[int], followers: Iterable[int]
    ) -> set[tuple[int, int]]:
        """(follower, followee) for each follow between these followers and followees."""
        followees, followers = list(followees), list(followers)
        if not followees or not followers:
            return set()
        async with self.pool.connection() as conn:
            cur = await conn.execute(FOLLOWS, (followees, followers))
            return {(row[0], row[1]) for row in await cur.fetchall()}

    async def deleted_reblogs_of(self, ids: Iterable[int]) -> list[int]:
        """The reblog wrappers of these statuses (deleted with them)."""
        ids = list(ids)
        if not ids:
            return []
        async with self.pool.connection() as conn:
            cur = await conn.execute(REBLOGS_OF, (ids,))
            return [row[0] for row in await cur.fetchall()]

    async def revoked(self, token_hashes: Iterable[str]) -> list[str]:
        """Which of these tokens are revoked (or gone), in the order given."""
        hashes = list(token_hashes)
        if not hashes:
            return []
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT h FROM unnest(%s::text[]) WITH ORDINALITY AS u(h, n) WHERE NOT EXISTS"
                " (SELECT 1 FROM tootlog_tokens t WHERE t.token_hash = u.h AND NOT t.revoked)"
                " ORDER BY n",
                (hashes,),
            )
            return [row[0] for row in await cur.fetchall()]
