"""/api/v1/accounts: an account, its statuses and pins, follow and unfollow, relationships."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.auth import check_optional, check_user, resolve_viewer
from api.errors import ApiError
from api.pagination import list_page, page_from
from api.params import read_params, refuse_unsupported
from api.responses import cacheable_for, json_text
from api.services import services
from commands import social
from domain.errors import NotFound, RecordNotFound
from domain.ids import parse_id
from domain.scopes import READ_ACCOUNTS, READ_FOLLOWS, READ_STATUSES, WRITE_FOLLOWS

STATUSES_PAGE = (20, 40)  # default and maximum `limit` of status lists
STATUS_FILTERS = ("only_media", "exclude_replies", "exclude_reblogs", "exclude_direct", "pinned")


async def show_account(request: Request) -> Response:
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    check_optional(viewer, READ_ACCOUNTS)
    doc = await svc.queries.account(parse_id(request.path_params["id"]))
    if doc is None:
        raise RecordNotFound
    return json_text(doc, public=cacheable_for(viewer))


async def account_statuses(request: Request) -> Response:
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    check_optional(viewer, READ_STATUSES)
    account_id = parse_id(request.path_params["id"])
    if account_id is None or await svc.queries.account(account_id) is None:
        raise RecordNotFound
    params = await read_params(request, svc.settings.max_body_bytes)
    page = page_from(params, *STATUSES_PAGE)
    items = []
    if page.limit:
        items = await svc.queries.account_statuses(
            account_id,
            viewer.account_id,
            page,
            **{name: bool(params.boolean(name)) for name in STATUS_FILTERS},
        )
    cursors = [c for c, _ in items]
    # As Mastodon's AccountStatusesFilter: `prev` by min_id, and the filters kept in both links.
    body = "[" + ",".join(doc for _, doc in items) + "]"
    return list_page(
        request, params, page, cursors, body, prev_cursor="min_id", filters=STATUS_FILTERS
    )


async def _follow_action(request: Request, command, options: bool = False) -> Response:  # noqa: ANN001
    """`options`: read follow's parameters, once the token is checked."""
    svc = services(request)
    follower_id = check_user(await resolve_viewer(request, svc.queries), WRITE_FOLLOWS)
    given = {}
    if options:
        params = await read_params(request, svc.settings.max_body_bytes)
        if params.boolean("reblogs") is False:
            raise ApiError(422, "reblogs=false is not supported by this server yet")
        refuse_unsupported(params, ("languages",))
        given["notify"] = params.boolean("notify")
    written = await svc.command(
        command,
        follower_id=follower_id,
        followee_id=parse_id(request.path_params["id"]),
        **given,
    )
    found = await svc.queries.relationships(follower_id, [written.id])
    if not found:
        raise NotFound
    return json_text(found[0])


async def follow(request: Request) -> Response:
    """`notify` as Mastodon (absent: false on a new follow, unchanged on an existing one);
    hiding the followee's boosts (`reblogs=false`) and `languages[]` do not exist yet: 422."""
    return await _follow_action(request, social.follow, options=True)


async def unfollow(request: Request) -> Response:
    return await _follow_action(request, social.unfollow)


async def relationships(request: Request) -> Response:
    svc = services(request)
    viewer_id = check_user(await resolve_viewer(request, svc.queries), READ_FOLLOWS)
    params = await read_params(request, svc.settings.max_body_bytes)
    ids = [i for i in params.id_list("id") if i]
    found = await svc.queries.relationships(viewer_id, ids) if ids else []
    return json_text("[" + ",".join(found) + "]")


routes = [
    Route("/api/v1/accounts/relationships", relationships, methods=["GET"]),
    Route("/api/v1/accounts/{id}", show_account, methods=["GET"]),
    Route("/api/v1/accounts/{id}/statuses", account_statuses, methods=["GET"]),
    Route("/api/v1/accounts/{id}/follow", follow, methods=["POST"]),
    Route("/api/v1/accounts/{id}/unfollow", unfollow, methods=["POST"]),
]
