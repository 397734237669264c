"""GET /api/v2/search and GET /api/v1/accounts/search (docs/mastodon-api.md §17), as Mastodon's
Api::V2::SearchController, Api::V1::Accounts::SearchController and the services behind them."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.auth import check_optional, check_user, resolve_viewer
from api.errors import ApiError
from api.params import Params, read_params
from api.responses import json_text
from api.routes.statuses import ACCOUNTS_PAGE
from api.services import Services, services
from domain.ids import parse_id
from domain.poll import ruby_to_i
from domain.scopes import READ_ACCOUNTS, READ_SEARCH
from domain.search import (
    MIN_ANONYMOUS_LENGTH,
    SEARCH_TYPES,
    account_query,
    clipped,
    is_local,
    is_url,
    local_resource,
    tag_prefix,
)
from projections.search import AccountSearch, StatusSearch

BOUNDS = ("min_id", "max_id")
SEARCH_PAGE = (20, 40)  # Api::V2::SearchController::RESULTS_LIMIT, and limit_param's maximum
MISSING_Q = "param is missing or the value is empty: q"
ANONYMOUS_OFFSET = "Search queries pagination is not supported without authentication"
ANONYMOUS_RESOLVE = (
    "Search queries that resolve remote resources are not supported without authentication"
)
NEGATIVE_PAGE = "Pagination values for `offset` and `limit` must be positive"
BIGINT = 2**63


def _limit(params: Params, default: int, maximum: int) -> int:
    """Mastodon's limit_param: the default when absent, else min(|to_i|, maximum)."""
    raw = params.string("limit")
    return default if raw is None else min(abs(ruby_to_i(raw)), maximum)


def _number(params: Params, name: str) -> int:
    """Ruby's to_i of a parameter, held to PostgreSQL's bigint (Mastodon's SQL fails past it)."""
    return max(-BIGINT, min(ruby_to_i(params.string(name) or ""), BIGINT - 1))


def _refuse_negative(params: Params) -> None:
    """require_valid_pagination_options!: a negative `limit` or `offset` is a 400."""
    if any(ruby_to_i(params.string(name) or "") < 0 for name in ("limit", "offset")):
        raise ApiError(400, NEGATIVE_PAGE)


async def find_accounts(
    svc: Services,
    q: str,
    viewer_id: int | None,
    *,
    limit: int,
    offset: int = 0,
    following: bool = False,
) -> list[str]:
    """AccountSearchService: the account named in full (`user@thisdomain`) first, then matches
    by name. Every account is local: a query naming another domain names none. `resolve`
    changes nothing here (nothing is fetched from other servers)."""
    query = account_query(q)
    if not query.text or limit < 1:
        return []
    local = is_local(query.domain, svc.settings.urls)
    exact = query.username if local and offset == 0 and query.complete else None
    # Anonymous callers get no partial matches for short queries (MIN_QUERY_LENGTH).
    names_only = not local or (viewer_id is None and len(query.text) < MIN_ANONYMOUS_LENGTH)
    search = AccountSearch(
        query.username,
        viewer_id,
        limit,
        offset,
        following=following and viewer_id is not None,
        exact=exact,
        names_only=names_only,
    )
    return await svc.queries.search_accounts(search)


async def _resolve_url(svc: Services, q: str, viewer_id: int | None) -> dict[str, list[str]]:
    """ResolveURLService for this server's URLs: the status (if the viewer may see it) or the
    account a `url` or `uri` names."""
    resource = local_resource(q, svc.settings.urls)
    if resource is None:
        return {}
    if resource.kind == "statuses":
        found = await svc.queries.status(resource.status_id, viewer_id)
    else:
        found = await svc.queries.account_by_username(resource.username or "")
    return {} if found is None else {resource.kind: [found]}


async def _results(
    svc: Services, params: Params, q: str, viewer_id: int | None, limit: int
) -> dict[str, list[str]]:
    """SearchService#call: what each type of result holds (absent keys are empty)."""
    query = q.strip()
    kind = params.string("type") or None
    # The offset counts only in a search of one type.
    offset = _number(params, "offset") if kind else 0
    if limit == 0:
        return {}
    if params.boolean("resolve") and is_url(query):
        if offset > 0:
            return {}
        found = await _resolve_url(svc, query, viewer_id)
        return found if kind is None or kind in found else {}
    wanted = SEARCH_TYPES if kind is None else (kind,)  # an unknown type finds nothing
    results: dict[str, list[str]] = {}
    named = "@" in query
    if "accounts" in wanted and not (query.startswith("#") or (named and " " in query)):
        results["accounts"] = await find_accounts(
            svc,
            query,
            viewer_id,
            limit=limit,
            offset=offset,
            following=bool(params.boolean("following")),
        )
    plain_words = not ((query.startswith("#") or named) and " " not in query)
    if "statuses" in wanted and viewer_id is not None and plain_words:
        results["statuses"] = await svc.queries.search_statuses(
            _status_search(params, query, viewer_id, limit, offset)
        )
    if "hashtags" in wanted and not named:
        names = await svc.queries.search_tags(tag_prefix(query), limit, offset)
        user = viewer_id is not None  # the Tag entity's `following` is for users only
        results["hashtags"] = await svc.queries.tags(names, svc.settings.urls.tags, user)
    return results


def _status_search(
    params: Params, query: str, viewer_id: int, limit: int, offset: int
) -> StatusSearch:
    """`account_id` (a junk one names no account: no results), `min_id`, `max_id` (to_i)."""
    raw_account = params.string("account_id")
    account_id = parse_id(raw_account) if raw_account else None
    if raw_account and account_id is None:
        account_id = 0
    bounds = {name: _number(params, name) if params.string(name) else None for name in BOUNDS}
    return StatusSearch(clipped(query), viewer_id, limit, offset, account_id, **bounds)


async def search(request: Request) -> Response:
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    check_optional(viewer, READ_SEARCH)
    params = await read_params(request, svc.settings.max_body_bytes)
    q = params.string("q")
    if q is None or not q.strip():
        raise ApiError(400, MISSING_Q)
    viewer_id = viewer.account_id
    if viewer_id is None:
        if params.given("offset"):
            raise ApiError(401, ANONYMOUS_OFFSET)
        if params.boolean("resolve"):
            raise ApiError(401, ANONYMOUS_RESOLVE)
    _refuse_negative(params)
    results = await _results(svc, params, q, viewer_id, _limit(params, *SEARCH_PAGE))
    body = ",".join(f'"{name}":[{",".join(results.get(name, []))}]' for name in SEARCH_TYPES)
    return json_text("{" + body + "}")


async def account_search(request: Request) -> Response:
    svc = services(request)
    viewer_id = check_user(await resolve_viewer(request, svc.queries), READ_ACCOUNTS)
    params = await read_params(request, svc.settings.max_body_bytes)
    # Mastodon has no such check here (a negative offset reaches SQL and is a 500).
    _refuse_negative(params)
    found = await find_accounts(
        svc,
        params.string("q") or "",
        viewer_id,
        limit=_limit(params, *ACCOUNTS_PAGE),
        offset=_number(params, "offset"),
        following=bool(params.boolean("following")),
    )
    return json_text("[" + ",".join(found) + "]")


routes = [
    Route("/api/v2/search", search, methods=["GET"]),
    Route("/api/v1/accounts/search", account_search, methods=["GET"]),
]
