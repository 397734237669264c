"""Bookmarks (mastodon-api.md §6.14): bookmark, unbookmark and the viewer's list."""

from __future__ import annotations

from api.openapi.parts import Schema, any_scope_of, array, errors, ok, operation, pagination, ref
from api.openapi.statuses import TAG, USER_CHECKS, VISIBLE_FIRST, action_operation
from api.routes.accounts import STATUSES_PAGE
from domain.scopes import READ_BOOKMARKS, WRITE_BOOKMARKS

PATHS: dict[str, dict[str, Schema]] = {
    "/api/v1/bookmarks": {
        "get": operation(
            "getBookmarks",
            "The viewer's bookmarked statuses",
            tag=TAG,
            security=any_scope_of(READ_BOOKMARKS),
            parameters=pagination(*STATUSES_PAGE),
            responses={
                **ok(array(ref("Status")), "A page of statuses, newest bookmark first.", "Link"),
                **errors(400, 401, 403, 413, 422),
            },
            description=f"{USER_CHECKS}. Cursors are bookmark ids; `prev` links by `min_id`. "
            "Every bookmarked status that still exists is listed, as Mastodon does, also one "
            "the viewer can no longer see (its author's followers-only status after an "
            "unfollow); a bookmark of a reblog is of its original.",
        )
    },
    "/api/v1/statuses/{id}/bookmark": {
        "post": action_operation(
            "bookmarkStatus",
            "Bookmark a status",
            WRITE_BOOKMARKS,
            f"{VISIBLE_FIRST}. A reblog's id bookmarks its original and answers with the "
            "reblog; doing so when the original is already bookmarked is 422 `Validation "
            "failed: Status has already been taken` (Mastodon's quirk). Bookmarking again "
            "changes nothing.",
        )
    },
    "/api/v1/statuses/{id}/unbookmark": {
        "post": action_operation(
            "unbookmarkStatus",
            "Undo a bookmark",
            WRITE_BOOKMARKS,
            f"{USER_CHECKS}; with a bookmark of this id, no visibility check; else visible "
            "(404). Not bookmarked is no error. Answers with `bookmarked: false`.",
        )
    },
}
