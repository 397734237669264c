"""JSON answers built from JSON text that PostgreSQL already assembled."""

from __future__ import annotations

import orjson
from starlette.responses import Response

from api.auth import Viewer
from commands.oauth import IssuedToken

JSON = "application/json; charset=utf-8"
PUBLIC_CACHE = "public, max-age=15, stale-while-revalidate=30, stale-if-error=86400"
PRIVATE_CACHE = "private, no-store"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def json_text(
    text: str | bytes,
    *,
    status: int = 200,
    public: bool = False,
    headers: dict[str, str] | None = None,
) -> Response:
    """A JSON response; `public` marks the anonymous GETs Mastodon lets caches keep (§1.6);
    `headers` are added (a list's `Link`)."""
    body = text.encode() if isinstance(text, str) else text
    return Response(
        body,
        status_code=status,
        media_type=JSON,
        headers={
            "Cache-Control": PUBLIC_CACHE if public else PRIVATE_CACHE,
            "Vary": "Authorization",
            **(headers or {}),
        },
    )


def cacheable_for(viewer: Viewer) -> bool:
    return viewer.token is None


def token_response(issued: IssuedToken) -> Response:
    """Doorkeeper's token body: every granted scope, no expiry, no refresh token."""
    body = {
        "access_token": issued.token,
        "token_type": "Bearer",
        "scope": " ".join(issued.scopes),
        "created_at": issued.created_at,
    }
    return Response(orjson.dumps(body), headers=NO_STORE, media_type=JSON)
