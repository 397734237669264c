"""/api/v1/statuses: publish, read, delete (§6.1, §6.6, §6.7), the actions on a status
(§6.8-§6.13), its context (§6.2) and who reblogged or favourited it (§6.4, §6.5)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.auth import Viewer, check_optional, check_user, resolve_viewer
from api.errors import ApiError
from api.pagination import list_page, page_from
from api.params import Params, read_params, refuse_unsupported
from api.responses import cacheable_for, json_text
from api.routes.polls import poll_draft
from api.routes.scheduled_statuses import schedule, scheduled_at_of
from api.services import Services, services
from commands import social
from commands import statuses as commands
from domain.errors import NotFound, RecordNotFound
from domain.ids import parse_id
from domain.scopes import (
    READ_ACCOUNTS,
    READ_STATUSES,
    WRITE_ACCOUNTS,
    WRITE_FAVOURITES,
    WRITE_STATUSES,
)
from domain.status import Draft

ACCOUNTS_PAGE = (40, 80)  # default and maximum `limit` of account lists (§5)
MAX_STATUSES_BY_ID = 20  # Mastodon's DEFAULT_STATUSES_LIMIT for GET /api/v1/statuses?id[]=
# Mastodon raises a Mastodon::ValidationError without a message there: its name is the answer.
TOO_MANY_IDS = "Mastodon::ValidationError"
# Mastodon's parameters that tootlog does not implement yet: refused, never silently dropped
# (a scheduled status would otherwise be published at once, a poll or quote lost).
NOT_YET_SUPPORTED = ("quoted_status_id",)
MAX_IDEMPOTENCY_KEY_BYTES = 255  # as Stripe's keys


def idempotency_key(request: Request) -> str | None:
    """The request's Idempotency-Key (None when blank), or a 422 when it is too long."""
    key = request.headers.get("idempotency-key") or None
    # Header values are decoded as Latin-1, one character per byte sent.
    if key is not None and len(key) > MAX_IDEMPOTENCY_KEY_BYTES:
        raise ApiError(
            422, f"Idempotency-Key is too long (maximum is {MAX_IDEMPOTENCY_KEY_BYTES} bytes)"
        )
    return key


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
        poll=poll_draft(params.nested("poll")),
    )


async def create_status(request: Request) -> Response:
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    author_id = check_user(viewer, WRITE_STATUSES)
    key = idempotency_key(request)
    params = await read_params(request, svc.settings.max_body_bytes)
    refuse_unsupported(params, NOT_YET_SUPPORTED)
    scheduling, at = scheduled_at_of(params)
    if scheduling:
        return await schedule(request, svc, viewer, params, draft_from(params), at, key)
    reply_raw = params.string("in_reply_to_id")
    async with svc.statuses_limit.place(author_id) as place:
        written = await svc.command(
            commands.publish,
            svc.publishing,
            author=viewer.as_author(),
            draft=draft_from(params),
            in_reply_to_id=parse_id(reply_raw),
            reply_target_given=bool(reply_raw),
            idempotency_key=key,
            recent_keys=svc.recent_keys,
            application=viewer.token.application if viewer.token else None,
        )
        place.recorded = written.created
    doc = await svc.written_statuses.status(written.id, author_id)
    if doc is None:  # deleted by a concurrent request after we published it
        raise RecordNotFound
    return svc.statuses_limit.answer(json_text(doc), place)


async def statuses_by_id(request: Request) -> Response:
    """Mastodon 4.3's StatusesController#index: the statuses named by `id[]`, in the order
    asked, each once; missing and invisible ones left out; one query."""
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    check_optional(viewer, READ_STATUSES)
    params = await read_params(request, svc.settings.max_body_bytes)
    ids = list(dict.fromkeys(params.id_list("id")))
    if len(ids) > MAX_STATUSES_BY_ID:
        raise ApiError(422, TOO_MANY_IDS)
    found = await svc.queries.statuses(ids, viewer.account_id) if ids else {}
    body = ",".join(found[status_id] for status_id in ids if status_id in found)
    return json_text(f"[{body}]", public=cacheable_for(viewer))


async def visible_status(request: Request) -> tuple[Viewer, str]:
    """The status in the path as the caller sees it (JSON text), after the scope check; 404
    when it is missing or invisible (§6.1)."""
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    check_optional(viewer, READ_STATUSES)
    status_id = parse_id(request.path_params["id"])
    doc = await svc.queries.status(status_id, viewer.account_id) if status_id else None
    if doc is None:
        raise NotFound
    return viewer, doc


async def show_status(request: Request) -> Response:
    viewer, doc = await visible_status(request)
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
        storage=svc.media_storage,
    )
    if before is None:  # published so recently that the read model had not caught up
        before = await svc.queries.status_as_deleted(status_id, account_id, include_deleted=True)
    return json_text(before or "{}")


async def show_context(request: Request) -> Response:
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    check_optional(viewer, READ_STATUSES)
    status_id = parse_id(request.path_params["id"])
    viewer_id = viewer.account_id
    doc = await svc.queries.context(status_id, viewer_id, user=viewer_id is not None)
    if doc is None:
        raise NotFound
    return json_text(doc, public=cacheable_for(viewer))


def _known_viewer_id(viewer: Viewer) -> int | None:
    """Who the 404-first checks see: the user of a valid token, else anonymous."""
    if viewer.token is None or viewer.token.revoked:
        return None
    return viewer.account_id


async def load_visible_status(request: Request, svc: Services) -> tuple[Viewer, int]:
    """For endpoints that answer 404 for a missing or invisible status before checking auth."""
    viewer = await resolve_viewer(request, svc.queries)
    status_id = parse_id(request.path_params["id"])
    if not await svc.queries.visible(status_id, _known_viewer_id(viewer)):
        raise NotFound
    return viewer, status_id


async def _accounts_page(request: Request, lister) -> Response:  # noqa: ANN001
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    params = await read_params(request, svc.settings.max_body_bytes)
    page = page_from(params, *ACCOUNTS_PAGE)
    # The visibility check (404) runs before the scope check, in the page's own statement.
    status_id = parse_id(request.path_params["id"])
    accounts = await lister(svc.queries, status_id, _known_viewer_id(viewer), page)
    if accounts is None:
        raise NotFound
    check_optional(viewer, READ_ACCOUNTS)
    return list_page(
        request, params, page, accounts.cursors, accounts.body, public=cacheable_for(viewer)
    )


async def reblogged_by(request: Request) -> Response:
    return await _accounts_page(request, lambda q, sid, vid, page: q.reblogged_by(sid, vid, page))


async def favourited_by(request: Request) -> Response:
    return await _accounts_page(request, lambda q, sid, vid, page: q.favourited_by(sid, vid, page))


async def _act(
    request: Request,
    svc: Services,
    account_id: int,
    command,  # noqa: ANN001
    *,
    render: Callable[[int, int], Awaitable[str | None]] | None = None,
    **kwargs,
) -> Response:
    """Run an action on the status in the path and answer with the status it names, rendered
    by `render` (default: as the caller sees it now)."""
    status_id = parse_id(request.path_params["id"])
    written = await svc.command(command, account_id=account_id, status_id=status_id, **kwargs)
    doc = await (render or svc.queries.status)(written.id, account_id)
    if doc is None:  # deleted or hidden by a concurrent request after the action
        raise NotFound
    return json_text(doc)


async def reblog(request: Request) -> Response:
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    account_id = check_user(viewer, WRITE_STATUSES)
    params = await read_params(request, svc.settings.max_body_bytes)
    return await _act(
        request,
        svc,
        account_id,
        social.reblog,
        render=svc.queries.status_reblogged,
        default_visibility=viewer.as_author().default_visibility,
        visibility=params.string("visibility") or None,
    )


def status_action(
    command,  # noqa: ANN001
    scopes: tuple[str, ...],
    *,
    visible_first: bool = False,
    undone: str | None = None,
):  # noqa: ANN202
    """A POST /api/v1/statuses/:id/<action> handler. `visible_first`: 404 for a missing or
    invisible status comes before the token checks (§6.10, §6.12); `undone`: the flag an undo
    answers with false, without a visibility check (§6.9, §6.11)."""

    async def handler(request: Request) -> Response:
        svc = services(request)
        if visible_first:
            viewer, _ = await load_visible_status(request, svc)
        else:
            viewer = await resolve_viewer(request, svc.queries)
        account_id = check_user(viewer, scopes)
        render = partial(svc.queries.status_undone, flag=undone) if undone else None
        return await _act(request, svc, account_id, command, render=render)

    return handler


unreblog = status_action(social.unreblog, WRITE_STATUSES, undone="reblogged")
favourite = status_action(social.favourite, WRITE_FAVOURITES, visible_first=True)
unfavourite = status_action(social.unfavourite, WRITE_FAVOURITES, undone="favourited")
pin = status_action(social.pin, WRITE_ACCOUNTS, visible_first=True)
unpin = status_action(social.unpin, WRITE_ACCOUNTS, visible_first=True)


routes = [
    Route("/api/v1/statuses", create_status, methods=["POST"]),
    Route("/api/v1/statuses", statuses_by_id, methods=["GET"]),
    Route("/api/v1/statuses/{id}", show_status, methods=["GET"]),
    Route("/api/v1/statuses/{id}", delete_status, methods=["DELETE"]),
    Route("/api/v1/statuses/{id}/context", show_context, methods=["GET"]),
    Route("/api/v1/statuses/{id}/reblogged_by", reblogged_by, methods=["GET"]),
    Route("/api/v1/statuses/{id}/favourited_by", favourited_by, methods=["GET"]),
    Route("/api/v1/statuses/{id}/reblog", reblog, methods=["POST"]),
    Route("/api/v1/statuses/{id}/unreblog", unreblog, methods=["POST"]),
    Route("/api/v1/statuses/{id}/favourite", favourite, methods=["POST"]),
    Route("/api/v1/statuses/{id}/unfavourite", unfavourite, methods=["POST"]),
    Route("/api/v1/statuses/{id}/pin", pin, methods=["POST"]),
    Route("/api/v1/statuses/{id}/unpin", unpin, methods=["POST"]),
]
