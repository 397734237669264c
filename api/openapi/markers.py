"""Operations on /api/v1/markers (Mastodon 3.0's read positions)."""

from __future__ import annotations

from api.openapi.parts import (
    STRING,
    Schema,
    any_scope_of,
    array_query,
    closed,
    errors,
    ok,
    operation,
)
from domain.marker import TIMELINES
from domain.scopes import READ_STATUSES, WRITE_STATUSES

TAG = "markers"
MARKER = closed(
    {
        "last_read_id": STRING,
        "version": {"type": "integer", "minimum": 1},
        "updated_at": {"type": "string", "format": "date-time"},
    }
)
MARKERS = {
    "type": "object",
    "properties": dict.fromkeys(TIMELINES, MARKER),
    "additionalProperties": False,
}
_POSITION = {
    "type": "object",
    "properties": {"last_read_id": {**STRING, "description": "The id last read."}},
}


def _body() -> Schema:
    form = {f"{timeline}[last_read_id]": STRING for timeline in TIMELINES}
    json = dict.fromkeys(TIMELINES, _POSITION)
    return {
        "required": False,
        "content": {
            "application/json": {"schema": {"type": "object", "properties": json}},
            "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": form}},
        },
    }


PATHS: dict[str, dict[str, Schema]] = {
    "/api/v1/markers": {
        "get": operation(
            "getMarkers",
            "Where the viewer stopped reading",
            tag=TAG,
            security=any_scope_of(READ_STATUSES),
            parameters=[
                array_query(
                    "timeline",
                    STRING,
                    "`home` and/or `notifications` (or `timeline=` for one); other names are "
                    "ignored.",
                )
            ],
            responses={
                **ok(MARKERS, "The saved markers of the timelines asked for ({} for none)."),
                **errors(400, 401, 403, 413, 422),
            },
        ),
        "post": operation(
            "saveMarkers",
            "Save where the viewer stopped reading",
            tag=TAG,
            security=any_scope_of(WRITE_STATUSES),
            body=_body(),
            responses={
                **ok(MARKERS, "The markers saved, each with its new version."),
                **errors(400, 401, 403, 413, 422, 503),
            },
            description="Each marker's version counts its changes; saving the same id again "
            "changes nothing. Two devices saving at once both succeed, one after the other "
            "(Mastodon answers one of them 409).",
        ),
    }
}
