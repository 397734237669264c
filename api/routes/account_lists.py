"""Lists of accounts: an account's followers and follows, several accounts by id
(GET /api/v1/accounts?id[]=), and a hashtag's Tag entity (GET /api/v1/tags/:name)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.auth import check_optional, resolve_viewer
from api.errors import ApiError
from api.pagination import list_page, page_from
from api.params import read_params
from api.responses import cacheable_for, json_text
from api.routes.statuses import ACCOUNTS_PAGE
from api.services import services
from domain.entities import is_tag_name, normalize_tag
from domain.errors import RecordNotFound
from domain.ids import parse_id
from domain.scopes import READ_ACCOUNTS
from projections.account_lists import FOLLOWERS, FOLLOWING

MAX_ACCOUNTS = 40  # Mastodon's DEFAULT_ACCOUNTS_LIMIT for GET /api/v1/accounts?id[]


async def _follow_list(request: Request, side: tuple[str, str]) -> Response:
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    check_optional(viewer, READ_ACCOUNTS)
    account_id = parse_id(request.path_params["id"])
    if account_id is None or await svc.queries.account(account_id) is None:
        raise RecordNotFound
    params = await read_params(request, svc.settings.max_body_bytes)
    page = page_from(params, *ACCOUNTS_PAGE)
    accounts = await svc.queries.follow_list(side, account_id, page)
    return list_page(
        request, params, page, accounts.cursors, accounts.body, public=cacheable_for(viewer)
    )


async def followers(request: Request) -> Response:
    return await _follow_list(request, FOLLOWERS)


async def following(request: Request) -> Response:
    return await _follow_list(request, FOLLOWING)


async def accounts(request: Request) -> Response:
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    check_optional(viewer, READ_ACCOUNTS)
    params = await read_params(request, svc.settings.max_body_bytes)
    ids = params.id_list("id")
    if len(ids) > MAX_ACCOUNTS:
        raise ApiError(422, f"Validation failed: at most {MAX_ACCOUNTS} ids")
    found = await svc.queries.accounts([i for i in ids if i]) if ids else []
    return json_text("[" + ",".join(found) + "]", public=cacheable_for(viewer))


async def show_tag(request: Request) -> Response:
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    given = request.path_params["id"]
    if not is_tag_name(given):
        raise RecordNotFound
    user = viewer.account_id is not None and not viewer.token.revoked
    doc = await svc.queries.tag(normalize_tag(given), svc.settings.urls.tags, user)
    return json_text(doc, public=cacheable_for(viewer))


routes = [
    Route("/api/v1/accounts", accounts, methods=["GET"]),
    Route("/api/v1/accounts/{id}/followers", followers, methods=["GET"]),
    Route("/api/v1/accounts/{id}/following", following, methods=["GET"]),
    Route("/api/v1/tags/{id}", show_tag, methods=["GET"]),
]
