"""Read-your-writes: wait until the projection has applied a given event.

The worker NOTIFYs its position after every commit; this listener keeps the latest one and wakes
waiting requests, so a write answers a few milliseconds after its batch commits, without polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
from collections.abc import Callable

import psycopg

from projections.schema import (
    LIVE_SCHEMA,
    POSITION_CHANNEL,
    TOKENS_CHANNEL,
    TRACKED_APPLICATION,
    TRACKING_TABLE,
)

log = logging.getLogger("tootlog.positions")


class ProjectionPositions:
    """The projection's committed position as seen by this API process."""

    def __init__(self, database_url: str, on_token_revoked: Callable[[str | None], None]) -> None:
        self.database_url = database_url
        # Called with a revoked token's hash, or None when notifications may have been missed.
        self.on_token_revoked = on_token_revoked
        self.position = 0
        # Waiting requests as (position, sequence number, future), nearest position first:
        # an advance wakes only the requests it satisfies.
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._sequence = itertools.count()
        self._task: asyncio.Task | None = None
        self._connected = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen_forever(), name="projection-positions")
        await asyncio.wait_for(self._connected.wait(), timeout=30)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def wait_for(self, position: int, timeout: float) -> bool:
        """True once the projection has passed `position`; False after `timeout` seconds."""
        if self.position >= position:
            return True
        reached = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (position, next(self._sequence), reached))
        try:
            async with asyncio.timeout(timeout):
                await reached
            return True
        except TimeoutError:
            return await self._read_position() >= position
        finally:
            reached.cancel()  # a no-op once reached; otherwise _advance drops it later

    def _advance(self, position: int) -> None:
        if position > self.position:
            self.position = position
            waiters = self._waiters
            while waiters and waiters[0][0] <= position:
                reached = heapq.heappop(waiters)[2]
                if not reached.done():
                    reached.set_result(None)

    async def _read_position(self) -> int:
        async with await psycopg.AsyncConnection.connect(self.database_url) as conn:
            position = await _tracked(conn)
        self._advance(position)
        return self.position

    async def _listen_forever(self) -> None:
        backoff = 0.1
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self.database_url, autocommit=True
                ) as conn:
                    await conn.execute(f"LISTEN {POSITION_CHANNEL}")
                    await conn.execute(f"LISTEN {TOKENS_CHANNEL}")
                    # Read after LISTEN so no commit falls between the two.
                    self.on_token_revoked(None)
                    self._advance(await _tracked(conn))
                    self._connected.set()
                    backoff = 0.1
                    async for notify in conn.notifies():
                        if notify.channel == TOKENS_CHANNEL:
                            self.on_token_revoked(notify.payload)
                        else:
                            self._advance(int(notify.payload))
            except (psycopg.OperationalError, psycopg.InterfaceError) as error:
                log.warning("position listener lost its connection: %s", error)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)


def live_position(conn: psycopg.Connection) -> int:
    """The position the live read models have reached (0 before the first event)."""
    row = conn.execute(
        f"SELECT notification_id FROM {LIVE_SCHEMA}.{TRACKING_TABLE} WHERE application_name = %s",
        (TRACKED_APPLICATION,),
    ).fetchone()
    return row[0] if row else 0


async def _tracked(conn: psycopg.AsyncConnection) -> int:
    cursor = await conn.execute(
        f"SELECT notification_id FROM {TRACKING_TABLE} WHERE application_name = %s",
        (TRACKED_APPLICATION,),
    )
    row = await cursor.fetchone()
    return row[0] if row else 0
