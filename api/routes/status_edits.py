"""Status edits: PUT /api/v1/statuses/:id, GET /api/v1/statuses/:id/history and /source
(§6.16-§6.18 of docs/mastodon-api.md)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.auth import check_optional, check_token, check_user, resolve_viewer
from api.errors import ApiError
from api.params import Params, read_params
from api.responses import cacheable_for, json_text
from api.routes.statuses import draft_from, load_visible_status
from api.services import services
from commands.status_edits import MediaAttributes, edit
from domain.errors import NotFound, RecordNotFound
from domain.ids import parse_id
from domain.scopes import READ_STATUSES, WRITE_STATUSES

# `scheduled_at`, `visibility` and `in_reply_to_id` Mastodon ignores on PUT; a new preview per
# attachment (`media_attributes[][thumbnail]`) is refused rather than dropped.
MEDIA_KEYS = ("id", "description", "focus", "thumbnail")


def media_attributes(params: Params) -> list[MediaAttributes]:
    """`media_attributes[]`: the alt text and focus of attachments, by id."""
    attributes = []
    for item in params.hash_list("media_attributes", MEDIA_KEYS):
        if item.get("thumbnail") not in (None, ""):
            raise ApiError(422, "media_attributes thumbnail is not supported by this server yet")
        description = item.get("description")
        if isinstance(description, list | dict):
            raise ApiError(422, "Validation failed: description must be a string")
        raw_id = item.get("id")
        media_id = parse_id(raw_id if isinstance(raw_id, int) else str(raw_id)) or 0
        attributes.append(
            MediaAttributes(
                media_id,
                None if description is None else str(description),
                item.get("focus"),
            )
        )
    return attributes


async def update_status(request: Request) -> Response:
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    account_id = check_user(viewer, WRITE_STATUSES)
    status_id = parse_id(request.path_params["id"])
    if status_id is None:
        raise RecordNotFound
    params = await read_params(request, svc.settings.max_body_bytes)
    # Edits count toward the statuses family.
    async with svc.statuses_limit.place(account_id) as place:
        written = await svc.command(
            edit,
            svc.publishing,
            account_id=account_id,
            status_id=status_id,
            draft=draft_from(params),
            media_attributes=media_attributes(params),
        )
        place.recorded = written.created
    doc = await svc.queries.status(written.id, account_id)
    if doc is None:  # deleted by a concurrent request after the edit
        raise RecordNotFound
    return svc.statuses_limit.answer(json_text(doc), place)


async def status_history(request: Request) -> Response:
    svc = services(request)
    # 404 for a missing or invisible status comes first (the base controller's set_status).
    viewer, status_id = await load_visible_status(request, svc)
    check_optional(viewer, READ_STATUSES)
    body = await svc.queries.history(status_id, svc.settings.urls)
    return json_text(body, public=cacheable_for(viewer))


async def status_source(request: Request) -> Response:
    svc = services(request)
    viewer, status_id = await load_visible_status(request, svc)
    check_token(viewer, READ_STATUSES)
    body = await svc.queries.source(status_id)
    if body is None:  # deleted since the check
        raise NotFound
    return json_text(body)


routes = [
    Route("/api/v1/statuses/{id}", update_status, methods=["PUT"]),
    Route("/api/v1/statuses/{id}/history", status_history, methods=["GET"]),
    Route("/api/v1/statuses/{id}/source", status_source, methods=["GET"]),
]
