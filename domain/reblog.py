"""Reblogs: one Reblog aggregate per (account, original status), so at most one live reblog.

The aggregate opens with a neutral event so that every reblog, the first one included, is recorded
as the same Reblogged event, each with its own wrapper status id.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import Forbidden, ValidationFailed
from domain.ids import derived_uuid
from domain.visibility import VISIBILITIES, Audience


def check_can_reblog(original: Audience, viewer_id: int, viewer_blocks_author: bool) -> None:
    """§2 `reblog?` once `show?` has passed, on the original status (§6.8 step 5)."""
    # Being mentioned in a direct status, or following a private author, lets you see it but
    # not boost it; only the author boosts their own followers-only post.
    shareable = original.visibility in ("public", "unlisted") or (
        original.visibility == "private" and viewer_id == original.author_id
    )
    if not shareable or viewer_blocks_author:
        raise Forbidden


def decide_reblog_visibility(
    original_visibility: str, requested: str | None, author_default: str
) -> str:
    """§6.8 step 7: the wrapper's visibility, or a 422 with Mastodon's message."""
    if original_visibility == "private":
        return "private"
    visibility = requested or author_default
    if visibility == "direct":
        raise ValidationFailed("Visibility is reserved")
    if visibility not in VISIBILITIES:
        raise ValidationFailed("Visibility is not included in the list")
    return visibility


class ReblogWrapper(Aggregate):
    """Index aggregate: a reblog wrapper's public id, pointing at its reblog.

    It shares the status id space (`Status.create_id`), so a status id resolves with one lookup
    to either a Status or a wrapper, and a wrapper id can never collide with a status id.
    """

    TOPIC = "tootlog.reblog_wrapper"

    class Created(Aggregate.Created):
        TOPIC = "tootlog.reblog_wrapper.created.v1"

    @event("Claimed", topic="tootlog.reblog_wrapper.claimed.v1")
    def __init__(self, wrapper_status_id: int, account_id: int, original_status_id: int) -> None:
        self.wrapper_status_id = wrapper_status_id
        self.account_id = account_id
        self.original_status_id = original_status_id

    @staticmethod
    def create_id(wrapper_status_id: int) -> UUID:
        return derived_uuid("status", wrapper_status_id)


class Reblog(Aggregate):
    """An account's reblog of one original status: `wrapper_status_id` is None when not live."""

    TOPIC = "tootlog.reblog"

    class Created(Aggregate.Created):
        TOPIC = "tootlog.reblog.created.v1"

    @event("Opened", topic="tootlog.reblog.opened.v1")
    def __init__(self, account_id: int, original_status_id: int) -> None:
        self.account_id = account_id
        self.original_status_id = original_status_id
        self.wrapper_status_id: int | None = None
        self.visibility: str | None = None

    @staticmethod
    def create_id(account_id: int, original_status_id: int) -> UUID:
        return derived_uuid("reblog", account_id, original_status_id)

    def reblog(
        self,
        wrapper_status_id: int,
        *,
        original_visibility: str,
        requested_visibility: str | None,
        default_visibility: str,
    ) -> int:
        """The live wrapper's id: the existing one, or `wrapper_status_id` once Reblogged."""
        # §6.8 step 6 comes before step 7: a live reblog is returned even if the requested
        # visibility would be refused.
        if self.wrapper_status_id is not None:
            return self.wrapper_status_id
        visibility = decide_reblog_visibility(
            original_visibility, requested_visibility, default_visibility
        )
        self._reblogged(
            account_id=self.account_id,
            original_status_id=self.original_status_id,
            wrapper_status_id=wrapper_status_id,
            visibility=visibility,
        )
        return wrapper_status_id

    def unreblog(self) -> int | None:
        """Undo the live reblog: the wrapper id removed, or None (no event) when there is none."""
        wrapper_status_id = self.wrapper_status_id
        if wrapper_status_id is None:
            return None
        self._unreblogged(
            account_id=self.account_id,
            original_status_id=self.original_status_id,
            wrapper_status_id=wrapper_status_id,
        )
        return wrapper_status_id

    @event("Reblogged", topic="tootlog.reblog.reblogged.v1")
    def _reblogged(
        self, account_id: int, original_status_id: int, wrapper_status_id: int, visibility: str
    ) -> None:
        self.wrapper_status_id = wrapper_status_id
        self.visibility = visibility

    @event("Unreblogged", topic="tootlog.reblog.unreblogged.v1")
    def _unreblogged(
        self, account_id: int, original_status_id: int, wrapper_status_id: int
    ) -> None:
        self.wrapper_status_id = None
        self.visibility = None
