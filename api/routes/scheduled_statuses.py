"""/api/v1/scheduled_statuses (Api::V1::ScheduledStatusesController), and what POST
/api/v1/statuses does with a `scheduled_at` in the future."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.auth import Viewer, check_user, resolve_viewer
from api.pagination import list_page, page_from
from api.params import Params, read_params
from api.responses import json_text
from api.routes.polls import permitted_poll
from api.services import Services, services
from commands import scheduled as commands
from domain.errors import RecordNotFound
from domain.ids import parse_id
from domain.scheduled import RecordInvalid, parse_scheduled_at
from domain.scopes import READ_STATUSES, WRITE_STATUSES
from domain.status import Draft

STATUSES_PAGE = (20, 40)  # DEFAULT_STATUSES_LIMIT and its maximum


def scheduled_at_of(params: Params) -> tuple[bool, float | None]:
    """(whether the request schedules, when): `scheduled_at` given and not in the past
    (PostStatusService publishes at once one whose time has passed); None when it is not a
    time at all (422 `Record invalid`, after the media checks)."""
    if not params.given("scheduled_at"):
        return False, None
    try:
        at = parse_scheduled_at(params.raw("scheduled_at"))
    except RecordInvalid:
        return True, None
    if at is None or at <= time.time():
        return False, None
    return True, at


def mastodon_params(params: Params) -> dict:
    """ScheduledStatus#params as Mastodon stores them: what the client sent, as sent
    (`in_reply_to_id` is filled in by the command with the status replied to)."""

    def scalar(name: str) -> object:
        value = params.raw(name)
        return None if isinstance(value, list | dict) else value

    media_ids = params.raw("media_ids")
    if isinstance(media_ids, dict) or media_ids == "":
        media_ids = None
    elif media_ids is not None and not isinstance(media_ids, list):
        media_ids = [media_ids]  # one id sent without `[]`, which the parser accepts too
    return {
        "poll": permitted_poll(params.nested("poll")),
        "text": scalar("status"),
        "language": scalar("language"),
        "media_ids": media_ids,
        "sensitive": scalar("sensitive"),
        "visibility": scalar("visibility"),
        "idempotency": None,
        "scheduled_at": None,
        "spoiler_text": scalar("spoiler_text"),
        "in_reply_to_id": None,
        "with_rate_limit": False,
    }


def request_values(stored: dict) -> Params:
    """A scheduled entry's params as the request parameters they came from (for the one
    parser that turns parameters into a Draft)."""
    names = ("media_ids", "sensitive", "spoiler_text", "visibility", "language", "poll")
    values = {name: stored[name] for name in names if stored.get(name) is not None}
    if stored.get("text") is not None:
        values["status"] = stored["text"]
    return Params(values)


async def schedule(
    request: Request,
    svc: Services,
    viewer: Viewer,
    params: Params,
    draft: Draft,
    at: float | None,
    key: str | None,
) -> Response:
    """POST /api/v1/statuses with a future `scheduled_at`: the ScheduledStatus."""
    author_id = viewer.account_id
    assert author_id is not None
    reply_raw = params.string("in_reply_to_id")
    written = await svc.command(
        commands.schedule,
        svc.publishing,
        author=viewer.as_author(),
        draft=draft,
        params=mastodon_params(params),
        scheduled_at=at,
        in_reply_to_id=parse_id(reply_raw),
        reply_target_given=bool(reply_raw),
        idempotency_key=key,
        application=viewer.token.application if viewer.token else None,
        min_offset=svc.settings.schedule_min_offset,
    )
    doc = await svc.queries.scheduled_status(written.id, author_id)
    if doc is None:  # published or cancelled meanwhile
        raise RecordNotFound
    return json_text(doc)


async def list_scheduled(request: Request) -> Response:
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    account_id = check_user(viewer, READ_STATUSES)
    params = await read_params(request, svc.settings.max_body_bytes)
    page = page_from(params, *STATUSES_PAGE)
    found = await svc.queries.scheduled_statuses(account_id, page) if page.limit else []
    cursors = [entry_id for entry_id, _ in found]
    body = "[" + ",".join(doc for _, doc in found) + "]"
    return list_page(request, params, page, cursors, body, prev_cursor="min_id")


async def _own(request: Request, scopes: tuple[str, ...]) -> tuple[Services, int, int | None]:
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    account_id = check_user(viewer, scopes)
    return svc, account_id, parse_id(request.path_params["id"])


async def show_scheduled(request: Request) -> Response:
    svc, account_id, entry_id = await _own(request, READ_STATUSES)
    doc = await svc.queries.scheduled_status(entry_id, account_id)
    if doc is None:
        raise RecordNotFound
    return json_text(doc)


async def update_scheduled(request: Request) -> Response:
    """Only `scheduled_at` changes (absent: nothing does); ScheduledStatus's validations."""
    svc, account_id, entry_id = await _own(request, WRITE_STATUSES)
    params = await read_params(request, svc.settings.max_body_bytes)
    if params.raw("scheduled_at") is None:
        doc = await svc.queries.scheduled_status(entry_id, account_id)
        if doc is None:
            raise RecordNotFound
        return json_text(doc)
    try:
        at = parse_scheduled_at(params.raw("scheduled_at"))
    except RecordInvalid:
        at = None
    written = await svc.command(
        commands.reschedule,
        account_id=account_id,
        entry_id=entry_id,
        scheduled_at=at,
        min_offset=svc.settings.schedule_min_offset,
    )
    doc = await svc.queries.scheduled_status(written.id, account_id)
    if doc is None:
        raise RecordNotFound
    return json_text(doc)


async def delete_scheduled(request: Request) -> Response:
    svc, account_id, entry_id = await _own(request, WRITE_STATUSES)
    await svc.command(commands.cancel, account_id=account_id, entry_id=entry_id)
    return json_text("{}")


routes = [
    Route("/api/v1/scheduled_statuses", list_scheduled, methods=["GET"]),
    Route("/api/v1/scheduled_statuses/{id}", show_scheduled, methods=["GET"]),
    Route("/api/v1/scheduled_statuses/{id}", update_scheduled, methods=["PUT"]),
    Route("/api/v1/scheduled_statuses/{id}", delete_scheduled, methods=["DELETE"]),
]
