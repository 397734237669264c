"""Editing a status, its history and its source (mastodon-api.md §6.16-§6.18)."""

from __future__ import annotations

from api.openapi.parts import (
    BOOLEAN,
    RAILS_BOOLEAN,
    STRING,
    Schema,
    any_scope_of,
    array,
    closed,
    errors,
    form_or_json,
    ok,
    operation,
    parameter,
    ref,
)
from api.openapi.statuses import POLL_PARAMS
from domain import media, poll
from domain.scopes import READ_STATUSES, WRITE_STATUSES

TAG = "statuses"
ID = [parameter("Id")]

SCHEMAS: dict[str, Schema] = {
    "StatusEdit": {
        **closed(
            {
                "content": {**STRING, "description": "HTML of that version's text."},
                "spoiler_text": STRING,
                "sensitive": BOOLEAN,
                "created_at": ref("Datetime"),
                "account": ref("Account"),
                "media_attachments": array(
                    ref("MediaAttachment"), maxItems=media.MAX_MEDIA_ATTACHMENTS
                ),
                "emojis": array(ref("CustomEmoji")),
            },
            {
                "poll": closed(
                    {
                        "options": array(
                            closed({"title": STRING}), minItems=1, maxItems=poll.MAX_OPTIONS
                        )
                    }
                )
            },
        ),
        "description": "One version of a status (REST::StatusEditSerializer); `poll` (its "
        "options' titles) only for a version that had a poll. Mentions of accounts other than "
        "the author are plain text here, as Mastodon renders them.",
    },
    "StatusSource": closed({"id": ref("Id"), "text": STRING, "spoiler_text": STRING}),
}

PATHS: dict[str, dict[str, Schema]] = {
    "/api/v1/statuses/{id}": {
        "put": operation(
            "editStatus",
            "Edit one of the viewer's statuses",
            tag=TAG,
            security=any_scope_of(WRITE_STATUSES),
            parameters=ID,
            body=form_or_json(
                {
                    "status": {**STRING, "description": "The new text; optional with media."},
                    "sensitive": RAILS_BOOLEAN,
                    "spoiler_text": {**STRING, "description": "A content warning."},
                    "language": {**STRING, "description": "ISO 639; left out: kept."},
                },
                json_objects={"poll": POLL_PARAMS},
                arrays={
                    "media_ids": ref("Id"),
                    "media_attributes": {
                        "type": "object",
                        "properties": {
                            "id": ref("Id"),
                            "description": STRING,
                            "focus": {**STRING, "description": "`x,y`, each in -1..1."},
                        },
                    },
                },
            ),
            responses={
                **ok(ref("Status"), "The status after the edit (or as it was, if unchanged)."),
                **errors(400, 401, 403, 404, 413, 422, 503),
            },
            description="Checks, first failure wins: token (401), scope (403), a user (422), "
            "the status is one of the viewer's own and not deleted (404 `Record not found`), "
            "media (422; media beside a poll: `Cannot attach more than 4 files`), alt texts "
            "(422), the poll (422 `Validation failed: Options ...`, `Expires at ...`), then "
            "the text rules (422 `Validation failed: ...`). Every field is replaced: one left "
            "out is cleared (no CW, no media, no poll), except `language` (kept). A poll sent "
            "replaces the status's (the same poll; its votes reset when its options or "
            "`multiple` differ, also when `multiple` is left out) and is always a change, as "
            "its expiry is new. `visibility` and `in_reply_to_id` are ignored. An edit that "
            "changes nothing is not recorded. Edits count toward the statuses limit (300 per "
            "3 hours per account; 429 past it).",
        )
    },
    "/api/v1/statuses/{id}/history": {
        "get": operation(
            "getStatusHistory",
            "Every version of a status, oldest first",
            tag=TAG,
            security=any_scope_of(READ_STATUSES, optional=True),
            parameters=ID,
            responses={
                **ok(array(ref("StatusEdit")), "The original first; one entry if never edited."),
                **errors(401, 403, 404),
            },
            description="Checks: the status is visible (404 `Not Found`) before the token "
            "(401) and scope (403).",
        )
    },
    "/api/v1/statuses/{id}/source": {
        "get": operation(
            "getStatusSource",
            "The text and CW of a status as written",
            tag=TAG,
            security=any_scope_of(READ_STATUSES),
            parameters=ID,
            responses={
                **ok(ref("StatusSource"), "For an edit form."),
                **errors(401, 403, 404),
            },
            description="Checks: the status is visible (404 `Not Found`) before the token "
            "(401, required) and scope (403); any viewer who may see the status may read it.",
        )
    },
}
