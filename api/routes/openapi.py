"""GET /openapi.json: the description of every route, for anyone, cacheable."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.openapi import openapi_json
from api.responses import JSON
from api.services import services

# The document changes only when the server is upgraded or reconfigured; the ETag says when.
CACHE_CONTROL = "public, max-age=300"


@lru_cache(maxsize=4)
def _document(base_url: str, version: str) -> tuple[bytes, str]:
    body = openapi_json(base_url, version)
    return body, f'"{hashlib.sha256(body).hexdigest()[:32]}"'


async def openapi_document(request: Request) -> Response:
    settings = services(request).settings
    body, etag = _document(settings.urls.base, settings.version)
    headers = {"Cache-Control": CACHE_CONTROL, "ETag": etag}
    if _matches(request.headers.get("if-none-match", ""), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=JSON, headers=headers)


def _matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 §13.1.2: `*` or any listed tag, weakly compared."""
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


routes = [Route("/openapi.json", openapi_document, methods=["GET"])]
