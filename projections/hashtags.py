"""A status's hashtags on the write side (`tootlog_status_tags`): the tag timelines and the Tag
entity read them (projections/timelines.py, projections/account_lists.py)."""

from __future__ import annotations

from projections.writes import Writes

INSERT_TAGS = (
    "INSERT INTO tootlog_status_tags (tag, status_id, account_id)"
    " SELECT * FROM unnest(%b::text[], %b::bigint[], %b::bigint[]) ON CONFLICT DO NOTHING"
)


class HashtagReadModel:
    """The hashtags' rows; each method adds to the batch's writes."""

    def tag(self, writes: Writes, status_id: int, account_id: int, tags: list[str]) -> None:
        for name in tags:
            writes.insert("status_tags", INSERT_TAGS, (name, status_id, account_id))

    def retag(self, writes: Writes, status_id: int, account_id: int, tags: list[str]) -> None:
        """An edit: the status's hashtags are those of its new text (ProcessHashtagsService)."""
        writes.write(
            "status_tags", "DELETE FROM tootlog_status_tags WHERE status_id = %s", (status_id,)
        )
        self.tag(writes, status_id, account_id, tags)
