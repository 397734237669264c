"""Markers on the read side: one row per (account, timeline), written from Marker events, and the
Marker entities a client reads back."""

from __future__ import annotations

import orjson

from projections.reads import Reads
from projections.writes import Writes

SET_MARKER = (
    "INSERT INTO tootlog_markers (account_id, timeline, last_read_id, version, updated_at)"
    " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (account_id, timeline) DO UPDATE SET"
    " last_read_id = excluded.last_read_id, version = excluded.version,"
    " updated_at = excluded.updated_at"
)


class MarkerReadModel:
    """Writes of the markers read model, in the projection batch's transaction."""

    def set_marker(self, writes: Writes, event) -> None:  # noqa: ANN001  (Marker.Set / .Moved)
        writes.write(
            "markers",
            SET_MARKER,
            (
                event.account_id,
                event.timeline,
                event.last_read_id,
                event.originator_version,
                event.updated_at,
            ),
        )


class MarkerReads(Reads):
    """The viewer's markers."""

    async def markers(self, account_id: int, timelines: list[str]) -> str:
        """REST::MarkerSerializer of each of `timelines` the account has a marker for, as a
        JSON object keyed by timeline (the others left out, as Mastodon)."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT timeline, last_read_id, version, updated_at FROM tootlog_markers"
                " WHERE account_id = %s AND timeline = ANY(%s) ORDER BY timeline",
                (account_id, timelines),
            )
            rows = await cur.fetchall()
        return orjson.dumps(
            {
                timeline: {
                    "last_read_id": str(last_read_id),
                    "version": version,
                    "updated_at": updated_at,
                }
                for timeline, last_read_id, version, updated_at in rows
            }
        ).decode()
