"""Favourites: one Favourite aggregate per (account, status), always against the original status.

The aggregate opens with a neutral event so that every favourite, the first one included, is
recorded as the same Favourited event.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import Forbidden, ValidationFailed
from domain.ids import derived_uuid


def check_can_favourite(viewer_blocks_author: bool) -> None:
    """§2 `favourite?` once `show?` has passed: a viewer who blocks the author may not."""
    if viewer_blocks_author:
        raise Forbidden


class Favourite(Aggregate):
    """Whether an account has favourited a status."""

    TOPIC = "tootlog.favourite"

    class Created(Aggregate.Created):
        TOPIC = "tootlog.favourite.created.v1"

    @event("Opened", topic="tootlog.favourite.opened.v1")
    def __init__(self, account_id: int, status_id: int) -> None:
        self.account_id = account_id
        self.status_id = status_id
        self.favourited = False

    @staticmethod
    def create_id(account_id: int, status_id: int) -> UUID:
        return derived_uuid("favourite", account_id, status_id)

    def favourite(self, favourite_id: int, via_reblog: bool = False) -> bool:
        """Favourite the status; False (and no event) when it already is.

        `favourite_id` is the new favourite's own id, the cursor of `favourited_by` pages.

        `via_reblog` says the client named a reblog wrapper: Mastodon then trips over its own
        uniqueness validation instead of answering idempotently (§6.10 quirk).
        """
        if self.favourited:
            if via_reblog:
                raise ValidationFailed("Status has already been taken")
            return False
        self._favourited(
            account_id=self.account_id, status_id=self.status_id, favourite_id=favourite_id
        )
        return True

    def unfavourite(self) -> bool:
        """Remove the favourite; False (and no event) when there is none."""
        if not self.favourited:
            return False
        self._unfavourited(account_id=self.account_id, status_id=self.status_id)
        return True

    @event("Favourited", topic="tootlog.favourite.favourited.v1")
    def _favourited(self, account_id: int, status_id: int, favourite_id: int) -> None:
        self.favourited = True

    @event("Unfavourited", topic="tootlog.favourite.unfavourited.v1")
    def _unfavourited(self, account_id: int, status_id: int) -> None:
        self.favourited = False
