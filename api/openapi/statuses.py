"""Operations on /api/v1/statuses (mastodon-api.md §6)."""

from __future__ import annotations

from api.openapi.parts import (
    RAILS_BOOLEAN,
    STRING,
    Schema,
    any_scope_of,
    array,
    array_query,
    closed,
    errors,
    form_or_json,
    ok,
    operation,
    pagination,
    parameter,
    ref,
)
from api.routes.statuses import ACCOUNTS_PAGE, MAX_STATUSES_BY_ID, TOO_MANY_IDS
from domain import poll
from domain.scopes import (
    READ_ACCOUNTS,
    READ_STATUSES,
    WRITE_ACCOUNTS,
    WRITE_FAVOURITES,
    WRITE_STATUSES,
)

TAG = "statuses"
STATUS = ref("Status")
ID = [parameter("Id")]
POLL_PARAMS = {
    "options": {"type": "array", "items": STRING},
    "expires_in": {
        "type": ["integer", "string"],
        "description": f"Seconds: {poll.MIN_EXPIRATION} to {poll.MAX_EXPIRATION}.",
    },
    "multiple": RAILS_BOOLEAN,
    "hide_totals": RAILS_BOOLEAN,
}
USER_CHECKS = "Checks, first failure wins: token (401), scope (403), a user (422)"
VISIBLE_FIRST = (
    "Checks, first failure wins: the status is visible to the viewer (404), then token (401), "
    "scope (403), a user (422)"
)


def action_operation(
    operation_id: str, summary: str, scopes: tuple[str, ...], description: str, *more: int
) -> Schema:
    """POST /api/v1/statuses/{id}/<action>: answers with the status it names."""
    return operation(
        operation_id,
        summary,
        tag=TAG,
        security=any_scope_of(scopes),
        parameters=ID,
        responses={
            **ok(STATUS, "The status as the viewer now sees it."),
            **errors(401, 403, 404, 422, 503, *more),
        },
        description=description,
    )


def _accounts_list(operation_id: str, summary: str, description: str) -> Schema:
    return operation(
        operation_id,
        summary,
        tag=TAG,
        security=any_scope_of(READ_ACCOUNTS, optional=True),
        parameters=[*ID, *pagination(*ACCOUNTS_PAGE)],
        responses={
            **ok(array(ref("Account")), "A page of accounts, newest first.", "Link"),
            **errors(400, 401, 403, 404, 413),
        },
        description=description
        + " Checks: the status is visible (404) before the token (401) and scope (403).",
    )


PATHS: dict[str, dict[str, Schema]] = {
    "/api/v1/statuses": {
        "post": operation(
            "createStatus",
            "Publish a status",
            tag=TAG,
            security=any_scope_of(WRITE_STATUSES),
            parameters=[parameter("IdempotencyKey")],
            body=form_or_json(
                {
                    "status": {**STRING, "description": "Text; optional with media."},
                    "in_reply_to_id": ref("Id"),
                    "sensitive": RAILS_BOOLEAN,
                    "spoiler_text": {**STRING, "description": "A content warning."},
                    "visibility": {**ref("Visibility"), "description": "Default: the user's."},
                    "language": {**STRING, "description": "ISO 639; junk falls back quietly."},
                    "scheduled_at": {**STRING, "description": "ISO 8601; UTC without a zone."},
                },
                arrays={"media_ids": ref("Id")},
                json_objects={"poll": POLL_PARAMS},
            ),
            responses={
                **ok(
                    {"anyOf": [STATUS, ref("ScheduledStatus")]},
                    "The new status (or the one the Idempotency-Key names); with a "
                    "`scheduled_at` in the future, the ScheduledStatus.",
                ),
                **errors(400, 401, 403, 404, 413, 422, 503),
            },
            description=f"{USER_CHECKS}, parameters tootlog does not implement yet "
            "(`quoted_status_id`: 422 `NAME is not supported by this "
            "server yet`), reply target (404), idempotency, media (422; media beside a poll: "
            "`Cannot attach more than 4 files`), then the model rules and the poll's "
            "(422 `Validation failed: ...`). A poll is `poll[options][]`, `poll[expires_in]`, "
            "`poll[multiple]`, `poll[hide_totals]` in a form, or a `poll` object in JSON. "
            "`scheduled_at` at least 5 minutes ahead schedules the status instead (a time "
            "already past publishes it at once): then the status's rules give 422 `Record "
            "invalid`, and ScheduledStatus's (too soon; 25 a day; 300 in all) `Validation "
            "failed: ...`.",
        ),
        "get": operation(
            "getStatuses",
            "Several statuses by id",
            tag=TAG,
            security=any_scope_of(READ_STATUSES, optional=True),
            parameters=[
                array_query(
                    "id",
                    STRING,
                    f"At most {MAX_STATUSES_BY_ID} distinct ids; missing and invisible ones "
                    "are left out.",
                )
            ],
            responses={
                **ok(array(STATUS), "The statuses in the order asked, each once."),
                **errors(400, 401, 403, 413, 422),
            },
            description=f"Mastodon 4.3. More than {MAX_STATUSES_BY_ID} distinct ids: 422 "
            f"`{TOO_MANY_IDS}` (Mastodon's own answer, a validation error without a message).",
        ),
    },
    "/api/v1/statuses/{id}": {
        "get": operation(
            "getStatus",
            "A status",
            tag=TAG,
            security=any_scope_of(READ_STATUSES, optional=True),
            parameters=ID,
            responses={
                **ok(STATUS, "The status as the viewer sees it."),
                **errors(401, 403, 404),
            },
            description="An unknown token counts as anonymous; a revoked one is 401.",
        ),
        "delete": operation(
            "deleteStatus",
            "Delete one of the viewer's statuses",
            tag=TAG,
            security=any_scope_of(WRITE_STATUSES),
            parameters=ID,
            body=form_or_json({"delete_media": RAILS_BOOLEAN}),
            responses={
                **ok(ref("DeletedStatus"), "The status as it was, with `text` for redrafting."),
                **errors(400, 401, 403, 404, 413, 422, 503),
            },
            description=f"{USER_CHECKS}; another user's or a missing status is 404 "
            "`Record not found`.",
        ),
    },
    "/api/v1/statuses/{id}/context": {
        "get": operation(
            "getStatusContext",
            "Ancestors and descendants of a status",
            tag=TAG,
            security=any_scope_of(READ_STATUSES, optional=True),
            parameters=ID,
            responses={
                **ok(ref("Context"), "Ancestors root first; descendants depth first."),
                **errors(401, 403, 404),
            },
        )
    },
    "/api/v1/statuses/{id}/card": {
        "get": operation(
            "getStatusCard",
            "The link preview card of a status (legacy)",
            tag=TAG,
            security=any_scope_of(READ_STATUSES, optional=True),
            parameters=ID,
            responses={
                **ok(
                    {"anyOf": [ref("PreviewCard"), closed({})]},
                    "The card, or `{}` while the status has none.",
                ),
                **errors(401, 403, 404),
            },
            description="Mastodon 2.9's route (removed in 3.0; clients read the Status's "
            "`card`). Checks and 404s exactly as getStatus.",
        )
    },
    "/api/v1/statuses/{id}/reblogged_by": {
        "get": _accounts_list(
            "getStatusRebloggedBy",
            "Who reblogged a status",
            "Accounts with a public or unlisted reblog; cursors are reblog ids.",
        )
    },
    "/api/v1/statuses/{id}/favourited_by": {
        "get": _accounts_list(
            "getStatusFavouritedBy",
            "Who favourited a status",
            "Accounts with a favourite of this status; cursors are favourite ids.",
        )
    },
    "/api/v1/statuses/{id}/reblog": {
        "post": {
            **action_operation(
                "reblogStatus",
                "Reblog a status",
                WRITE_STATUSES,
                f"{USER_CHECKS}, visible (404), policy (403), visibility (422). Answers with "
                "the reblog wrapper; reblogging again answers with the same one.",
                400,
                413,
            ),
            "requestBody": form_or_json(
                {"visibility": {"enum": ["public", "unlisted", "private"]}}
            ),
        }
    },
    "/api/v1/statuses/{id}/unreblog": {
        "post": action_operation(
            "unreblogStatus",
            "Undo a reblog",
            WRITE_STATUSES,
            f"{USER_CHECKS}, visible (404). Answers with the original; not reblogged is no error.",
        )
    },
    "/api/v1/statuses/{id}/favourite": {
        "post": action_operation(
            "favouriteStatus",
            "Favourite a status",
            WRITE_FAVOURITES,
            f"{VISIBLE_FIRST}, policy (403).",
        )
    },
    "/api/v1/statuses/{id}/unfavourite": {
        "post": action_operation(
            "unfavouriteStatus",
            "Undo a favourite",
            WRITE_FAVOURITES,
            f"{USER_CHECKS}, visible (404); not favourited is no error.",
        )
    },
    "/api/v1/statuses/{id}/pin": {
        "post": action_operation(
            "pinStatus",
            "Pin one of the viewer's statuses to their profile",
            WRITE_ACCOUNTS,
            f"{VISIBLE_FIRST}, the pin rules (422 `Validation failed: ...`, `Duplicate record`).",
        )
    },
    "/api/v1/statuses/{id}/unpin": {
        "post": action_operation(
            "unpinStatus",
            "Unpin a status",
            WRITE_ACCOUNTS,
            f"{VISIBLE_FIRST}; not pinned is no error.",
        )
    },
}
