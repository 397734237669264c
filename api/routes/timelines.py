"""/api/v1/timelines (home, public, tag) and /api/v1/favourites: pages of statuses, newest
first, with Mastodon's `Link` header (prev by `min_id`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.auth import check_optional, check_user, resolve_viewer
from api.pagination import list_page, page_from
from api.params import Params, read_params
from api.responses import cacheable_for
from api.routes.accounts import STATUSES_PAGE
from api.services import services
from domain.entities import normalize_tag
from domain.scopes import READ_FAVOURITES, READ_STATUSES
from projections.pages import Page
from projections.timelines import TagQuery


def _answer(
    request: Request,
    params: Params,
    page: Page,
    items: list[tuple[int, str]],
    filters: tuple[str, ...],
    *,
    public: bool = False,
) -> Response:
    cursors = [cursor for cursor, _ in items]
    body = "[" + ",".join(doc for _, doc in items) + "]"
    return list_page(
        request, params, page, cursors, body, public=public, prev_cursor="min_id", filters=filters
    )


async def home(request: Request) -> Response:
    svc = services(request)
    viewer_id = check_user(await resolve_viewer(request, svc.queries), READ_STATUSES)
    params = await read_params(request, svc.settings.max_body_bytes)
    page = page_from(params, *STATUSES_PAGE)
    # The feeds are fanned out just after the rest (projections/feed_projector.py): a post
    # answered before this request is in the feed once they catch up. Past the wait, the feed
    # is served as it is (a follower sees the post a moment later, as on Mastodon).
    await svc.positions.wait_for_feeds(svc.settings.write_wait_timeout)
    items = await svc.queries.home_timeline(viewer_id, page) if page.limit else []
    return _answer(request, params, page, items, ("local",))


async def public(request: Request) -> Response:
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    check_optional(viewer, READ_STATUSES)
    params = await read_params(request, svc.settings.max_body_bytes)
    page = page_from(params, *STATUSES_PAGE)
    items = []
    # Every account is local: `remote` (alone or with `local`) names no status.
    if page.limit and not params.boolean("remote"):
        items = await svc.queries.public_timeline(
            viewer.account_id, page, only_media=bool(params.boolean("only_media"))
        )
    filters = ("local", "remote", "only_media")
    return _answer(request, params, page, items, filters, public=cacheable_for(viewer))


def _tag_names(params: Params, name: str) -> tuple[str, ...]:
    """A list of hashtag names (`name[]`, or one `name`), normalized; junk names none."""
    value = params.raw(name)
    items = value if isinstance(value, list) else [value]
    names = (normalize_tag(item) for item in items if isinstance(item, str))
    return tuple(dict.fromkeys(n for n in names if n))


async def tag(request: Request) -> Response:
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    check_optional(viewer, READ_STATUSES)
    params = await read_params(request, svc.settings.max_body_bytes)
    page = page_from(params, *STATUSES_PAGE)
    name = normalize_tag(request.path_params["id"])
    items = []
    if page.limit and name and not params.boolean("remote"):
        query = TagQuery(
            name, _tag_names(params, "any"), _tag_names(params, "all"), _tag_names(params, "none")
        )
        items = await svc.queries.tag_timeline(
            query, viewer.account_id, page, only_media=bool(params.boolean("only_media"))
        )
    filters = ("local", "only_media")
    return _answer(request, params, page, items, filters, public=cacheable_for(viewer))


async def favourites(request: Request) -> Response:
    svc = services(request)
    viewer_id = check_user(await resolve_viewer(request, svc.queries), READ_FAVOURITES)
    params = await read_params(request, svc.settings.max_body_bytes)
    page = page_from(params, *STATUSES_PAGE)
    items = await svc.queries.favourites(viewer_id, page) if page.limit else []
    return _answer(request, params, page, items, ())


routes = [
    Route("/api/v1/timelines/home", home, methods=["GET"]),
    Route("/api/v1/timelines/public", public, methods=["GET"]),
    Route("/api/v1/timelines/tag/{id}", tag, methods=["GET"]),
    Route("/api/v1/favourites", favourites, methods=["GET"]),
]
