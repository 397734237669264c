"""Which database answers a request's reads when there are replicas (TOOTLOG_READ_DATABASE_URL).

- GET and HEAD read from a replica that is up and within TOOTLOG_READ_MAX_LAG, taking turns;
  any other method, the streaming API, the OAuth pages and every request when no replica
  qualifies read from the primary. Tokens are always looked up on the primary
  (projections/token_reads.py), the streaming hub reads the primary (it reads right after a
  position NOTIFY), and so do /ready and /metrics.
- Session consistency: a write's answer waits until the primary's read models include it
  (api/services.py); its position is then remembered for the request's token (and for a token
  the write issued), here and, through a NOTIFY on READ_SESSIONS_CHANNEL (heard on the
  positions listener's connection), in every API process.
  A later read by that token goes to a replica only if the replica's read models have reached
  that position, else to the primary. A position is kept TOOTLOG_READ_MAX_LAG + 1 s: past that,
  every replica still allowed to serve has it (its lag would be larger otherwise).
- A read that fails on a replica (it went down between two looks) is answered again from the
  primary, unless the answer had started.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import sys
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from psycopg_pool import AsyncConnectionPool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import presented_token
from api.config import Settings
from api.replicas import CHOSEN, Replica, ReplicaFailed, ReplicaSet
from commands.accounts import Written
from commands.oauth import IssuedToken
from domain.token import hash_token
from projections.positions import ProjectionPositions

READ_SESSIONS_CHANNEL = "tootlog_read_sessions"
# The part of a token's hash that names its session: shorter NOTIFYs; two tokens sharing it
# only read from the primary a little more often.
KEY_LENGTH = 32
# Entries per NOTIFY payload: 32 + 1 + up to 19 digits + 1 each, under the 8000-byte limit.
NOTIFY_ENTRIES = 150
READ_METHODS = frozenset({"GET", "HEAD"})
# Streaming (long-lived, served by the hub from the primary) and the OAuth pages: an app
# registers without a token, so no session would send its next read to the primary.
PRIMARY_PATHS = ("/api/v1/streaming", "/oauth/")

# What a token needs while this process may have missed NOTIFYs: more than any replica has.
UNKNOWN = sys.maxsize
# The session key (token hash prefix) of the request being served, None without a token.
SESSION_KEY: ContextVar[str | None] = ContextVar("tootlog_read_session", default=None)


def session_key(token: str) -> str:
    return hash_token(token)[:KEY_LENGTH]


class Outbox:
    """Token positions waiting to be NOTIFYed, and the future their writes wait on."""

    def __init__(self) -> None:
        self.positions: dict[str, int] = {}
        self.sent: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def payloads(self) -> Iterator[str]:
        """`key:position` entries, space-separated, each payload under NOTIFY's 8000 bytes."""
        entries = [f"{key}:{position}" for key, position in self.positions.items()]
        for start in range(0, len(entries), NOTIFY_ENTRIES):
            yield " ".join(entries[start : start + NOTIFY_ENTRIES])


class ReadSessions:
    """The positions tokens last wrote at, for TOOTLOG_READ_MAX_LAG + 1 s, in every API process."""

    def __init__(self, primary: AsyncConnectionPool, keep: float) -> None:
        # The NOTIFYs go out on the read models' database, where the positions listener that
        # hears them listens (the projection's position NOTIFYs commit there).
        self.primary = primary
        self.keep = keep
        # key -> (position, when to forget it), oldest first.
        self._positions: OrderedDict[str, tuple[int, float]] = OrderedDict()
        # The listener they arrive through (projections/positions.py's, on its connection).
        self._listener: ProjectionPositions | None = None
        # Until then, tokens read from the primary: NOTIFYs sent while this process did not
        # listen (before its start, while its listener reconnected) are unknown to it.
        self._blind_until = math.inf
        self._outbox: Outbox | None = None
        self._send_lock = asyncio.Lock()
        self._sending: set[asyncio.Task] = set()

    def listen(self, positions: ProjectionPositions) -> None:
        """Hear the other API processes' writers on the positions listener (before it starts)."""
        self._listener = positions
        positions.also_listen(READ_SESSIONS_CHANNEL, self._heard)

    async def stop(self) -> None:
        for task in list(self._sending):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def needed(self, key: str | None) -> int:
        """The position a replica must have reached to answer this token's reads."""
        if key is None:
            return 0
        now = time.monotonic()
        if now < self._blind_until or self._listener is None or not self._listener.listening:
            return UNKNOWN
        self._forget_expired(now)
        remembered = self._positions.get(key)
        return remembered[0] if remembered else 0

    async def wrote(self, written: Written) -> None:
        """After a write's answer became readable on the primary: the rest of this request
        reads from the primary, and the token's next reads, in any process, see the write."""
        CHOSEN.set(None)
        keys = [key for key in (SESSION_KEY.get(),) if key]
        if isinstance(written, IssuedToken) and written.token:
            keys.append(session_key(written.token))
        if not keys:
            return
        self._remember(keys, written.position)
        if self._outbox is None:
            self._outbox = Outbox()
            sending = asyncio.create_task(self._send(), name="read-sessions-notify")
            self._sending.add(sending)
            sending.add_done_callback(self._sending.discard)
        outbox = self._outbox
        for key in keys:
            outbox.positions[key] = max(outbox.positions.get(key, 0), written.position)
        await asyncio.shield(outbox.sent)

    async def _send(self) -> None:
        """NOTIFY what the outbox holds, in one transaction. One send at a time: the writes
        answered meanwhile wait in the next outbox and go together (as a group commit), as one
        NOTIFY per write cut POST throughput by a third (bench/replica_bench.py)."""
        async with self._send_lock:
            outbox, self._outbox = self._outbox, None
            assert outbox is not None
            try:
                async with self.primary.connection() as conn, conn.transaction():
                    for payload in outbox.payloads():
                        await conn.execute(
                            "SELECT pg_notify(%s, %s)", (READ_SESSIONS_CHANNEL, payload)
                        )
            except asyncio.CancelledError:  # shutting down
                outbox.sent.cancel()
                raise
            except Exception as error:
                outbox.sent.set_exception(error)
                outbox.sent.exception()  # retrieved: the writes waiting on it raise it
            else:
                outbox.sent.set_result(None)

    def _remember(self, keys: list[str], position: int) -> None:
        now = time.monotonic()
        self._forget_expired(now)
        for key in keys:
            known = self._positions.pop(key, (0, 0.0))[0]
            self._positions[key] = (max(known, position), now + self.keep)

    def _heard(self, payload: str | None) -> None:
        """A NOTIFY of `key:position` entries; None: the listener (re)connected."""
        if payload is None:
            self._blind_until = time.monotonic() + self.keep
            return
        for entry in payload.split():
            key, _, position = entry.partition(":")
            if position.isdigit():
                self._remember([key], int(position))

    def _forget_expired(self, now: float) -> None:
        positions = self._positions
        while positions:
            key, (_, expires) = next(iter(positions.items()))
            if expires > now:
                break
            del positions[key]


@dataclass
class ReadRouting:
    """The replicas and the token sessions of one API process."""

    replicas: ReplicaSet
    sessions: ReadSessions

    @classmethod
    def configure(cls, settings: Settings, primary: AsyncConnectionPool) -> ReadRouting | None:
        """None without TOOTLOG_READ_DATABASE_URL: every read from the primary, as ever."""
        if not settings.read_database_urls:
            return None
        keep = settings.read_max_lag + 1.0
        replicas = ReplicaSet(
            settings.read_database_urls,
            primary,
            max_lag=settings.read_max_lag,
            size=settings.db_pool_size,
        )
        return cls(replicas, ReadSessions(primary, keep))

    def listen(self, positions: ProjectionPositions) -> None:
        """Before the positions listener starts: the writers' NOTIFYs come through it too."""
        self.sessions.listen(positions)

    async def start(self, positions: ProjectionPositions) -> None:
        """Once the positions listener runs: a replica's lag is measured against it."""
        await self.replicas.start(lambda: min(positions.position, positions.feed_position))

    async def stop(self) -> None:
        await self.replicas.stop()
        await self.sessions.stop()


class ReadRoutingMiddleware:
    """Chooses the database of each request's reads (app.state.read_routing; see the module)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        replica = _replica_for(scope) if scope["type"] == "http" else None
        if replica is None:
            await self.app(scope, receive, send)
            return
        CHOSEN.set(replica)
        received: list[Message] = []
        started = False

        async def receive_kept() -> Message:
            message = await receive()
            received.append(message)
            return message

        async def send_watched(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self.app(scope, receive_kept, send_watched)
        except ReplicaFailed:
            if started:
                raise
            CHOSEN.set(None)
            await self.app(scope, _replaying(received, receive), send)


def _replica_for(scope: Scope) -> Replica | None:
    """Names the request's session (SESSION_KEY); the replica its reads go to, None: the
    primary."""
    routing: ReadRouting = scope["app"].state.read_routing
    token = presented_token(scope)
    key = session_key(token) if token else None
    SESSION_KEY.set(key)
    if scope["method"] not in READ_METHODS or scope["path"].startswith(PRIMARY_PATHS):
        return None
    return routing.replicas.choose(routing.sessions.needed(key))


def _replaying(received: list[Message], receive: Receive) -> Receive:
    """`receive` that first hands out again what the failed attempt had received."""
    pending = list(received)

    async def receive_again() -> Message:
        return pending.pop(0) if pending else await receive()

    return receive_again
