"""Operations on /api/v1/scheduled_statuses (Api::V1::ScheduledStatusesController)."""

from __future__ import annotations

from api.openapi.parts import (
    Schema,
    any_scope_of,
    array,
    errors,
    form_or_json,
    ok,
    operation,
    pagination,
    parameter,
    ref,
)
from api.routes.scheduled_statuses import STATUSES_PAGE
from domain.scopes import READ_STATUSES, WRITE_STATUSES

TAG = "statuses"
ENTRY = ref("ScheduledStatus")
ID = [parameter("Id")]
CHECKS = "Checks, first failure wins: token (401), scope (403), a user (422)"
OWN = "; another account's or a missing entry is 404 `Record not found`."

PATHS: dict[str, dict[str, Schema]] = {
    "/api/v1/scheduled_statuses": {
        "get": operation(
            "listScheduledStatuses",
            "The viewer's scheduled statuses",
            tag=TAG,
            security=any_scope_of(READ_STATUSES),
            parameters=pagination(*STATUSES_PAGE),
            responses={
                **ok(array(ENTRY), "A page of scheduled statuses, newest first.", "Link"),
                **errors(400, 401, 403, 413, 422),
            },
            description=f"{CHECKS}. Cursors are the entries' ids; `prev` is by `min_id`.",
        )
    },
    "/api/v1/scheduled_statuses/{id}": {
        "get": operation(
            "getScheduledStatus",
            "One of the viewer's scheduled statuses",
            tag=TAG,
            security=any_scope_of(READ_STATUSES),
            parameters=ID,
            responses={**ok(ENTRY, "The scheduled status."), **errors(401, 403, 404, 422)},
            description=CHECKS + OWN,
        ),
        "put": operation(
            "updateScheduledStatus",
            "Move a scheduled status",
            tag=TAG,
            security=any_scope_of(WRITE_STATUSES),
            parameters=ID,
            body=form_or_json({"scheduled_at": {"type": "string", "format": "date-time"}}),
            responses={
                **ok(ENTRY, "The scheduled status at its new time."),
                **errors(400, 401, 403, 404, 413, 422, 503),
            },
            description=CHECKS + OWN + " Only `scheduled_at` changes (absent: nothing does); "
            "ScheduledStatus's rules as when scheduling (422 `Validation failed: ...`), 422 "
            "`Record invalid` for what is not a time.",
        ),
        "delete": operation(
            "deleteScheduledStatus",
            "Cancel a scheduled status",
            tag=TAG,
            security=any_scope_of(WRITE_STATUSES),
            parameters=ID,
            responses={
                **ok(ref("EmptyObject"), "`{}`: it will not be published."),
                **errors(401, 403, 404, 422, 503),
            },
            description=CHECKS + OWN,
        ),
    },
}
