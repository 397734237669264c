"""Operations on the timelines, favourites, follow lists, accounts by id and hashtags."""

from __future__ import annotations

from api.openapi.parts import (
    BOOLEAN,
    RAILS_BOOLEAN,
    STRING,
    URL,
    Schema,
    any_scope_of,
    array,
    array_query,
    closed,
    errors,
    ok,
    operation,
    pagination,
    parameter,
    query,
    ref,
)
from api.routes.account_lists import MAX_ACCOUNTS
from api.routes.accounts import STATUSES_PAGE
from api.routes.statuses import ACCOUNTS_PAGE
from domain.scopes import READ_ACCOUNTS, READ_FAVOURITES, READ_STATUSES
from projections.account_lists import HISTORY_DAYS
from projections.timelines import TAGS_PER_MODE

STATUSES = "statuses"
ACCOUNTS = "accounts"
_HASHTAG = {
    "name": "id",
    "in": "path",
    "required": True,
    "description": "A hashtag's name, without `#`; matched case-insensitively.",
    "schema": STRING,
}
_PAGE = {**ok(array(ref("Status")), "A page of statuses, newest first.", "Link")}
_DIGITS = {**STRING, "pattern": r"^[0-9]+$"}

SCHEMAS: dict[str, Schema] = {
    "TagEntity": closed(
        {
            "name": {**STRING, "description": "Normalised (lowercase)."},
            "url": URL,
            "history": array(
                closed({"day": _DIGITS, "accounts": _DIGITS, "uses": _DIGITS}),
                minItems=HISTORY_DAYS,
                maxItems=HISTORY_DAYS,
                description="The last days, today first: the day's start (UNIX time), how "
                "many public or unlisted statuses used the tag and how many accounts wrote them.",
            ),
        },
        {
            "following": {
                **BOOLEAN,
                "description": "For a user only; hashtags cannot be followed "
                "here yet, so always false.",
            }
        },
    ),
}

# GET /api/v1/accounts (api/openapi/accounts.py describes the path's POST beside it).
ACCOUNTS_BY_ID = operation(
    "getAccounts",
    "Several accounts by id",
    tag=ACCOUNTS,
    security=any_scope_of(READ_ACCOUNTS, optional=True),
    parameters=[
        array_query("id", STRING, f"At most {MAX_ACCOUNTS} account ids; missing ones are left out.")
    ],
    responses={
        **ok(array(ref("Account")), "The existing accounts, in the order asked, each once."),
        **errors(400, 401, 403, 413, 422),
    },
)


def _follow_list(operation_id: str, summary: str) -> Schema:
    return operation(
        operation_id,
        summary,
        tag=ACCOUNTS,
        security=any_scope_of(READ_ACCOUNTS, optional=True),
        parameters=[parameter("Id"), *pagination(*ACCOUNTS_PAGE)],
        responses={
            **ok(array(ref("Account")), "A page of accounts, newest follow first.", "Link"),
            **errors(400, 401, 403, 404, 413),
        },
        description="Cursors are the follows' ids (in the Link header), not account ids.",
    )


_MEDIA = query("only_media", RAILS_BOOLEAN, "Only statuses with media.")
_LOCAL = query("local", RAILS_BOOLEAN, "Only local statuses: every status here is local.")
_REMOTE = query("remote", RAILS_BOOLEAN, "Only remote statuses: none here, so an empty list.")


def _tag_list(name: str, description: str) -> Schema:
    return array_query(name, STRING, f"{description} At most the first {TAGS_PER_MODE} count.")


PATHS: dict[str, dict[str, Schema]] = {
    "/api/v1/timelines/home": {
        "get": operation(
            "getHomeTimeline",
            "The viewer's home timeline",
            tag=STATUSES,
            security=any_scope_of(READ_STATUSES),
            parameters=[*pagination(*STATUSES_PAGE), _LOCAL],
            responses={**_PAGE, **errors(400, 401, 403, 413, 422)},
            description="The viewer's own statuses and those of the accounts they follow, with "
            "their boosts, filtered as Mastodon's home feed: a reply to someone the viewer does "
            "not follow is left out (unless it answers the viewer or its own author); a direct "
            "status only when it mentions the viewer and the viewer follows its author; a boost "
            "not when its original is among the feed's 40 newest entries. A follow merges the "
            "account's 100 latest statuses in, an unfollow takes them out.",
        )
    },
    "/api/v1/timelines/public": {
        "get": operation(
            "getPublicTimeline",
            "The public timeline",
            tag=STATUSES,
            security=any_scope_of(READ_STATUSES, optional=True),
            parameters=[*pagination(*STATUSES_PAGE), _LOCAL, _REMOTE, _MEDIA],
            responses={**_PAGE, **errors(400, 401, 403, 413)},
            description="Public statuses, without boosts and without replies to others.",
        )
    },
    "/api/v1/timelines/tag/{id}": {
        "get": operation(
            "getTagTimeline",
            "A hashtag's timeline",
            tag=STATUSES,
            security=any_scope_of(READ_STATUSES, optional=True),
            parameters=[
                _HASHTAG,
                *pagination(*STATUSES_PAGE),
                _tag_list("any", "Also statuses with any of these hashtags."),
                _tag_list("all", "Only statuses with all of these (names never used are ignored)."),
                _tag_list("none", "Only statuses with none of these."),
                _LOCAL,
                _REMOTE,
                _MEDIA,
            ],
            responses={**_PAGE, **errors(400, 401, 403, 413)},
            description="Public statuses with the hashtag; an empty list for a hashtag no "
            "status has used.",
        )
    },
    "/api/v1/favourites": {
        "get": operation(
            "getFavourites",
            "The statuses the viewer favourited",
            tag=STATUSES,
            security=any_scope_of(READ_FAVOURITES),
            parameters=pagination(*STATUSES_PAGE),
            responses={**_PAGE, **errors(400, 401, 403, 413, 422)},
            description="Newest favourite first; cursors are the favourites' ids.",
        )
    },
    "/api/v1/accounts/{id}/followers": {
        "get": _follow_list("getAccountFollowers", "The accounts following an account")
    },
    "/api/v1/accounts/{id}/following": {
        "get": _follow_list("getAccountFollowing", "The accounts an account follows")
    },
    "/api/v1/tags/{id}": {
        "get": operation(
            "getTag",
            "A hashtag",
            tag=STATUSES,
            parameters=[_HASHTAG],
            responses={
                **ok(ref("TagEntity"), "The hashtag, also one no status has used yet."),
                **errors(401, 404),
            },
            description="404 for a name that is no hashtag. Following hashtags is not "
            "supported yet.",
        )
    },
}
