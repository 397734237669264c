"""Bookmark and unbookmark a status (§6.14): the caller's private list of saved statuses.

As favourites: a bookmark is always of the original status (a wrapper id bookmarks its
original), the answer is the status the id names, and undoing one needs no visibility check
when the caller has a bookmark of that exact id.
"""

from __future__ import annotations

from commands.accounts import Written
from commands.app import TootlogApplication, retrying
from commands.social import find_target, visible_target
from domain.bookmark import Bookmark
from domain.ids import snowflakes


def bookmark(app: TootlogApplication, *, account_id: int, status_id: int | None) -> Written:
    """Bookmark the original of what the id names (visible to the caller, else 404)."""

    def attempt() -> Written:
        target = visible_target(app, account_id, status_id)
        original_id = target.status.status_id
        mark = app.get_or_none(Bookmark.create_id(account_id, original_id), Bookmark) or Bookmark(
            account_id=account_id, status_id=original_id
        )
        if not mark.bookmark(snowflakes.next_id(), via_reblog=target.wrapper is not None):
            return Written(target.id, app.last_position())
        recordings = app.save(mark)
        return Written(target.id, recordings[-1].notification.id)

    return retrying(attempt)


def unbookmark(app: TootlogApplication, *, account_id: int, status_id: int | None) -> Written:
    """Remove the caller's bookmark of this exact status; none is not an error (404 only when
    the status is missing or invisible)."""

    def attempt() -> Written:
        target = find_target(app, status_id)
        if target is not None and target.wrapper is None:
            mark = app.get_or_none(
                Bookmark.create_id(account_id, target.status.status_id), Bookmark
            )
            if mark is not None and mark.unbookmark():
                recordings = app.save(mark)
                return Written(target.id, recordings[-1].notification.id)
        target = visible_target(app, account_id, status_id)
        return Written(target.id, app.last_position())

    return retrying(attempt)
