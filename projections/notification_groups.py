"""Grouped notifications (GET /api/v2/notifications, Mastodon 4.3): a page of notification
groups, each shown once by its newest notification in the page, with the accounts and statuses
they name listed once at the top (REST::DedupNotificationGroupSerializer).

A page holds `limit` groups, found as Mastodon's paginate_groups finds them: the notifications
in cursor order, each kept only if its group has not been seen yet (a notification of a type
the client does not group, or that is never grouped, is a group of its own, `ungrouped-<id>`).
Each group then says how many notifications it has and who caused its newest 8
(SAMPLE_ACCOUNTS), all of them, and which of its notifications fall in the page's range.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from domain.ids import parse_id
from domain.notification import GROUPABLE_TYPES, STATUS_TYPES
from projections.notification_reads import NotificationFilter, NotificationReads, Picked, shown_to
from projections.pages import Page

# The most notification rows one read of a grouped page takes.
MAX_CHUNK = 2000
# NotificationGroup::SAMPLE_ACCOUNTS_SIZE
SAMPLE_ACCOUNTS = 8
# The fields of REST::DedupNotificationGroupSerializer's PartialAccountSerializer.
PARTIAL_FIELDS = ("id", "acct", "locked", "bot", "url", "avatar", "avatar_static")
# What each group's notifications are, in one statement for a page's groups.
_GROUPS = (
    "SELECT g.prefix, g.bucket, (SELECT count(*) FROM tootlog_notifications n {same}),"
    " (SELECT max(n.id) FROM tootlog_notifications n {same}),"
    " ARRAY(SELECT n.from_account_id FROM tootlog_notifications n {same}"
    f" ORDER BY n.id DESC LIMIT {SAMPLE_ACCOUNTS}),"
    " (SELECT min(n.id) FROM tootlog_notifications n {same} {inside}),"
    " (SELECT max(n.id) FROM tootlog_notifications n {same} {inside}),"
    " (SELECT n.created_at FROM tootlog_notifications n {same} {inside}"
    " ORDER BY n.id DESC LIMIT 1)"
    " FROM unnest(%(prefixes)s::text[], %(buckets)s::int[]) AS g(prefix, bucket)"
).format(
    same="WHERE n.account_id = %(viewer)s AND n.group_prefix = g.prefix AND n.bucket = g.bucket",
    inside="AND n.id >= %(low)s AND n.id <= %(high)s",
)


@dataclass(frozen=True, slots=True)
class GroupedPage:
    """The page's notification ids, newest first (the Link header's cursors), and its JSON."""

    cursors: list[int]
    body: str


class NotificationGroupReads(NotificationReads):
    async def notification_groups(
        self,
        viewer_id: int,
        page: Page,
        shown: NotificationFilter,
        grouped_types: list[str],
        partial_avatars: bool,
    ) -> GroupedPage:
        grouped = _grouped_types(grouped_types)
        chosen, statuses = await self._choose(viewer_id, page, shown, grouped)
        ascending = page.min_id is not None
        if ascending:
            chosen.reverse()
        low, high = _range(chosen, page, ascending)
        found = await self._groups(
            viewer_id, [r for r in chosen if _grouped(r, grouped)], low, high
        )
        body = await self._render(viewer_id, chosen, statuses, found, grouped, partial_avatars)
        return GroupedPage([row.id for row in chosen], body)

    async def notification_group(self, viewer_id: int, group_key: str) -> str | None:
        """GET /api/v2/notifications/:group_key: the group as a page of its own (no page
        range), from its newest notification; None when the viewer has none in it (or may not
        see its status)."""
        rows = await self.group_notifications(viewer_id, group_key, 1)
        if not rows:
            return None
        statuses = await self.notification_statuses(viewer_id, rows)
        if not shown_to(rows[0], statuses, viewer_id):
            return None
        grouped = set(GROUPABLE_TYPES)
        # As Mastodon, `ungrouped-<id>` of a grouped notification shows its whole group.
        keys = [r for r in rows if _grouped(r, grouped)]
        found = await self._groups(viewer_id, keys, None, None)
        return await self._render(viewer_id, rows, statuses, found, grouped, False, paginated=False)

    async def group_accounts(
        self, viewer_id: int, group_key: str, page: Page
    ) -> tuple[list[int], list[str]]:
        """GET /api/v2/notifications/:group_key/accounts: who caused the group's
        notifications, newest first, one Account per notification; and their cursors."""
        rows = await self.group_notifications(viewer_id, group_key, page.limit, page)
        return [row.id for row in rows], [row.account for row in rows]

    async def group_notifications(
        self, viewer_id: int, group_key: str, limit: int = 10_000, page: Page | None = None
    ) -> list[Picked]:
        """The viewer's notifications of a group key (Notification.by_group_key), newest first
        (below `page`'s max_id and above its since_id): `ungrouped-<id>` names one
        notification, any other key a group."""
        if limit == 0:
            return []
        params: dict = {"viewer": viewer_id, "limit": limit}
        bounds = []
        if page is not None and page.max_id is not None:
            bounds.append("n.id < %(max_id)s")
            params["max_id"] = page.max_id
        if page is not None and page.since_id is not None:
            bounds.append("n.id > %(since_id)s")
            params["since_id"] = page.since_id
        if group_key.startswith("ungrouped-"):
            params["id"] = parse_id(group_key.removeprefix("ungrouped-")) or 0
            where = ["n.account_id = %(viewer)s", "n.id = %(id)s"]
        else:
            prefix, _, bucket = group_key.rpartition("-")
            if not prefix or not bucket.isdigit() or len(bucket) > 9:
                return []
            params.update(prefix=prefix, bucket=int(bucket))
            where = [
                "n.account_id = %(viewer)s",
                "n.group_prefix = %(prefix)s",
                "n.bucket = %(bucket)s",
            ]
        return await self._pick(where + bounds, "DESC", params)

    async def _render(
        self,
        viewer_id: int,
        chosen: list[Picked],
        statuses: dict,
        found: dict,
        grouped: set[str],
        partial_avatars: bool,
        paginated: bool = True,
    ) -> str:
        """REST::DedupNotificationGroupSerializer of the groups of `chosen`."""
        groups, samples = [], []
        for row in chosen:
            data = found.get((row.group_prefix, row.bucket)) if _grouped(row, grouped) else None
            group, sample = _group(row, data, paginated)
            groups.append(group)
            samples.append(sample)
        full = list(dict.fromkeys(s for sample in samples for s in sample))
        partial: list[int] = []
        if partial_avatars:
            firsts = list(dict.fromkeys(sample[0] for sample in samples if sample))
            partial = [a for a in full if a not in firsts]
            full = firsts
        accounts = await self._accounts_by_id(full + partial)
        status_ids = dict.fromkeys(
            row.status_id for row in chosen if row.type in STATUS_TYPES and row.status_id
        )
        parts = ['{"accounts":[' + ",".join(accounts[a] for a in full if a in accounts) + "]"]
        if partial_avatars:
            docs = [_partial(accounts[a]) for a in partial if a in accounts]
            parts.append('"partial_accounts":[' + ",".join(docs) + "]")
        rendered = [statuses[s].render(viewer_id) for s in status_ids]
        parts.append('"statuses":[' + ",".join(rendered) + "]")
        parts.append('"notification_groups":' + orjson.dumps(groups).decode() + "}")
        return ",".join(parts)

    async def unread_group_count(
        self,
        viewer_id: int,
        shown: NotificationFilter,
        grouped_types: list[str],
        limit: int,
        last_read_id: int | None,
    ) -> int:
        """How many groups the viewer has after `last_read_id`, counting at most `limit`."""
        page = Page(limit=limit, min_id=last_read_id or 0)
        chosen, _ = await self._choose(viewer_id, page, shown, _grouped_types(grouped_types))
        return len(chosen)

    async def _choose(
        self, viewer_id: int, page: Page, shown: NotificationFilter, grouped: set[str]
    ) -> tuple[list[Picked], dict]:
        """The first notification of each of the page's groups, in cursor order (ascending
        from `min_id`, else descending), and the statuses of those shown."""
        ascending = page.min_id is not None
        low = page.min_id if ascending else page.since_id
        high = page.max_id
        chunk = max(page.limit * 2, 40)
        chosen: list[Picked] = []
        statuses: dict = {}
        seen: set[str] = set()
        while page.limit and len(chosen) < page.limit:
            params: dict = {"viewer": viewer_id, "limit": chunk}
            where = ["n.account_id = %(viewer)s", *shown.conditions(params)]
            if low is not None:
                where.append("n.id > %(low)s")
                params["low"] = low
            if high is not None:
                where.append("n.id < %(high)s")
                params["high"] = high
            picked = await self._pick(where, "ASC" if ascending else "DESC", params)
            found = await self.notification_statuses(viewer_id, picked)
            statuses.update(found)
            for row in picked:
                key = row.group_key if _grouped(row, grouped) else f"ungrouped-{row.id}"
                if key in seen or not shown_to(row, found, viewer_id):
                    continue
                seen.add(key)
                chosen.append(row)
                if len(chosen) == page.limit:
                    break
            if len(picked) < chunk:
                break
            if ascending:
                low = picked[-1].id
            else:
                high = picked[-1].id
            # A large group fills chunks with notifications already seen: read on in larger ones.
            chunk = min(chunk * 2, MAX_CHUNK)
        return chosen, statuses

    async def _groups(
        self, viewer_id: int, rows: list[Picked], low: int | None, high: int | None
    ) -> dict[tuple[str, int], tuple]:
        if not rows:
            return {}
        params = {
            "viewer": viewer_id,
            "prefixes": [row.group_prefix for row in rows],
            "buckets": [row.bucket for row in rows],
            "low": 0 if low is None else low,
            "high": 2**63 - 1 if high is None else high,
        }
        async with self.pool.connection() as conn:
            cur = await conn.execute(_GROUPS, params)
            return {(row[0], row[1]): row[2:] for row in await cur.fetchall()}

    async def _accounts_by_id(self, ids: list[int]) -> dict[int, str]:
        if not ids:
            return {}
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT id, rendered FROM tootlog_accounts WHERE id = ANY(%s)", (ids,)
            )
            return dict(await cur.fetchall())


def _grouped_types(names: list[str]) -> set[str]:
    """`grouped_types[]`: the groupable types among them; none given: every groupable type."""
    return {t for t in names if t in GROUPABLE_TYPES} if names else set(GROUPABLE_TYPES)


def _grouped(row: Picked, grouped: set[str]) -> bool:
    return row.group_prefix is not None and row.type in grouped


def _range(chosen: list[Picked], page: Page, ascending: bool) -> tuple[int | None, int | None]:
    """The ids the page covers (its groups' page_min_id and page_max_id are within), as
    Mastodon's load_grouped_notifications: first to last, or, on the last page, up to the
    cursor the client gave."""
    if not chosen:
        return None, None
    newest, oldest = chosen[0].id, chosen[-1].id
    if len(chosen) == page.limit:
        return oldest, newest
    if ascending:
        return oldest, None if page.max_id is None else page.max_id - 1
    return (None if page.since_id is None else page.since_id + 1), newest


def _group(row: Picked, data: tuple | None, paginated: bool) -> tuple[dict, list[int]]:
    """A NotificationGroup (REST::NotificationGroupSerializer; the page range only when
    `paginated`) and its sample."""
    if data is None:  # a group of one
        count, newest, sample = 1, row.id, [row.from_account_id]
        low = high = row.id
        latest = row.created_at
        key = f"ungrouped-{row.id}"
    else:
        count, newest, sample, low, high, latest = data
        key = row.group_key
    group: dict = {
        "group_key": key,
        "notifications_count": count,
        "type": row.type,
        "most_recent_notification_id": newest,
    }
    if paginated:
        group["page_min_id"] = str(low if low is not None else row.id)
        group["page_max_id"] = str(high if high is not None else row.id)
        group["latest_page_notification_at"] = latest or row.created_at
    group["sample_account_ids"] = [str(a) for a in sample]
    if row.type in STATUS_TYPES:
        group["status_id"] = str(row.status_id)
    return group, sample


def _partial(rendered: str) -> str:
    account = orjson.loads(rendered)
    return orjson.dumps({name: account.get(name) for name in PARTIAL_FIELDS}).decode()
