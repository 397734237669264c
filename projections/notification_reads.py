"""The viewer's notifications (GET /api/v1/notifications, /:id, /unread_count): pages of
notification rows, then their statuses in one read, rendered as Mastodon's
REST::NotificationSerializer.

Each notification is rendered for its own account only: the Account of who caused it as stored,
and for the types that carry one, the Status as the viewer sees it (per-viewer flags included).
A notification whose status the viewer can no longer see (a followers-only status after an
unfollow) is left out, though its id still moves the page's cursors, so pages stay contiguous.
`notification_documents` renders chosen notifications by id, and `notifications_between` those
a range of the log made (what the streaming API pushes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import orjson

from domain.notification import STATUS_TYPES, TYPES, notification_id
from projections.pages import Page, page_bounds
from projections.status_reads import StatusReads
from projections.status_rows import StatusRow

_PICK = (
    "SELECT n.id, n.type, n.from_account_id, n.status_id, n.group_prefix, n.bucket,"
    " n.created_at, a.rendered FROM tootlog_notifications n"
    " JOIN tootlog_accounts a ON a.id = n.from_account_id"
    " WHERE {conditions} ORDER BY n.id {order} LIMIT %(limit)s"
)


@dataclass(frozen=True, slots=True)
class NotificationFilter:
    """Which of the viewer's notifications a list shows (Notification.browserable)."""

    types: tuple[str, ...] | None = None  # None: every type
    from_account_id: int | None = None

    @classmethod
    def of(
        cls, types: list[str], exclude_types: list[str], from_account_id: int | None = None
    ) -> NotificationFilter:
        """Unknown names are ignored; `types` naming only unknown ones shows nothing."""
        wanted = [t for t in TYPES if t in types] if types else list(TYPES)
        wanted = [t for t in wanted if t not in exclude_types]
        return cls(None if len(wanted) == len(TYPES) else tuple(wanted), from_account_id)

    def conditions(self, params: dict) -> list[str]:
        where = []
        if self.types is not None:
            where.append("n.type = ANY(%(types)s)")
            params["types"] = list(self.types)
        if self.from_account_id is not None:
            where.append("n.from_account_id = %(from)s")
            params["from"] = self.from_account_id
        return where


class Picked(NamedTuple):
    """A notification row, with the rendered Account of who caused it."""

    id: int
    type: str
    from_account_id: int
    status_id: int | None
    group_prefix: str | None
    bucket: int | None
    created_at: str
    account: str

    @property
    def group_key(self) -> str:
        """Its group (REST::NotificationSerializer#group_key)."""
        if self.group_prefix is None:
            return f"ungrouped-{self.id}"
        return f"{self.group_prefix}-{self.bucket}"


class NotificationReads(StatusReads):
    """Reads of the viewer's notifications."""

    async def notifications(
        self, viewer_id: int, page: Page, shown: NotificationFilter
    ) -> tuple[list[int], list[str]]:
        """The page's cursors (notification ids, newest first: the Link header's, hidden ones
        included) and the Notification JSON of those the viewer may see, in the same order."""
        picked = await self.pick_notifications(viewer_id, page, shown)
        statuses = await self.notification_statuses(viewer_id, picked)
        docs = [doc for row in picked if (doc := render_notification(row, statuses, viewer_id))]
        return [row.id for row in picked], docs

    async def notification(self, viewer_id: int, notification_id: int | None) -> str | None:
        """One of the viewer's notifications (GET /api/v1/notifications/:id), or None."""
        if notification_id is None:
            return None
        found = await self.notification_documents(viewer_id, [notification_id])
        return found.get(notification_id)

    async def notification_documents(self, viewer_id: int, ids: list[int]) -> dict[int, str]:
        """The Notification JSON of each of `ids` that is the viewer's and that the viewer may
        see, by id: what a notification looks like to its account wherever it is shown."""
        params: dict = {"viewer": viewer_id, "ids": ids, "limit": len(ids)}
        picked = await self._pick(
            ["n.account_id = %(viewer)s", "n.id = ANY(%(ids)s)"], "DESC", params
        )
        statuses = await self.notification_statuses(viewer_id, picked)
        return {
            row.id: doc for row in picked if (doc := render_notification(row, statuses, viewer_id))
        }

    async def notifications_between(
        self, after: int, upto: int, account_ids: Sequence[int]
    ) -> list[tuple[int, str]]:
        """What the streaming API pushes (api/streaming/hub.py's NotificationSource): the
        notifications the events at positions (after, upto] made for `account_ids` and that
        are still there, as (account id, Notification JSON), oldest first, each rendered for its
        account."""
        if not account_ids:
            return []
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT account_id, id FROM tootlog_notifications"
                " WHERE account_id = ANY(%s) AND id >= %s AND id < %s ORDER BY id",
                (list(account_ids), notification_id(after + 1), notification_id(upto + 1)),
            )
            found = await cur.fetchall()
        by_account: dict[int, list[int]] = {}
        for account_id, nid in found:
            by_account.setdefault(account_id, []).append(nid)
        pushed = []
        for account_id, ids in by_account.items():
            docs = await self.notification_documents(account_id, ids)
            pushed += [(account_id, docs[nid]) for nid in ids if nid in docs]
        return pushed

    async def has_notification(self, viewer_id: int, notification_id: int | None) -> bool:
        """Whether the viewer has this notification (the 404 of a dismiss)."""
        if notification_id is None:
            return False
        text = await self._text(
            "SELECT 'x' FROM tootlog_notifications WHERE account_id = %s AND id = %s",
            (viewer_id, notification_id),
        )
        return text is not None

    async def unread_count(
        self, viewer_id: int, shown: NotificationFilter, limit: int, last_read_id: int | None
    ) -> int:
        """How many notifications the viewer would be shown after `last_read_id` (the
        notifications marker), counting at most `limit`."""
        page = Page(limit=limit, min_id=last_read_id or 0)
        picked = await self.pick_notifications(viewer_id, page, shown)
        statuses = await self.notification_statuses(viewer_id, picked)
        return sum(1 for row in picked if shown_to(row, statuses, viewer_id))

    async def pick_notifications(
        self, viewer_id: int, page: Page, shown: NotificationFilter
    ) -> list[Picked]:
        """A page of the viewer's notification rows, newest first."""
        if page.limit == 0:
            return []
        params: dict = {"viewer": viewer_id}
        where, order = page_bounds("n.id", page, params)
        where = ["n.account_id = %(viewer)s", *shown.conditions(params), *where]
        picked = await self._pick(where, order, params)
        if page.ascending:
            picked.reverse()
        return picked

    async def _pick(self, where: list[str], order: str, params: dict) -> list[Picked]:
        query = _PICK.format(conditions=" AND ".join(where), order=order)
        async with self.pool.connection() as conn:
            cur = await conn.execute(query, params)
            return [Picked(*row) for row in await cur.fetchall()]

    async def notification_statuses(
        self, viewer_id: int, picked: list[Picked]
    ) -> dict[int, StatusRow]:
        """The statuses the notifications are about, as the viewer sees them, by id."""
        ids = list({row.status_id for row in picked if row.status_id is not None})
        if not ids:
            return {}
        rows = await self._rows(ids, viewer_id)
        return {row.id: row for row in rows}


def shown_to(row: Picked, statuses: dict[int, StatusRow], viewer_id: int) -> bool:
    """Whether the notification is shown: it carries no status, or one the viewer may see."""
    if row.type not in STATUS_TYPES:
        return True
    status = statuses.get(row.status_id) if row.status_id is not None else None
    return status is not None and status.visible_to(viewer_id)


def render_notification(row: Picked, statuses: dict[int, StatusRow], viewer_id: int) -> str | None:
    """The Notification entity (id, type, created_at, group_key, account, status), or None
    when the viewer may not see its status."""
    if not shown_to(row, statuses, viewer_id):
        return None
    head = orjson.dumps(
        {
            "id": str(row.id),
            "type": row.type,
            "created_at": row.created_at,
            "group_key": row.group_key,
        }
    ).decode()
    tail = ""
    if row.type in STATUS_TYPES:
        tail = ',"status":' + statuses[row.status_id].render(viewer_id)
    return f'{head[:-1]},"account":{row.account}{tail}}}'
