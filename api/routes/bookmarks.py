"""Bookmarks (§6.14): POST /api/v1/statuses/:id/bookmark and /unbookmark, and the viewer's list,
GET /api/v1/bookmarks."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.auth import check_user, resolve_viewer
from api.pagination import list_page, page_from
from api.params import read_params
from api.routes.accounts import STATUSES_PAGE
from api.routes.statuses import status_action
from api.services import services
from commands import bookmarks as commands
from domain.scopes import READ_BOOKMARKS, WRITE_BOOKMARKS

# As favourite and unfavourite: the 404 of a missing or invisible status comes before the token
# checks when bookmarking (Statuses::BaseController's set_status runs first), after them when
# unbookmarking (its set_status is skipped), which answers with `bookmarked: false`.
bookmark = status_action(commands.bookmark, WRITE_BOOKMARKS, visible_first=True)
unbookmark = status_action(commands.unbookmark, WRITE_BOOKMARKS, undone="bookmarked")


async def list_bookmarks(request: Request) -> Response:
    """The viewer's bookmarked statuses, newest bookmark first; cursors are bookmark ids and
    `prev` links by min_id, as Mastodon's BookmarksController."""
    svc = services(request)
    viewer_id = check_user(await resolve_viewer(request, svc.queries), READ_BOOKMARKS)
    params = await read_params(request, svc.settings.max_body_bytes)
    page = page_from(params, *STATUSES_PAGE)
    cursors, docs = await svc.queries.bookmarks(viewer_id, page)
    body = "[" + ",".join(docs) + "]"
    return list_page(request, params, page, cursors, body, prev_cursor="min_id")


routes = [
    Route("/api/v1/bookmarks", list_bookmarks, methods=["GET"]),
    Route("/api/v1/statuses/{id}/bookmark", bookmark, methods=["POST"]),
    Route("/api/v1/statuses/{id}/unbookmark", unbookmark, methods=["POST"]),
]
