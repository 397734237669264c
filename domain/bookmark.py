"""Bookmarks: one Bookmark aggregate per (account, status), always against the original status.

Mastodon stores a bookmark of a reblog wrapper against the wrapper's original (Bookmark's
before_validation), and a bookmark is private to its account: it counts nothing and notifies
no one. The aggregate opens with a neutral event so that every bookmark, the first one
included, is recorded as the same Bookmarked event.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import ValidationFailed
from domain.ids import derived_uuid


class Bookmark(Aggregate):
    """Whether an account has bookmarked a status."""

    TOPIC = "tootlog.bookmark"

    class Created(Aggregate.Created):
        TOPIC = "tootlog.bookmark.created.v1"

    @event("Opened", topic="tootlog.bookmark.opened.v1")
    def __init__(self, account_id: int, status_id: int) -> None:
        self.account_id = account_id
        self.status_id = status_id
        self.bookmarked = False

    @staticmethod
    def create_id(account_id: int, status_id: int) -> UUID:
        return derived_uuid("bookmark", account_id, status_id)

    def bookmark(self, bookmark_id: int, via_reblog: bool = False) -> bool:
        """Bookmark the status; False (and no event) when it already is.

        `bookmark_id` is the new bookmark's own id, the cursor of the bookmarks list.

        `via_reblog` says the client named a reblog wrapper: Mastodon's find_or_create_by! looks
        for a bookmark of the wrapper, finds none, and its create trips over the uniqueness
        validation of the original's (the same quirk as favourites, §6.10).
        """
        if self.bookmarked:
            if via_reblog:
                raise ValidationFailed("Status has already been taken")
            return False
        self._bookmarked(
            account_id=self.account_id, status_id=self.status_id, bookmark_id=bookmark_id
        )
        return True

    def unbookmark(self) -> bool:
        """Remove the bookmark; False (and no event) when there is none."""
        if not self.bookmarked:
            return False
        self._unbookmarked(account_id=self.account_id, status_id=self.status_id)
        return True

    @event("Bookmarked", topic="tootlog.bookmark.bookmarked.v1")
    def _bookmarked(self, account_id: int, status_id: int, bookmark_id: int) -> None:
        self.bookmarked = True

    @event("Unbookmarked", topic="tootlog.bookmark.unbookmarked.v1")
    def _unbookmarked(self, account_id: int, status_id: int) -> None:
        self.bookmarked = False
