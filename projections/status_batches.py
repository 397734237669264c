"""Status reads that arrive together go to PostgreSQL together.

Writes answer only once the projection has passed them, and one projection batch covers many
writes: the requests it releases resume in the same event-loop turn and each reads back its
status. Here those reads become one `id = ANY(...)` query per viewer instead of one query each.
"""

from __future__ import annotations

import asyncio

from projections.queries import Queries


class StatusBatches:
    """`status(id, viewer)` like Queries.status, batched with the reads of the same loop turn."""

    def __init__(self, queries: Queries) -> None:
        self.queries = queries
        self._waiting: dict[int | None, list[tuple[int, asyncio.Future[str | None]]]] = {}
        self._reads: set[asyncio.Task] = set()

    async def status(self, status_id: int, viewer_id: int | None) -> str | None:
        """The status as `viewer_id` sees it (JSON text), or None if missing or invisible."""
        found = asyncio.get_running_loop().create_future()
        waiting = self._waiting.get(viewer_id)
        if waiting is None:
            # The read starts after the requests already woken in this turn have asked too.
            waiting = self._waiting[viewer_id] = []
            read = asyncio.create_task(self._read(viewer_id))
            self._reads.add(read)
            read.add_done_callback(self._reads.discard)
        waiting.append((status_id, found))
        return await found

    async def _read(self, viewer_id: int | None) -> None:
        waiting = self._waiting.pop(viewer_id)
        try:
            docs = await self.queries.statuses([status_id for status_id, _ in waiting], viewer_id)
        except Exception as error:  # every request waiting on this read gets it
            for _, found in waiting:
                if not found.done():
                    found.set_exception(error)
            return
        except asyncio.CancelledError:  # shutting down
            for _, found in waiting:
                found.cancel()
            raise
        for status_id, found in waiting:
            if not found.done():
                found.set_result(docs.get(status_id))
