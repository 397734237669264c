"""Operations on /api/v1/polls (Api::V1::PollsController, Api::V1::Polls::VotesController)."""

from __future__ import annotations

from api.openapi.parts import (
    Schema,
    any_scope_of,
    errors,
    form_or_json,
    ok,
    operation,
    parameter,
    ref,
)
from domain.scopes import READ_STATUSES, WRITE_STATUSES

TAG = "statuses"
POLL = ref("Poll")
ID = [parameter("Id")]

PATHS: dict[str, dict[str, Schema]] = {
    "/api/v1/polls/{id}": {
        "get": operation(
            "getPoll",
            "A poll",
            tag=TAG,
            security=any_scope_of(READ_STATUSES, optional=True),
            parameters=ID,
            responses={
                **ok(POLL, "The poll as the viewer sees it."),
                **errors(401, 403, 404),
            },
            description="Visible exactly when its status is (else 404). `expired` is decided "
            "at the moment of the answer; option counts are null while `hide_totals` holds "
            "them back (until the poll ends).",
        )
    },
    "/api/v1/polls/{id}/votes": {
        "post": operation(
            "votePoll",
            "Vote in a poll",
            tag=TAG,
            security=any_scope_of(WRITE_STATUSES),
            parameters=ID,
            body=form_or_json({}, arrays={"choices": {"type": ["integer", "string"]}}),
            responses={
                **ok(POLL, "The poll with the vote counted."),
                **errors(400, 401, 403, 404, 413, 422, 503),
            },
            description="Checks, first failure wins: token (401), scope (403), a user (422), "
            "the poll's status is visible (404), then each choice in turn (422 `Validation "
            "failed: ...`: The poll has already ended, The chosen vote option does not exist, "
            "You cannot vote in your own polls, You have already voted on this poll). No "
            "choice stored unless all pass; no choices at all changes nothing.",
        )
    },
}
