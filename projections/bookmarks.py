"""Bookmarks on the read side: the rows of `tootlog_bookmarks`, written in the projection
batch's transaction (the bookmarks list reads them: projections/bookmark_reads.py; the
`bookmarked` flag of every status read: projections/status_rows.py, projections/context.py).

A bookmark counts nothing, so its rows are all there is. A deleted status keeps no bookmarks, as
in Mastodon; a bookmark recorded after its status's deletion (a race the aggregates allow) gets
a row that every read leaves out with the deleted status.
"""

from __future__ import annotations

from projections.writes import Writes

# Set-based (projections.writes.Writes.insert): one execution for a run of bookmarks.
INSERT_BOOKMARKS = (
    "INSERT INTO tootlog_bookmarks (id, account_id, status_id)"
    " SELECT * FROM unnest(%b::bigint[], %b::bigint[], %b::bigint[])"
)
DELETE_BOOKMARK = "DELETE FROM tootlog_bookmarks WHERE account_id = %s AND status_id = %s"
DELETE_BOOKMARKS_OF = "DELETE FROM tootlog_bookmarks WHERE status_id = %s"


class BookmarkReadModel:
    """Writes of the bookmarks read model."""

    def insert_bookmark(
        self, writes: Writes, bookmark_id: int, account_id: int, status_id: int
    ) -> None:
        writes.insert("bookmarks", INSERT_BOOKMARKS, (bookmark_id, account_id, status_id))

    def delete_bookmark(self, writes: Writes, account_id: int, status_id: int) -> None:
        writes.write("bookmarks", DELETE_BOOKMARK, (account_id, status_id))

    def forget_status(self, writes: Writes, status_id: int) -> None:
        """A deleted status's bookmarks go with it."""
        writes.write("bookmarks", DELETE_BOOKMARKS_OF, (status_id,))
