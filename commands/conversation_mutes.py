"""Mute and unmute the conversation of a status (POST /api/v1/statuses/:id/mute, /unmute).

As Mastodon's MutesController: the status must exist and be visible to the caller (else 404,
for unmuting as well), and the conversation is the one of the status the id names: a thread is
named by its root (the status that replies to nothing, deleted or not), and a reblog wrapper is
a conversation of its own. Any visible status's conversation may be muted, whether or not the
caller takes part in it. Muting a muted conversation, or unmuting one that is not, is no error.
"""

from __future__ import annotations

from commands.accounts import Written
from commands.app import TootlogApplication, retrying
from commands.social import Target, visible_target
from domain.conversation_mute import ConversationMute
from domain.status import Status


def conversation_root(app: TootlogApplication, target: Target) -> int:
    """The root of the conversation of what the id named: the wrapper itself, or the first
    status up the reply chain (a reply's parent is always an original, kept when deleted)."""
    if target.wrapper is not None:
        return target.wrapper.wrapper_status_id
    status = target.status
    while status.in_reply_to_id is not None:
        parent = app.get_or_none(Status.create_id(status.in_reply_to_id), Status)
        if parent is None:  # never published here: the reply starts its own thread
            break
        status = parent
    return status.status_id


def _set(app: TootlogApplication, account_id: int, status_id: int | None, muted: bool) -> Written:
    def attempt() -> Written:
        target = visible_target(app, account_id, status_id)
        root_id = conversation_root(app, target)
        mute = app.get_or_none(
            ConversationMute.create_id(account_id, root_id), ConversationMute
        ) or ConversationMute(account_id=account_id, root_id=root_id)
        changed = mute.mute() if muted else mute.unmute()
        if not changed:
            return Written(target.id, app.last_position())
        recordings = app.save(mute)
        return Written(target.id, recordings[-1].notification.id)

    return retrying(attempt)


def mute(app: TootlogApplication, *, account_id: int, status_id: int | None) -> Written:
    """Mute the conversation of a status visible to the caller (else 404)."""
    return _set(app, account_id, status_id, True)


def unmute(app: TootlogApplication, *, account_id: int, status_id: int | None) -> Written:
    """Unmute the conversation of a status visible to the caller (else 404)."""
    return _set(app, account_id, status_id, False)
