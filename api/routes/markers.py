"""GET and POST /api/v1/markers: where the viewer stopped reading its home timeline and its
notifications (Mastodon 3.0's Marker), shared by all its clients."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.auth import check_user, resolve_viewer
from api.errors import ApiError
from api.params import read_params
from api.responses import json_text
from api.services import services
from commands.markers import set_markers
from domain.ids import parse_id
from domain.marker import TIMELINES
from domain.scopes import READ_STATUSES, WRITE_STATUSES

BLANK = "Validation failed: Last read can't be blank"


async def show_markers(request: Request) -> Response:
    """The markers of the timelines named by `timeline` (one, or `timeline[]`); none named or
    none saved gives `{}`, as Mastodon."""
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    account_id = check_user(viewer, READ_STATUSES)
    params = await read_params(request, svc.settings.max_body_bytes)
    named = params.raw("timeline")
    wanted = named if isinstance(named, list) else [named]
    timelines = [t for t in TIMELINES if t in wanted]
    return json_text(await svc.queries.markers(account_id, timelines))


async def save_markers(request: Request) -> Response:
    """`home[last_read_id]` and/or `notifications[last_read_id]`; answers with the markers
    saved."""
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    account_id = check_user(viewer, WRITE_STATUSES)
    params = await read_params(request, svc.settings.max_body_bytes)
    positions: dict[str, int] = {}
    for timeline in TIMELINES:
        raw = params.nested(timeline, "last_read_id")
        if raw is None:
            continue
        last_read_id = parse_id(raw)
        if last_read_id is None:  # blank, or no id at all
            raise ApiError(422, BLANK)
        positions[timeline] = last_read_id
    if positions:
        await svc.command(set_markers, account_id=account_id, positions=positions)
    return json_text(await svc.queries.markers(account_id, list(positions)))


routes = [
    Route("/api/v1/markers", show_markers, methods=["GET"]),
    Route("/api/v1/markers", save_markers, methods=["POST"]),
]
