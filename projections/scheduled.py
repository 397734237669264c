"""Scheduled statuses in the read models: one row per entry still scheduled (written by the
projector from the Schedule aggregate's events), and the ScheduledStatus entity
(REST::ScheduledStatusSerializer) read from it."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson

from domain.ids import format_datetime
from projections.pages import Page, page_bounds
from projections.reads import Reads
from projections.writes import Writes

# The entity's columns: its params as jsonb stores them (Mastodon keeps them in jsonb too, so
# the keys come in jsonb's order) and its media's documents in the order of media_ids.
_ENTITY = (
    "SELECT e.id, e.scheduled_at, e.params::text,"
    " coalesce((SELECT json_agg(m.doc ORDER BY i.n) FROM unnest(e.media_ids)"
    " WITH ORDINALITY AS i(id, n) JOIN tootlog_media m ON m.id = i.id), '[]')::text"
    " FROM tootlog_scheduled_statuses e"
)


class ScheduledReadModel:
    """The projector's writes of scheduled entries."""

    def schedule(
        self,
        writes: Writes,
        entry_id: int,
        account_id: int,
        scheduled_at: int,
        params: dict,
        media_ids: list[int],
    ) -> None:
        writes.write(
            "scheduled",
            "INSERT INTO tootlog_scheduled_statuses (id, account_id, scheduled_at, params,"
            " media_ids) VALUES (%s, %s, %s, %s::jsonb, %s)",
            (entry_id, account_id, scheduled_at, orjson.dumps(params).decode(), media_ids),
        )

    def reschedule(self, writes: Writes, entry_id: int, scheduled_at: int) -> None:
        writes.write(
            "scheduled",
            "UPDATE tootlog_scheduled_statuses SET scheduled_at = %s WHERE id = %s",
            (scheduled_at, entry_id),
        )

    def remove(self, writes: Writes, entry_id: int) -> None:
        writes.write(
            "scheduled", "DELETE FROM tootlog_scheduled_statuses WHERE id = %s", (entry_id,)
        )


def _entity(row: tuple) -> str:
    entry_id, scheduled_at, params, media = row
    moment = datetime.fromtimestamp(scheduled_at / 1000, tz=UTC)
    return (
        f'{{"id":"{entry_id}","scheduled_at":"{format_datetime(moment)}",'
        f'"params":{orjson.dumps(orjson.loads(params)).decode()},'
        f'"media_attachments":{orjson.dumps(orjson.loads(media)).decode()}}}'
    )


class ScheduledReads(Reads):
    """An account's scheduled statuses, only ever for that account."""

    async def scheduled_status(self, entry_id: int | None, account_id: int) -> str | None:
        if entry_id is None:
            return None
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                f"{_ENTITY} WHERE e.id = %s AND e.account_id = %s", (entry_id, account_id)
            )
            row = await cur.fetchone()
        return None if row is None else _entity(row)

    async def scheduled_statuses(self, account_id: int, page: Page) -> list[tuple[int, str]]:
        """A page of the account's scheduled statuses by id, newest first: (id, JSON)."""
        params: dict = {"account": account_id}
        where, order = page_bounds("e.id", page, params)
        conditions = " AND ".join(["e.account_id = %(account)s", *where])
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                f"{_ENTITY} WHERE {conditions} ORDER BY e.id {order} LIMIT %(limit)s", params
            )
            rows = await cur.fetchall()
        if page.ascending:
            rows.reverse()
        return [(row[0], _entity(row)) for row in rows]
