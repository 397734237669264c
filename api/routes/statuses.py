"""POST/GET/DELETE /api/v1/statuses (§6.1, §6.6, §6.7)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.auth import check_optional, check_user, resolve_viewer
from api.params import Params, read_params
from api.responses import cacheable_for, json_text
from api.services import services
from commands import statuses as commands
from domain.errors import NotFound, RecordNotFound
from domain.ids import parse_id
from domain.scopes import READ_STATUSES, WRITE_STATUSES
from domain.status import Draft


def draft_from(params: Params) -> Draft:
    sensitive_raw = params.raw("sensitive")
    return Draft(
        text=params.string("status") or "",
        spoiler_text=params.string("spoiler_text") or "",
        sensitive=params.boolean("sensitive"),
        # Ruby treats a string (or JSON number) as truthy before casting it; JSON booleans are not.
        sensitive_from_text=not isinstance(sensitive_raw, bool | None) and sensitive_raw != "",
        visibility=params.string("visibility") or None,
        language=params.string("language") or None,
        media_ids=params.id_list("media_ids"),
    )


async def create_status(request: Request) -> Response:
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    author_id = check_user(viewer, WRITE_STATUSES)
    params = await read_params(request, svc.settings.max_body_bytes)
    reply_raw = params.string("in_reply_to_id")
    written = await svc.command(
        commands.publish,
        svc.publishing,
        author=viewer.as_author(),
        draft=draft_from(params),
        in_reply_to_id=parse_id(reply_raw),
        reply_target_given=bool(reply_raw),
        idempotency_key=request.headers.get("idempotency-key") or None,
    )
    doc = await svc.written_statuses.status(written.id, author_id)
    if doc is None:  # deleted by a concurrent request after we published it
        raise RecordNotFound
    return json_text(doc)


async def show_status(request: Request) -> Response:
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    check_optional(viewer, READ_STATUSES)
    status_id = parse_id(request.path_params["id"])
    doc = await svc.queries.status(status_id, viewer.account_id) if status_id else None
    if doc is None:
        raise NotFound
    return json_text(doc, public=cacheable_for(viewer))


async def delete_status(request: Request) -> Response:
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    account_id = check_user(viewer, WRITE_STATUSES)
    status_id = parse_id(request.path_params["id"])
    if status_id is None:
        raise RecordNotFound
    params = await read_params(request, svc.settings.max_body_bytes)
    # Mastodon answers with the status as it was before deletion (counts included).
    before = await svc.queries.status_as_deleted(status_id, account_id)
    await svc.command(
        commands.delete,
        account_id=account_id,
        status_id=status_id,
        delete_media=bool(params.boolean("delete_media")),
    )
    if before is None:  # published so recently that the read model had not caught up
        before = await svc.queries.status_as_deleted(status_id, account_id, include_deleted=True)
    return json_text(before or "{}")


routes = [
    Route("/api/v1/statuses", create_status, methods=["POST"]),
    Route("/api/v1/statuses/{id}", show_status, methods=["GET"]),
    Route("/api/v1/statuses/{id}", delete_status, methods=["DELETE"]),
]
