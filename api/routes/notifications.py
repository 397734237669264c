"""Notifications (docs/mastodon-api.md §18): the viewer's list, one by id, the unread count,
dismiss and clear (Api::V1::NotificationsController), and the grouped list, one group, its
dismissal and its accounts (Api::V2::NotificationsController, Notifications::AccountsController)."""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.auth import check_user, resolve_viewer
from api.errors import ApiError
from api.pagination import list_page, page_from
from api.params import Params, read_params
from api.responses import json_text
from api.services import services
from commands import notifications as commands
from domain.errors import RecordNotFound
from domain.ids import parse_id
from domain.scopes import READ_NOTIFICATIONS, WRITE_NOTIFICATIONS
from projections.notification_reads import NotificationFilter
from projections.pages import Page

# limit: default and maximum (limit_param(DEFAULT_NOTIFICATIONS_LIMIT), both versions).
NOTIFICATIONS_PAGE = (40, 80)
# DEFAULT_ACCOUNTS_LIMIT of Api::V2::Notifications::AccountsController, and twice it.
ACCOUNTS_PAGE = (40, 80)
# DEFAULT_NOTIFICATIONS_COUNT_LIMIT, MAX_NOTIFICATIONS_COUNT_LIMIT
COUNT_LIMIT = (100, 1000)
V1_FILTERS = ("account_id", "exclude_types[]", "types[]")
V2_FILTERS = ("exclude_types[]", "grouped_types[]", "types[]")
EXPAND_ACCOUNTS = ("full", "partial_avatars")


def array(params: Params, name: str) -> list[str]:
    """An array parameter (`name[]=`, a JSON array); a lone value is not one (Rails' permit
    drops it)."""
    value = params.raw(name)
    if not isinstance(value, list):
        return []
    return [str(item) for item in value if isinstance(item, str | int)]


def notification_filter(params: Params, by_account: bool = True) -> NotificationFilter:
    """types[], exclude_types[] and (v1) account_id; an account_id naming nothing shows
    nothing."""
    from_account_id = None
    if by_account and (raw := params.string("account_id")):
        from_account_id = parse_id(raw) or 0
    return NotificationFilter.of(
        array(params, "types"), array(params, "exclude_types"), from_account_id
    )


async def _viewer(request: Request, scopes: tuple[str, ...]) -> tuple[int, Params]:
    svc = services(request)
    viewer_id = check_user(await resolve_viewer(request, svc.queries), scopes)
    return viewer_id, await read_params(request, svc.settings.max_body_bytes)


async def list_notifications(request: Request) -> Response:
    """Newest first; `Link` as Mastodon writes it here: `next` on every non-empty page."""
    svc = services(request)
    viewer_id, params = await _viewer(request, READ_NOTIFICATIONS)
    page = page_from(params, *NOTIFICATIONS_PAGE)
    cursors, docs = await svc.queries.notifications(viewer_id, page, notification_filter(params))
    body = "[" + ",".join(docs) + "]"
    return list_page(
        request,
        params,
        page,
        cursors,
        body,
        prev_cursor="min_id",
        filters=V1_FILTERS,
        next_when_partial=True,
    )


async def show_notification(request: Request) -> Response:
    svc = services(request)
    viewer_id, _ = await _viewer(request, READ_NOTIFICATIONS)
    doc = await svc.queries.notification(viewer_id, parse_id(request.path_params["id"]))
    if doc is None:
        raise RecordNotFound
    return json_text(doc)


async def unread_count(request: Request) -> Response:
    """`{"count": n}`: notifications after the notifications marker (all without one), at
    most `limit` (100, max 1000); v2 counts groups."""
    svc = services(request)
    viewer_id, params = await _viewer(request, READ_NOTIFICATIONS)
    limit = page_from(params, *COUNT_LIMIT).limit
    markers = orjson.loads(await svc.queries.markers(viewer_id, ["notifications"]))
    marker = markers.get("notifications")
    last_read_id = int(marker["last_read_id"]) if marker else None
    grouped = request.url.path.startswith("/api/v2/")
    if grouped:
        count = await svc.queries.unread_group_count(
            viewer_id,
            notification_filter(params, by_account=False),
            array(params, "grouped_types"),
            limit,
            last_read_id,
        )
    else:
        count = await svc.queries.unread_count(
            viewer_id, notification_filter(params), limit, last_read_id
        )
    return json_text(orjson.dumps({"count": count}))


async def dismiss(request: Request) -> Response:
    svc = services(request)
    viewer_id, _ = await _viewer(request, WRITE_NOTIFICATIONS)
    notification_id = parse_id(request.path_params["id"])
    if notification_id is None or not await svc.queries.has_notification(
        viewer_id, notification_id
    ):
        raise RecordNotFound
    await svc.command(commands.dismiss, account_id=viewer_id, notification_id=notification_id)
    return json_text("{}")


async def clear(request: Request) -> Response:
    svc = services(request)
    viewer_id, _ = await _viewer(request, WRITE_NOTIFICATIONS)
    await svc.command(commands.clear, account_id=viewer_id)
    return json_text("{}")


async def list_groups(request: Request) -> Response:
    """GET /api/v2/notifications: a page of notification groups with their accounts and
    statuses; `Link` as v1's."""
    svc = services(request)
    viewer_id, params = await _viewer(request, READ_NOTIFICATIONS)
    expand = params.string("expand_accounts")
    if expand is not None and expand not in EXPAND_ACCOUNTS:
        raise ApiError(
            400,
            f"Invalid value for 'expand_accounts': '{expand}', allowed values are 'full' and"
            " 'partial_avatars'",
        )
    page = page_from(params, *NOTIFICATIONS_PAGE)
    found = await svc.queries.notification_groups(
        viewer_id,
        page,
        notification_filter(params, by_account=False),
        array(params, "grouped_types"),
        partial_avatars=expand == "partial_avatars",
    )
    return list_page(
        request,
        params,
        page,
        found.cursors,
        found.body,
        prev_cursor="min_id",
        filters=V2_FILTERS,
        next_when_partial=True,
    )


async def show_group(request: Request) -> Response:
    """GET /api/v2/notifications/:group_key: one group, with its accounts and status."""
    svc = services(request)
    viewer_id, _ = await _viewer(request, READ_NOTIFICATIONS)
    body = await svc.queries.notification_group(viewer_id, request.path_params["group_key"])
    if body is None:
        raise RecordNotFound
    return json_text(body)


async def dismiss_group(request: Request) -> Response:
    """POST /api/v2/notifications/:group_key/dismiss: every notification of the group (none
    is no error, as Mastodon's destroy_all)."""
    svc = services(request)
    viewer_id, _ = await _viewer(request, WRITE_NOTIFICATIONS)
    found = await svc.queries.group_notifications(viewer_id, request.path_params["group_key"])
    if found:
        ids = [row.id for row in found]
        await svc.command(commands.dismiss_all, account_id=viewer_id, notification_ids=ids)
    return json_text("{}")


async def group_accounts(request: Request) -> Response:
    """GET /api/v2/notifications/:group_key/accounts: the Account of each notification of the
    group, newest first (`limit` 40, max 80; `max_id`, `since_id`); `Link` as Mastodon's."""
    svc = services(request)
    viewer_id, params = await _viewer(request, READ_NOTIFICATIONS)
    page = page_from(params, *ACCOUNTS_PAGE)
    page = Page(page.limit, max_id=page.max_id, since_id=page.since_id)  # no min_id here
    key = request.path_params["group_key"]
    cursors, accounts = await svc.queries.group_accounts(viewer_id, key, page)
    body = "[" + ",".join(accounts) + "]"
    return list_page(request, params, page, cursors, body, prev_cursor="min_id")


routes = [
    Route("/api/v1/notifications", list_notifications, methods=["GET"]),
    Route("/api/v1/notifications/unread_count", unread_count, methods=["GET"]),
    Route("/api/v1/notifications/clear", clear, methods=["POST"]),
    Route("/api/v1/notifications/{id}", show_notification, methods=["GET"]),
    Route("/api/v1/notifications/{id}/dismiss", dismiss, methods=["POST"]),
    Route("/api/v2/notifications", list_groups, methods=["GET"]),
    Route("/api/v2/notifications/unread_count", unread_count, methods=["GET"]),
    Route("/api/v2/notifications/{group_key}", show_group, methods=["GET"]),
    Route("/api/v2/notifications/{group_key}/dismiss", dismiss_group, methods=["POST"]),
    Route("/api/v2/notifications/{group_key}/accounts", group_accounts, methods=["GET"]),
]
