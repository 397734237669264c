"""/api/v1/polls: a poll as the viewer sees it, and voting (Api::V1::PollsController,
Api::V1::Polls::VotesController)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.auth import check_optional, check_user, resolve_viewer
from api.params import rails_bool, read_params
from api.responses import json_text
from api.services import services
from commands import polls as commands
from domain.errors import NotFound
from domain.ids import parse_id
from domain.poll import PollDraft
from domain.scopes import READ_STATUSES, WRITE_STATUSES


async def show_poll(request: Request) -> Response:
    """Optional token (read:statuses); 404 when missing or its status is invisible."""
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    check_optional(viewer, READ_STATUSES)
    doc = await svc.queries.poll(parse_id(request.path_params["id"]), viewer.account_id)
    if doc is None:
        raise NotFound
    return json_text(doc)  # never cached: counts change and Mastodon does not cache it


def permitted_poll(raw: dict | None) -> dict | None:
    """`poll[...]` as Rails permits it (`options: []`, `expires_in`, `multiple`,
    `hide_totals`), values as sent; None when nothing permitted is left (`poll.present?`)."""
    if not raw:
        return None
    permitted: dict = {}
    options = raw.get("options")
    if isinstance(options, list):
        permitted["options"] = [item for item in options if not isinstance(item, list | dict)]
    for name in ("expires_in", "multiple", "hide_totals"):
        if name in raw and not isinstance(raw[name], list | dict):
            permitted[name] = raw[name]
    return permitted or None


def poll_draft(raw: dict | None) -> PollDraft | None:
    """The poll a request asks for (see permitted_poll), or None."""
    permitted = permitted_poll(raw)
    if permitted is None:
        return None
    return PollDraft(
        options=[_scalar_text(item) for item in permitted.get("options", [])],
        expires_in=permitted.get("expires_in"),
        multiple=rails_bool(permitted.get("multiple")),
        hide_totals=rails_bool(permitted.get("hide_totals")),
    )


def _scalar_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _choices(raw: object) -> list[object]:
    """`choices[]` (or a JSON array); one scalar counts as one choice, a hash as none."""
    if raw is None or raw == "" or isinstance(raw, dict):
        return []
    items = raw if isinstance(raw, list) else [raw]
    return [item for item in items if not isinstance(item, list | dict)]


async def vote(request: Request) -> Response:
    """write:statuses and a user; 404 for an invisible poll; VoteValidator's 422s."""
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    account_id = check_user(viewer, WRITE_STATUSES)
    params = await read_params(request, svc.settings.max_body_bytes)
    written = await svc.command(
        commands.vote,
        account_id=account_id,
        poll_id=parse_id(request.path_params["id"]),
        choices=_choices(params.raw("choices")),
    )
    doc = await svc.queries.poll(written.id, account_id)
    if doc is None:  # its status was deleted or hidden meanwhile
        raise NotFound
    return json_text(doc)


routes = [
    Route("/api/v1/polls/{id}", show_poll, methods=["GET"]),
    Route("/api/v1/polls/{id}/votes", vote, methods=["POST"]),
]
