"""Operations of search: GET /api/v2/search and GET /api/v1/accounts/search."""

from __future__ import annotations

from api.openapi.parts import (
    RAILS_BOOLEAN,
    STRING,
    Schema,
    any_scope_of,
    array,
    closed,
    errors,
    json_body,
    limit_parameter,
    ok,
    operation,
    parameter,
    query,
    ref,
)
from api.routes.search import (
    ANONYMOUS_OFFSET,
    ANONYMOUS_RESOLVE,
    MISSING_Q,
    NEGATIVE_PAGE,
    SEARCH_PAGE,
)
from api.routes.statuses import ACCOUNTS_PAGE
from domain.scopes import READ_ACCOUNTS, READ_SEARCH
from domain.search import MIN_ANONYMOUS_LENGTH, SEARCH_TYPES

_OFFSET = query(
    "offset",
    {"type": "string", "pattern": r"^\s*-?[0-9]*\s*$"},
    "Results to skip (Ruby's to_i; negative: 400).",
)
_FOLLOWING = query("following", RAILS_BOOLEAN, "Only accounts the viewer follows (and the viewer).")
_RESOLVE = query(
    "resolve",
    RAILS_BOOLEAN,
    "Resolve this server's status and account URLs (`url` or `uri`) to what they name. "
    "Nothing is ever fetched from other servers.",
)

SEARCH = operation(
    "search",
    "Search accounts, statuses and hashtags",
    tag="search",
    security=any_scope_of(READ_SEARCH, optional=True),
    parameters=[
        query("q", STRING, "What to search for.", required=True),
        query(
            "type",
            STRING,
            f"Only one kind of result: one of {', '.join(SEARCH_TYPES)} (another value finds "
            "nothing).",
        ),
        _RESOLVE,
        _FOLLOWING,
        query("account_id", STRING, "Only statuses by this account."),
        query("exclude_unreviewed", RAILS_BOOLEAN, "Ignored: hashtags are not reviewed here."),
        limit_parameter(*SEARCH_PAGE),
        {**_OFFSET, "description": _OFFSET["description"] + " Only with `type`; users only."},
        parameter("MaxId"),
        parameter("MinId"),
    ],
    responses={
        **ok(
            closed(
                {
                    "accounts": array(ref("Account")),
                    "statuses": array(ref("Status")),
                    "hashtags": array(ref("TagEntity")),
                }
            ),
            "What matched, by kind (Mastodon's Search entity).",
        ),
        "400": json_body(
            ref("Error"),
            f"`{MISSING_Q}`, `{NEGATIVE_PAGE}`, or a malformed body.",
        ),
        "401": json_body(
            ref("Error"),
            f"A revoked token; for callers without a user, `{ANONYMOUS_OFFSET}` or "
            f"`{ANONYMOUS_RESOLVE}`.",
        ),
        **errors(403, 413),
    },
    description="Accounts by username or display-name word prefix (the one named in full "
    f"as `user@thisdomain` first; callers without a user need {MIN_ANONYMOUS_LENGTH} "
    "characters for partial matches); hashtags by name prefix, shortest first; statuses (users "
    "only) by PostgreSQL full-text search of their text and content warning, newest first: "
    "public and unlisted ones and the viewer's own. A query starting with `#` finds hashtags "
    "(and statuses when it has a space); one with `@` finds accounts (and statuses when it has "
    "a space).",
)

ACCOUNT_SEARCH = operation(
    "searchAccounts",
    "Search accounts",
    tag="search",
    security=any_scope_of(READ_ACCOUNTS),
    parameters=[
        query("q", STRING, "What to search for; blank finds nothing."),
        limit_parameter(*ACCOUNTS_PAGE),
        _OFFSET,
        _RESOLVE,
        _FOLLOWING,
    ],
    responses={
        **ok(array(ref("Account")), "The accounts found, as /api/v2/search ranks them."),
        "400": json_body(ref("Error"), f"`{NEGATIVE_PAGE}`, or a malformed body."),
        **errors(401, 403, 413, 422),
    },
)

PATHS: dict[str, dict[str, Schema]] = {
    "/api/v2/search": {"get": SEARCH},
    "/api/v1/accounts/search": {"get": ACCOUNT_SEARCH},
}
