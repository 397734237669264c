"""One streaming connection as the hub sees it: who is listening, to which streams, and the
queue of events waiting to be written to it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import orjson

from api.streaming.channels import Channel

# Events a connection may have waiting before it is taken for a client that stopped reading:
# its queue is dropped and the connection closed rather than grow without bound.
QUEUE_LIMIT = 1000


@dataclass(slots=True)
class Event:
    """One event for one stream: `payload` is what Mastodon sends (Status JSON as text, an id).
    One Event is shared by every connection it goes to, so each form is encoded once."""

    label: tuple[str, ...]
    name: str  # update, delete, status.update, notification
    payload: str
    _sse: bytes | None = None
    _websocket: str | None = None

    def sse(self) -> bytes:
        if self._sse is None:
            self._sse = f"event: {self.name}\ndata: {self.payload}\n\n".encode()
        return self._sse

    def websocket(self) -> str:
        if self._websocket is None:
            message = {"stream": list(self.label), "event": self.name, "payload": self.payload}
            self._websocket = orjson.dumps(message).decode()
        return self._websocket


class Heartbeat:
    """Mastodon's SSE heartbeat: the comment line `:thump`, every 15 s whatever else was sent."""

    def sse(self) -> bytes:
        return b":thump\n"


HEARTBEAT = Heartbeat()


@dataclass(eq=False, slots=True)
class Subscriber:
    """A connection: its viewer (a user token's account), scopes, streams and queue."""

    account_id: int
    token_hash: str
    scopes: list[str]
    channels: dict[str, Channel] = field(default_factory=dict)
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    closed: bool = False

    def deliver(self, event: Event | Heartbeat) -> None:
        """Queue `event`; a connection whose client stopped reading is closed instead."""
        if self.closed:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.close()

    def close(self) -> None:
        """End the connection: its writer sees None and stops."""
        if self.closed:
            return
        self.closed = True
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)
