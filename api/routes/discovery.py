"""What clients find without asking the API proper: the OAuth server's metadata (RFC 8414), the
default avatar and header every account points at, and the e-mail confirmation endpoint (every
tootlog account is confirmed when it is made)."""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.auth import check_user, resolve_viewer
from api.errors import ApiError
from api.services import services
from domain.scopes import VALID_SCOPES, WRITE_ACCOUNTS

# Mastodon's answer to a confirmed user (its require_user_not_confirmed! check).
ALREADY_CONFIRMED = "This method is only available while the e-mail is awaiting confirmation"
AVATAR_PATH = "/avatars/original/missing.png"
HEADER_PATH = "/headers/original/missing.png"


async def authorization_server(request: Request) -> Response:
    """RFC 8414 metadata, as Mastodon 4.3 serves it, listing the password grant too: clients
    that read it (Mastodon.py, new apps) then keep logging in with an e-mail and password.

    Only when the server's public URLs are https: clients that read the metadata refuse http
    OAuth endpoints (Mastodon.py unless told `allow_http`), while without it they use
    /oauth/token directly, so a server on plain http (a developer's) serves none.
    """
    urls = services(request).settings.urls
    if urls.scheme != "https":
        raise ApiError(404, "Not Found")
    base = urls.base
    return JSONResponse(
        {
            "issuer": f"{base}/",
            "service_documentation": "https://docs.joinmastodon.org/",
            "authorization_endpoint": f"{base}/oauth/authorize",
            "token_endpoint": f"{base}/oauth/token",
            "app_registration_endpoint": f"{base}/api/v1/apps",
            "revocation_endpoint": f"{base}/oauth/revoke",
            "scopes_supported": sorted(VALID_SCOPES),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": ["authorization_code", "password", "client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }
    )


@lru_cache(maxsize=2)
def _placeholder(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG", optimize=True)
    return out.getvalue()


def _png(body: bytes) -> Response:
    headers = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}
    return Response(body, media_type="image/png", headers=headers)


async def default_avatar(request: Request) -> Response:
    return _png(_placeholder(120, 120, (0x60, 0x63, 0x84)))


async def default_header(request: Request) -> Response:
    return _png(_placeholder(1500, 500, (0x31, 0x34, 0x48)))


async def resend_confirmation(request: Request) -> Response:
    """POST /api/v1/emails/confirmations: as Mastodon answers a user whose e-mail address is
    confirmed (tootlog has no e-mail confirmation: accounts can post at once)."""
    viewer = await resolve_viewer(request, services(request).queries)
    check_user(viewer, WRITE_ACCOUNTS)
    raise ApiError(403, ALREADY_CONFIRMED)


routes = [
    Route("/.well-known/oauth-authorization-server", authorization_server, methods=["GET"]),
    Route(AVATAR_PATH, default_avatar, methods=["GET"]),
    Route(HEADER_PATH, default_header, methods=["GET"]),
    Route("/api/v1/emails/confirmations", resend_confirmation, methods=["POST"]),
]
