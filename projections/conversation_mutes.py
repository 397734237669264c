"""Conversation mutes on the read side: the rows of `tootlog_conversation_mutes`, one per
(account, thread root), written in the projection batch's transaction. The `muted` flag of
every status read comes from them (projections/status_rows.py, projections/context.py): a
status is muted for a viewer when the viewer muted its thread's root.

A mute outlives the deletion of any status of its thread, the root included, as Mastodon's
ConversationMute belongs to the conversation, not to a status.
"""

from __future__ import annotations

from projections.writes import Writes

# Set-based (projections.writes.Writes.insert): one execution for a run of mutes.
INSERT_CONVERSATION_MUTES = (
    "INSERT INTO tootlog_conversation_mutes (account_id, root_id)"
    " SELECT * FROM unnest(%b::bigint[], %b::bigint[])"
)
DELETE_CONVERSATION_MUTE = (
    "DELETE FROM tootlog_conversation_mutes WHERE account_id = %s AND root_id = %s"
)


class ConversationMuteReadModel:
    """Writes of the conversation mutes read model."""

    def insert_mute(self, writes: Writes, account_id: int, root_id: int) -> None:
        writes.insert("conversation_mutes", INSERT_CONVERSATION_MUTES, (account_id, root_id))

    def delete_mute(self, writes: Writes, account_id: int, root_id: int) -> None:
        writes.write("conversation_mutes", DELETE_CONVERSATION_MUTE, (account_id, root_id))
