"""Operations on media: uploads, reading and updating one, and the stored files (§8.8)."""

from __future__ import annotations

from api.openapi.parts import (
    BINARY,
    Schema,
    any_scope_of,
    errors,
    form_or_json,
    headers,
    ok,
    operation,
    parameter,
    ref,
    with_multipart,
)
from commands.storage import EXTENSIONS, KEY_RE
from domain.media import DESCRIPTION_LIMIT, SUPPORTED_MIME_TYPES
from domain.scopes import WRITE_MEDIA
from domain.urls import MEDIA_PATH

TAG = "media"
MEDIA = ref("MediaAttachment")
_DESCRIPTION = {"type": "string", "maxLength": DESCRIPTION_LIMIT, "description": "Alt text."}
_FOCUS = {"type": "string", "description": '"x,y", both between -1.0 and 1.0.'}


def _upload(operation_id: str, summary: str) -> Schema:
    return operation(
        operation_id,
        summary,
        tag=TAG,
        security=any_scope_of(WRITE_MEDIA),
        body={
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": BINARY,
                            "thumbnail": BINARY,
                            "description": _DESCRIPTION,
                            "focus": _FOCUS,
                        },
                        "required": ["file"],
                    }
                }
            },
        },
        responses={
            **ok(MEDIA, "The processed upload, `url` set (processing is synchronous)."),
            **errors(400, 401, 403, 413, 422, 503),
        },
        description=f"Images: {', '.join(SUPPORTED_MIME_TYPES)}. The file is verified and "
        "re-encoded; 422 when it is missing or not a supported image.",
    )


PATHS: dict[str, dict[str, Schema]] = {
    "/api/v1/media": {"post": _upload("uploadMediaV1", "Upload a file (v1)")},
    "/api/v2/media": {"post": _upload("uploadMedia", "Upload a file")},
    "/api/v1/media/{id}": {
        "get": operation(
            "getMedia",
            "One of the viewer's unattached uploads",
            tag=TAG,
            security=any_scope_of(WRITE_MEDIA),
            parameters=[parameter("Id")],
            responses={**ok(MEDIA, "The upload."), **errors(401, 403, 404, 422)},
            description="Media attached to a status, or someone else's, are 404.",
        ),
        "put": operation(
            "updateMedia",
            "Change the alt text, focus or preview of an unattached upload",
            tag=TAG,
            security=any_scope_of(WRITE_MEDIA),
            parameters=[parameter("Id")],
            body=with_multipart(
                form_or_json({"description": _DESCRIPTION, "focus": _FOCUS}),
                {"thumbnail": BINARY, "description": _DESCRIPTION, "focus": _FOCUS},
            ),
            responses={
                **ok(MEDIA, "The upload as it is now."),
                **errors(400, 401, 403, 404, 413, 422, 503),
            },
        ),
    },
    MEDIA_PATH + "/{key}": {
        "get": operation(
            "getMediaFile",
            "A stored file (original or preview)",
            tag=TAG,
            parameters=[
                {
                    "name": "key",
                    "in": "path",
                    "required": True,
                    "description": "The file's key, as in a MediaAttachment's URLs (it "
                    "contains a slash).",
                    "schema": {
                        "type": "string",
                        "pattern": KEY_RE.pattern.replace(r"\A", "^").replace(r"\Z", "$"),
                    },
                }
            ],
            responses={
                "200": {
                    "description": "The file; its content never changes (cached for a year).",
                    "headers": headers(),
                    "content": {
                        mime: {"schema": {"type": "string", "contentMediaType": mime}}
                        for mime in EXTENSIONS
                    },
                },
                **errors(404),
            },
            description="Also answers HEAD.",
        )
    },
}
