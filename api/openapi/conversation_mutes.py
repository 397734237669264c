"""Conversation mutes (mastodon-api.md §6.21): mute and unmute the thread of a status."""

from __future__ import annotations

from api.openapi.parts import Schema
from api.openapi.statuses import USER_CHECKS, action_operation
from domain.scopes import WRITE_MUTES

_THREAD = (
    "; then the status is visible to the viewer (404). The conversation is the status's whole "
    "thread (every status sharing its root; a reblog is a conversation of its own), whether "
    "or not the viewer takes part in it. Answers with the status, `muted` as it now is; the "
    "flag is true on every status of a muted thread, for the muter only."
)

PATHS: dict[str, dict[str, Schema]] = {
    "/api/v1/statuses/{id}/mute": {
        "post": action_operation(
            "muteConversation",
            "Mute the conversation of a status",
            WRITE_MUTES,
            f"{USER_CHECKS}{_THREAD} Muting again changes nothing.",
        )
    },
    "/api/v1/statuses/{id}/unmute": {
        "post": action_operation(
            "unmuteConversation",
            "Unmute the conversation of a status",
            WRITE_MUTES,
            f"{USER_CHECKS}{_THREAD} Not muted is no error.",
        )
    },
}
