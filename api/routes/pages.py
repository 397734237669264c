"""The HTML pages behind the URLs the API gives out (api/public_pages.py renders them): a
status's `url` (/@username/ID), an account's `url` (/@username) and the front page (/)."""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.public_pages import front_page, not_found_page, profile_page, status_page
from api.services import services
from domain.ids import parse_id
from projections.pages import Page

PROFILE_STATUSES = 20


async def front(request: Request) -> Response:
    svc = services(request)
    stats = await svc.queries.instance_stats()
    return front_page(
        svc.settings.title, svc.settings.urls.base, stats.user_count, stats.status_count
    )


async def profile(request: Request) -> Response:
    svc = services(request)
    account = await svc.queries.account_by_username(request.path_params["username"])
    if account is None:
        return not_found_page()
    account_id = int(orjson.loads(account)["id"])
    items = await svc.queries.account_statuses(account_id, None, Page(limit=PROFILE_STATUSES))
    return profile_page(account, [doc for _, doc in items])


async def status(request: Request) -> Response:
    """A status as an anonymous GET /api/v1/statuses/:id sees it, with its thread as the
    anonymous context; 404 when the API would answer 404, or the id is another author's."""
    svc = services(request)
    status_id = parse_id(request.path_params["id"])
    doc = await svc.queries.status(status_id, None) if status_id else None
    if doc is None:
        return not_found_page()
    username = request.path_params["username"]
    if orjson.loads(doc)["account"]["username"].lower() != username.lower():
        return not_found_page()
    context = await svc.queries.context(status_id, None, False)
    return status_page(doc, context or b'{"ancestors":[],"descendants":[]}')


routes = [
    Route("/", front, methods=["GET"]),
    Route("/@{username}", profile, methods=["GET"]),
    Route("/@{username}/{id}", status, methods=["GET"]),
]
