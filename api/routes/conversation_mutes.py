"""Conversation mutes: POST /api/v1/statuses/:id/mute and /unmute.

As Mastodon's Statuses::MutesController: the token checks come first (401, 403, 422 for an
app-only token), then the status (404 when missing, deleted or invisible, for unmuting too);
the answer is the status the id names, its `muted` flag as it now is.
"""

from __future__ import annotations

from starlette.routing import Route

from api.routes.statuses import status_action
from commands import conversation_mutes as commands
from domain.scopes import WRITE_MUTES

mute = status_action(commands.mute, WRITE_MUTES)
unmute = status_action(commands.unmute, WRITE_MUTES)

routes = [
    Route("/api/v1/statuses/{id}/mute", mute, methods=["POST"]),
    Route("/api/v1/statuses/{id}/unmute", unmute, methods=["POST"]),
]
