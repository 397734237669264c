"""GET /api/v1/statuses/:id/card (§6.3): the legacy card route, as Mastodon 2.9 answered it."""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.responses import cacheable_for, json_text
from api.routes.statuses import visible_status


async def show_card(request: Request) -> Response:
    """The status's card, `{}` while it has none; scopes and 404s exactly as GET status."""
    viewer, doc = await visible_status(request)
    card = orjson.loads(doc).get("card")
    return json_text(orjson.dumps(card or {}), public=cacheable_for(viewer))


routes = [Route("/api/v1/statuses/{id}/card", show_card, methods=["GET"])]
