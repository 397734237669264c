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
    FEED_APPLICATION,
    FEED_POSITION_CHANNEL,
    LIVE_SCHEMA,
    POSITION_CHANNEL,
    TOKENS_CHANNEL,
    TRACKED_APPLICATION,
    TRACKING_TABLE,
)

log = logging.getLogger("tootlog.positions")


class Reached:
    """A committed position as announced, and the requests waiting for it to pass theirs."""

    def __init__(self) -> None:
        self.position = 0
        # Waiting requests as (position, sequence number, future), nearest position first:
        # an advance wakes only the requests it satisfies.
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._sequence = itertools.count()

    async def wait_for(self, position: int, timeout: float) -> bool:
        """True once the position has passed `position`; False after `timeout` seconds."""
        if self.position >= position:
            return True
        reached = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (position, next(self._sequence), reached))
        try:
            async with asyncio.timeout(timeout):
                await reached
            return True
        except TimeoutError:
            return False
        finally:
            reached.cancel()  # a no-op once reached; otherwise advance drops it later

    def advance(self, position: int) -> None:
        if position > self.position:
            self.position = position
            waiters = self._waiters
            while waiters and waiters[0][0] <= position:
                reached = heapq.heappop(waiters)[2]
                if not reached.done():
                    reached.set_result(None)


class ProjectionPositions:
    """The projection's committed positions as seen by this API process: the read models', and
    the home feeds' (a projection of their own that follows it: projections/feed_projector.py)."""

    def __init__(self, database_url: str, on_token_revoked: Callable[[str | None], None]) -> None:
        self.database_url = database_url
        # Called with a revoked token's hash, or None when notifications may have been missed.
        self.on_token_revoked = on_token_revoked
        self._main = Reached()
        self._feeds = Reached()
        self._task: asyncio.Task | None = None
        self._connected = asyncio.Event()
        # Other channels heard on the same connection (`also_listen`), and their handlers.
        self._channels: dict[str, Callable[[str | None], None]] = {}
        self.listening = False  # connected and listening: no NOTIFY is being missed

    def also_listen(self, channel: str, on_notify: Callable[[str | None], None]) -> None:
        """Hand `channel`'s NOTIFY payloads to `on_notify` too (call before `start`); it gets
        None each time the listener (re)connects, as NOTIFYs sent meanwhile were missed."""
        self._channels[channel] = on_notify

    @property
    def position(self) -> int:
        return self._main.position

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
        if await self._main.wait_for(position, timeout):
            return True
        return await self._read_positions() >= position

    @property
    def feed_position(self) -> int:
        """The home feeds' committed position as announced (they follow the read models')."""
        return self._feeds.position

    async def wait_for_feed_position(self, position: int, timeout: float) -> bool:
        """True once the home feeds have passed `position`; False after `timeout` seconds
        (no database read: for a listener that looks again anyway)."""
        return await self._feeds.wait_for(position, timeout)

    async def wait_for_feeds(self, timeout: float) -> bool:
        """True once the home feeds have caught up with the read models as they are now (so a
        post this process answered is in its followers' feeds); False after `timeout`."""
        position = self._main.position
        if await self._feeds.wait_for(position, timeout):
            return True
        await self._read_positions()
        return self._feeds.position >= position

    def _advance(self, position: int) -> None:
        self._main.advance(position)

    async def _read_positions(self) -> int:
        async with await psycopg.AsyncConnection.connect(self.database_url) as conn:
            await self._read_tracked(conn)
        return self._main.position

    async def _read_tracked(self, conn: psycopg.AsyncConnection) -> None:
        self._main.advance(await _tracked(conn))
        self._feeds.advance(await _tracked(conn, FEED_APPLICATION))

    async def _listen_forever(self) -> None:
        backoff = 0.1
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self.database_url, autocommit=True
                ) as conn:
                    await conn.execute(f"LISTEN {POSITION_CHANNEL}")
                    await conn.execute(f"LISTEN {TOKENS_CHANNEL}")
                    await conn.execute(f"LISTEN {FEED_POSITION_CHANNEL}")
                    for channel in self._channels:
                        await conn.execute(f"LISTEN {channel}")
                    # Read after LISTEN so no commit falls between the two.
                    self.on_token_revoked(None)
                    for on_notify in self._channels.values():
                        on_notify(None)
                    await self._read_tracked(conn)
                    self.listening = True
                    self._connected.set()
                    backoff = 0.1
                    async for notify in conn.notifies():
                        if notify.channel in self._channels:
                            self._channels[notify.channel](notify.payload)
                        elif notify.channel == TOKENS_CHANNEL:
                            self.on_token_revoked(notify.payload)
                        elif notify.channel == FEED_POSITION_CHANNEL:
                            self._feeds.advance(int(notify.payload))
                        else:
                            self._advance(int(notify.payload))
            except (psycopg.OperationalError, psycopg.InterfaceError) as error:
                self.listening = False
                log.warning("position listener lost its connection: %s", error)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)


def live_position(conn: psycopg.Connection, name: str = TRACKED_APPLICATION) -> int:
    """The position the live read models have reached (0 before the first event)."""
    row = conn.execute(
        f"SELECT notification_id FROM {LIVE_SCHEMA}.{TRACKING_TABLE} WHERE application_name = %s",
        (name,),
    ).fetchone()
    return row[0] if row else 0


def live_feed_position(conn: psycopg.Connection) -> int:
    """The position the live home feeds have reached (projections/feed_projector.py)."""
    return live_position(conn, FEED_APPLICATION)


async def _tracked(conn: psycopg.AsyncConnection, name: str = TRACKED_APPLICATION) -> int:
    cursor = await conn.execute(
        f"SELECT notification_id FROM {TRACKING_TABLE} WHERE application_name = %s", (name,)
    )
    row = await cursor.fetchone()
    return row[0] if row else 0
