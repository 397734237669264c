"""Operations on /api/v1/accounts: sign-up, credentials, lookup, profiles, follows (§8.5)."""

from __future__ import annotations

from api.openapi.parts import (
    BINARY,
    RAILS_BOOLEAN,
    STRING,
    Schema,
    any_scope_of,
    array,
    array_query,
    errors,
    form_or_json,
    json_body,
    ok,
    operation,
    pagination,
    parameter,
    query,
    ref,
    with_multipart,
)
from api.openapi.timelines import ACCOUNTS_BY_ID
from api.routes.accounts import STATUSES_PAGE
from domain.account import DISPLAY_NAME_MAX
from domain.profile import (
    AVATAR_SIZE,
    HEADER_SIZE,
    NOT_YET_SUPPORTED,
    NOTE_MAX,
    PROFILE_IMAGE_LIMIT,
)
from domain.scopes import (
    READ_ACCOUNTS,
    READ_FOLLOWS,
    READ_OWN_ACCOUNT,
    READ_STATUSES,
    WRITE_ACCOUNTS,
    WRITE_FOLLOWS,
)

TAG = "accounts"
ID = [parameter("Id")]
_PROFILE_TEXT_FIELDS: dict[str, Schema] = {
    "display_name": {**STRING, "maxLength": DISPLAY_NAME_MAX},
    "note": {**STRING, "description": f"At most {NOTE_MAX} characters, URLs counting 23."},
    "bot": RAILS_BOOLEAN,
    "locked": {**RAILS_BOOLEAN, "description": "Accepted only when it changes nothing."},
}


def _follow_action(
    operation_id: str, summary: str, description: str, body: Schema | None = None
) -> Schema:
    return operation(
        operation_id,
        summary,
        tag=TAG,
        security=any_scope_of(WRITE_FOLLOWS),
        parameters=ID,
        body=body,
        responses={
            **ok(ref("Relationship"), "The viewer's relationship with the account now."),
            **errors(401, 403, 404, 422, 503),
        },
        description=description,
    )


PATHS: dict[str, dict[str, Schema]] = {
    "/api/v1/accounts": {
        "get": ACCOUNTS_BY_ID,
        "post": operation(
            "registerAccount",
            "Sign up through an app",
            tag=TAG,
            security=any_scope_of(WRITE_ACCOUNTS),
            body=form_or_json(
                {
                    "username": STRING,
                    "email": STRING,
                    "password": STRING,
                    "agreement": RAILS_BOOLEAN,
                    "locale": STRING,
                },
                required=["username", "email", "password", "agreement"],
            ),
            responses={
                **ok(ref("Token"), "A token for the new account, with the app's scopes."),
                **errors(400, 401, 403, 413, 503),
                "422": json_body(
                    {"oneOf": [ref("ValidationError"), ref("Error")]},
                    "The sign-up problems, each field's listed in `details`; or a malformed "
                    "parameter.",
                ),
            },
            description="Needs an app's token (an app-only one will do); 403 when sign-ups "
            "are closed or the token belongs to no app.",
        ),
    },
    "/api/v1/accounts/verify_credentials": {
        "get": operation(
            "verifyAccountCredentials",
            "The viewer's own account",
            tag=TAG,
            security=any_scope_of(READ_OWN_ACCOUNT),
            responses={
                **ok(ref("CredentialAccount"), "The account with its source and role."),
                **errors(401, 403, 422),
            },
        )
    },
    "/api/v1/accounts/update_credentials": {
        "patch": operation(
            "updateAccountCredentials",
            "Change the viewer's profile",
            tag=TAG,
            security=any_scope_of(WRITE_ACCOUNTS),
            body=with_multipart(
                form_or_json(_PROFILE_TEXT_FIELDS),
                {**_PROFILE_TEXT_FIELDS, "avatar": BINARY, "header": BINARY},
            ),
            responses={
                **ok(ref("CredentialAccount"), "The account as it is now."),
                **errors(400, 401, 403, 413, 422, 503),
            },
            description="Display name, note, avatar, header and the bot flag, recorded as one "
            "ProfileUpdated event (none when nothing changes). Images are cropped to fill "
            f"{AVATAR_SIZE[0]}x{AVATAR_SIZE[1]} (avatar) and {HEADER_SIZE[0]}x{HEADER_SIZE[1]} "
            f"(header), at most {PROFILE_IMAGE_LIMIT // (1024 * 1024)} MB each. "
            f"{', '.join(f'`{name}`' for name in NOT_YET_SUPPORTED)} and a change of `locked` "
            "are not supported yet: 422.",
        )
    },
    "/api/v1/accounts/lookup": {
        "get": operation(
            "lookupAccount",
            "Find an account by its acct",
            tag=TAG,
            security=any_scope_of(READ_ACCOUNTS, optional=True),
            parameters=[
                query(
                    "acct",
                    STRING,
                    "`alice`, `@alice` or `alice@<this domain>`.",
                    required=True,
                )
            ],
            responses={
                **ok(ref("Account"), "The account."),
                **errors(400, 401, 403, 404, 413),
            },
        )
    },
    "/api/v1/accounts/relationships": {
        "get": operation(
            "getRelationships",
            "The viewer's relationships with accounts",
            tag=TAG,
            security=any_scope_of(READ_FOLLOWS),
            parameters=[
                array_query("id", STRING, "Account ids; unknown ones are left out of the answer.")
            ],
            responses={
                **ok(array(ref("Relationship")), "One per existing account, in the order asked."),
                **errors(400, 401, 403, 413, 422),
            },
        )
    },
    "/api/v1/accounts/{id}": {
        "get": operation(
            "getAccount",
            "An account",
            tag=TAG,
            security=any_scope_of(READ_ACCOUNTS, optional=True),
            parameters=ID,
            responses={**ok(ref("Account"), "The account."), **errors(401, 403, 404)},
        )
    },
    "/api/v1/accounts/{id}/statuses": {
        "get": operation(
            "getAccountStatuses",
            "An account's statuses the viewer may see",
            tag=TAG,
            security=any_scope_of(READ_STATUSES, optional=True),
            parameters=[
                *ID,
                *pagination(*STATUSES_PAGE),
                query("pinned", RAILS_BOOLEAN, "Only pinned statuses (cursors are pin ids)."),
                query("exclude_replies", RAILS_BOOLEAN, "Leave out replies to others."),
                query("exclude_reblogs", RAILS_BOOLEAN, "Leave out reblogs."),
                query(
                    "exclude_direct",
                    RAILS_BOOLEAN,
                    "Leave out direct statuses (the author's own, or those mentioning the viewer).",
                ),
                query("only_media", RAILS_BOOLEAN, "Only statuses with media."),
            ],
            responses={
                **ok(array(ref("Status")), "A page of statuses, newest first.", "Link"),
                **errors(400, 401, 403, 404, 413),
            },
        )
    },
    "/api/v1/accounts/{id}/follow": {
        "post": _follow_action(
            "followAccount",
            "Follow an account",
            "Following again changes only `notify`, when given. Yourself or a missing "
            "account: 404; a locked account: 422 (follow requests are not supported); "
            "`reblogs=false` and `languages[]`: 422 (not supported yet).",
            form_or_json(
                {
                    "notify": {
                        **RAILS_BOOLEAN,
                        "description": "Be notified of the account's statuses (a `status` "
                        "notification); absent: false on a new follow, unchanged on an "
                        "existing one. The relationship's `notifying`.",
                    },
                    "reblogs": {**RAILS_BOOLEAN, "description": "Only true (the default)."},
                },
                arrays={"languages": STRING},
            ),
        )
    },
    "/api/v1/accounts/{id}/unfollow": {
        "post": _follow_action(
            "unfollowAccount", "Stop following an account", "Not following is no error."
        )
    },
}
