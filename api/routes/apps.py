"""POST /api/v1/apps and GET /api/v1/apps/verify_credentials (§8.1, §8.6)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.auth import resolve_viewer
from api.errors import REVOKED_TOKEN, ApiError, unauthorized
from api.params import Params, read_params
from api.responses import json_text
from api.services import services
from commands.oauth import register_app
from domain.errors import RecordNotFound
from domain.scopes import DEFAULT_SCOPES, parse_scopes


def redirect_uris_from(raw: Any) -> list[str]:
    """A newline-separated string or an array; blank entries vanish (Doorkeeper's split)."""
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    if any(isinstance(item, list | dict) for item in items):
        raise ApiError(422, "Validation failed: Redirect URI must be a valid URI.")
    return "\n".join(str(item) for item in items).split()


def scopes_from(params: Params) -> list[str]:
    """Space-separated scopes, default `read`. An array also means `read`: Mastodon permits
    only a scalar there (upstream bug #30152), and clients rely on neither."""
    raw = params.raw("scopes")
    if isinstance(raw, list | dict):
        return list(DEFAULT_SCOPES)
    return parse_scopes(params.string("scopes") or "") or list(DEFAULT_SCOPES)


async def create_app(request: Request) -> Response:
    svc = services(request)
    params = await read_params(request, svc.settings.max_body_bytes)
    registered = await svc.command(
        register_app,
        name=params.string("client_name") or "",
        redirect_uris=redirect_uris_from(params.raw("redirect_uris")),
        scopes=scopes_from(params),
        website=params.string("website") or None,
    )
    doc = await svc.queries.app(registered.id)
    if doc is None:  # cannot happen once the write is readable
        raise RecordNotFound
    credential = {
        **orjson.loads(doc),
        "client_id": registered.client_id,
        "client_secret": registered.client_secret,
        "client_secret_expires_at": 0,
    }
    return json_text(orjson.dumps(credential))


async def verify_app_credentials(request: Request) -> Response:
    """Any valid token, whatever its scopes, may read its app (never the secret)."""
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    if viewer.token is None:
        raise unauthorized()
    if viewer.token.revoked:
        raise unauthorized(REVOKED_TOKEN)
    doc = await svc.queries.app(viewer.token.app_id) if viewer.token.app_id else None
    if doc is None:  # a token from `tootlog tokens create` belongs to no app
        raise RecordNotFound
    return json_text(doc)


routes = [
    Route("/api/v1/apps", create_app, methods=["POST"]),
    Route("/api/v1/apps/verify_credentials", verify_app_credentials, methods=["GET"]),
]
