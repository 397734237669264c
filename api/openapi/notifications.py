"""Notifications (mastodon-api.md §18): the v1 list, one by id, the unread count, dismiss and
clear, and the grouped v2 list."""

from __future__ import annotations

from api.openapi.parts import (
    BOOLEAN,
    COUNT,
    ID_PARAMETER,
    STRING,
    URL,
    Schema,
    any_scope_of,
    array,
    array_query,
    closed,
    errors,
    limit_parameter,
    ok,
    operation,
    pagination,
    parameter,
    query,
    ref,
)
from api.routes.notifications import (
    ACCOUNTS_PAGE,
    COUNT_LIMIT,
    EXPAND_ACCOUNTS,
    NOTIFICATIONS_PAGE,
)
from domain.notification import GROUPABLE_TYPES, TYPES
from domain.scopes import READ_NOTIFICATIONS, WRITE_NOTIFICATIONS

TAG = "notifications"
TAG_DESCRIPTION = {"name": TAG, "description": "What others did to the viewer and its statuses."}
_MADE = ("mention", "status", "reblog", "follow", "favourite", "poll", "update")
_TYPE: Schema = {"type": "string", "enum": list(_MADE)}
_DATE: Schema = {"type": "string", "format": "date-time"}
_DIGITS: Schema = {**STRING, "pattern": r"^[0-9]+$"}
_HEAD = {"id": _DIGITS, "type": _TYPE, "created_at": _DATE, "group_key": STRING}
SCHEMAS: dict[str, Schema] = {
    "Notification": {
        "oneOf": [
            closed(
                {**_HEAD, "type": {"const": "follow"}, "account": ref("Account")},
            ),
            closed(
                {
                    **_HEAD,
                    "type": {"type": "string", "enum": [t for t in _MADE if t != "follow"]},
                    "account": ref("Account"),
                    "status": ref("Status"),
                }
            ),
        ],
        "description": "REST::NotificationSerializer: `status` for every type but follow. "
        "group_key is `<type>-<status id>-<hour>` for favourites and reblogs, "
        "`follow-<hour>` for follows, `ungrouped-<id>` for the rest.",
    },
    # The page range (page_min_id, page_max_id, latest_page_notification_at) is in the list's
    # groups, not in one group read by its key.
    "NotificationGroup": closed(
        {
            "group_key": STRING,
            "notifications_count": {**COUNT, "minimum": 1},
            "type": _TYPE,
            "most_recent_notification_id": {"type": "integer", "minimum": 1},
            "sample_account_ids": array(_DIGITS, minItems=1, maxItems=8),
        },
        {
            "page_min_id": _DIGITS,
            "page_max_id": _DIGITS,
            "latest_page_notification_at": _DATE,
            "status_id": _DIGITS,
        },
    ),
    "PartialAccount": closed(
        {
            "id": _DIGITS,
            "acct": STRING,
            "locked": BOOLEAN,
            "bot": BOOLEAN,
            "url": URL,
            "avatar": URL,
            "avatar_static": URL,
        }
    ),
    "GroupedNotifications": closed(
        {
            "accounts": array(ref("Account")),
            "statuses": array(ref("Status")),
            "notification_groups": array(ref("NotificationGroup")),
        },
        {"partial_accounts": array(ref("PartialAccount"))},
    ),
}
_TYPE_NAMES = {"type": "string", "description": "One of " + ", ".join(TYPES) + "."}
_FILTERS = [
    array_query(
        "types",
        _TYPE_NAMES,
        "Only these types (unknown names are ignored; only unknown ones: nothing). A lone "
        "`types=` is not an array and is ignored, as Rails' permit does.",
    ),
    array_query("exclude_types", _TYPE_NAMES, "Leave these types out."),
]
_ACCOUNT = query("account_id", ID_PARAMETER, "Only those caused by this account.")
_GROUPED = array_query(
    "grouped_types",
    {"type": "string", "enum": list(GROUPABLE_TYPES)},
    "Group only these types (default: all of " + ", ".join(GROUPABLE_TYPES) + ").",
)
_ID = [parameter("Id")]
_PAGE_DOWN = [parameter("MaxId"), parameter("SinceId")]
_GROUP_KEY = {
    "name": "group_key",
    "in": "path",
    "required": True,
    "schema": STRING,
    "description": "A group_key as notifications give it.",
}
_USER = "Scopes read or read:notifications; a user is required (422 for an app-only token)"
_WRITER = "Scopes write or write:notifications; a user is required (422 for an app-only token)"
_COUNT = closed({"count": COUNT})


def _count(operation_id: str, description: str, *extra: Schema) -> Schema:
    return operation(
        operation_id,
        "How many notifications are unread",
        tag=TAG,
        security=any_scope_of(READ_NOTIFICATIONS),
        parameters=[limit_parameter(*COUNT_LIMIT), *_FILTERS, *extra],
        responses={**ok(_COUNT, "The count."), **errors(400, 401, 403, 413, 422)},
        description=f"{_USER}. {description}",
    )


PATHS: dict[str, dict[str, Schema]] = {
    "/api/v1/notifications": {
        "get": operation(
            "getNotifications",
            "The viewer's notifications",
            tag=TAG,
            security=any_scope_of(READ_NOTIFICATIONS),
            parameters=[*pagination(*NOTIFICATIONS_PAGE), *_FILTERS, _ACCOUNT],
            responses={
                **ok(array(ref("Notification")), "A page, newest first.", "Link"),
                **errors(400, 401, 403, 413, 422),
            },
            description=f"{_USER}. Cursors are notification ids. `Link`: `next` by `max_id` "
            "on every non-empty page (as Mastodon), `prev` by `min_id`, both keeping `limit`, "
            "`types[]`, `exclude_types[]` and `account_id`. A notification about a status the "
            "viewer can no longer see is left out.",
        )
    },
    "/api/v1/notifications/unread_count": {
        "get": _count(
            "getUnreadNotificationCount",
            "Notifications after the notifications marker (all of them without one), at most "
            "`limit`.",
            _ACCOUNT,
        )
    },
    "/api/v1/notifications/{id}": {
        "get": operation(
            "getNotification",
            "One of the viewer's notifications",
            tag=TAG,
            security=any_scope_of(READ_NOTIFICATIONS),
            parameters=_ID,
            responses={
                **ok(ref("Notification"), "The notification."),
                **errors(401, 403, 404, 422),
            },
            description=f"{_USER}. Another account's, a dismissed one, or one about a status "
            "the viewer can no longer see: 404 `Record not found`.",
        )
    },
    "/api/v1/notifications/{id}/dismiss": {
        "post": operation(
            "dismissNotification",
            "Dismiss a notification",
            tag=TAG,
            security=any_scope_of(WRITE_NOTIFICATIONS),
            parameters=_ID,
            responses={
                **ok(closed({}), "Dismissed: `{}`."),
                **errors(401, 403, 404, 422, 503),
            },
            description=f"{_WRITER}. Not the viewer's (or dismissed already): 404 `Record not "
            "found`.",
        )
    },
    "/api/v1/notifications/clear": {
        "post": operation(
            "clearNotifications",
            "Dismiss every notification",
            tag=TAG,
            security=any_scope_of(WRITE_NOTIFICATIONS),
            responses={**ok(closed({}), "Cleared: `{}`."), **errors(401, 403, 422, 503)},
            description=f"{_WRITER}. Later notifications come as usual.",
        )
    },
    "/api/v2/notifications": {
        "get": operation(
            "getGroupedNotifications",
            "The viewer's notifications, grouped",
            tag=TAG,
            security=any_scope_of(READ_NOTIFICATIONS),
            parameters=[
                *pagination(*NOTIFICATIONS_PAGE),
                *_FILTERS,
                _GROUPED,
                query(
                    "expand_accounts",
                    {"type": "string", "enum": list(EXPAND_ACCOUNTS)},
                    "`partial_avatars`: only the newest account of each group in `accounts`, "
                    "the others in `partial_accounts`; anything else is 400.",
                ),
            ],
            responses={
                **ok(ref("GroupedNotifications"), "A page of groups, newest first.", "Link"),
                **errors(400, 401, 403, 413, 422),
            },
            description=f"{_USER}. `limit` groups, each shown once by its newest notification "
            "in the page; cursors are notification ids (`Link` as v1's, keeping `limit`, "
            "`types[]`, `exclude_types[]` and `grouped_types[]`). A group's `page_min_id` and "
            "`page_max_id` are its notifications within the page.",
        )
    },
    "/api/v2/notifications/{group_key}": {
        "get": operation(
            "getNotificationGroup",
            "One notification group",
            tag=TAG,
            security=any_scope_of(READ_NOTIFICATIONS),
            parameters=[_GROUP_KEY],
            responses={
                **ok(
                    ref("GroupedNotifications"),
                    "The group (no page range), its accounts and status.",
                ),
                **errors(401, 403, 404, 422),
            },
            description=f"{_USER}. `ungrouped-<id>` names one notification (of a grouped "
            "type: its whole group, as Mastodon). None of the viewer's: 404 `Record not "
            "found`.",
        )
    },
    "/api/v2/notifications/{group_key}/dismiss": {
        "post": operation(
            "dismissNotificationGroup",
            "Dismiss a notification group",
            tag=TAG,
            security=any_scope_of(WRITE_NOTIFICATIONS),
            parameters=[_GROUP_KEY],
            responses={
                **ok(closed({}), "Dismissed (or nothing to dismiss): `{}`."),
                **errors(401, 403, 422, 503),
            },
            description=f"{_WRITER}. Every notification of the group is dismissed (one "
            "event each); a key naming none of the viewer's is no error.",
        )
    },
    "/api/v2/notifications/{group_key}/accounts": {
        "get": operation(
            "getNotificationGroupAccounts",
            "Who caused a group's notifications",
            tag=TAG,
            security=any_scope_of(READ_NOTIFICATIONS),
            parameters=[_GROUP_KEY, limit_parameter(*ACCOUNTS_PAGE), *_PAGE_DOWN],
            responses={
                **ok(array(ref("Account")), "One Account per notification, newest first.", "Link"),
                **errors(400, 401, 403, 413, 422),
            },
            description=f"{_USER}. Cursors are notification ids; `Link`: `next` by `max_id` on "
            "a full page, `prev` by `min_id`. A key naming none of the viewer's: `[]`.",
        )
    },
    "/api/v2/notifications/unread_count": {
        "get": _count(
            "getUnreadNotificationGroupCount",
            "Groups after the notifications marker, at most `limit`.",
            _GROUPED,
        )
    },
}
