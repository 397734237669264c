"""Conversation mutes: one ConversationMute aggregate per (account, conversation).

A conversation is a thread: every status of it shares its root (the status that replies to
nothing), as Mastodon's statuses share a conversation_id; a reblog wrapper is a conversation of
its own (Mastodon gives it a new Conversation). Muting is private to its account: it counts
nothing and notifies no one, and it stops the account's notifications from the thread (when
notifications are built). The aggregate opens with a neutral event so that every mute, the
first one included, is recorded as the same Muted event.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.ids import derived_uuid


class ConversationMute(Aggregate):
    """Whether an account has muted a conversation (named by its root status id)."""

    TOPIC = "tootlog.conversation_mute"

    class Created(Aggregate.Created):
        TOPIC = "tootlog.conversation_mute.created.v1"

    @event("Opened", topic="tootlog.conversation_mute.opened.v1")
    def __init__(self, account_id: int, root_id: int) -> None:
        self.account_id = account_id
        self.root_id = root_id
        self.muted = False

    @staticmethod
    def create_id(account_id: int, root_id: int) -> UUID:
        return derived_uuid("conversation_mute", account_id, root_id)

    def mute(self) -> bool:
        """Mute the conversation; False (and no event) when it already is (Mastodon's
        find_or_create_by!)."""
        if self.muted:
            return False
        self._muted(account_id=self.account_id, root_id=self.root_id)
        return True

    def unmute(self) -> bool:
        """Unmute it; False (and no event) when it is not muted."""
        if not self.muted:
            return False
        self._unmuted(account_id=self.account_id, root_id=self.root_id)
        return True

    @event("Muted", topic="tootlog.conversation_mute.muted.v1")
    def _muted(self, account_id: int, root_id: int) -> None:
        self.muted = True

    @event("Unmuted", topic="tootlog.conversation_mute.unmuted.v1")
    def _unmuted(self, account_id: int, root_id: int) -> None:
        self.muted = False
