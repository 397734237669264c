"""Streaming clients for the tests: an SSE reader and a WebSocket, each giving events in order
with a timeout, read by a real HTTP client (httpx) and a real WebSocket client (websockets)."""

from __future__ import annotations

import contextlib
import queue
import socket
import threading

import httpx
import orjson
from websockets.sync.client import ClientConnection, connect

from tests.support import LiveServer

WAIT = 10.0  # seconds an expected event may take
QUIET = 0.6  # seconds of silence that show an event is not coming


class SSEStream:
    """GET an SSE path and parse its events in a thread: (event, data) pairs; comment lines
    (`:)`, `:thump`) are kept apart in `comments`."""

    def __init__(self, server: LiveServer, path: str, token: str | None, **params: str) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = httpx.Client(base_url=server.base_url, timeout=httpx.Timeout(5, read=None))
        self._context = self._client.stream("GET", path, params=params, headers=headers)
        self.response = self._context.__enter__()
        self.events: queue.Queue[tuple[str, str]] = queue.Queue()
        self.comments: list[str] = []
        self.opened = threading.Event()
        self.ended = threading.Event()  # the server ended the stream
        if self.response.status_code == 200:
            threading.Thread(target=self._read, daemon=True).start()
            assert self.opened.wait(WAIT), "the stream sent nothing"

    def _read(self) -> None:
        event: dict[str, str] = {}
        try:
            for line in self.response.iter_lines():
                if line.startswith(":"):
                    self.comments.append(line)
                    self.opened.set()
                elif not line:
                    if "event" in event:
                        self.events.put((event["event"], event.get("data", "")))
                    event = {}
                else:
                    key, _, value = line.partition(":")
                    event[key] = value.removeprefix(" ")
        except httpx.HTTPError:
            pass
        self.ended.set()

    def next(self, timeout: float = WAIT) -> tuple[str, str]:
        return self.events.get(timeout=timeout)

    def silent(self, seconds: float = QUIET) -> bool:
        try:
            self.events.get(timeout=seconds)
        except queue.Empty:
            return True
        return False

    def close(self) -> None:
        """Close the connection itself: the reading thread is blocked on it, and httpx would
        otherwise leave the socket open until the server next writes."""
        stream = self.response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._context.__exit__(None, None, None)
        self._client.close()

    def __enter__(self) -> SSEStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def websocket_url(server: LiveServer, **params: str) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"ws://127.0.0.1:{server.port}/api/v1/streaming" + (f"?{query}" if query else "")


def open_websocket(
    server: LiveServer,
    token: str | None = None,
    *,
    protocol: str | None = None,
    **params: str,
) -> ClientConnection:
    """A WebSocket to /api/v1/streaming, the token in the Authorization header (or as the
    subprotocol, or `access_token` among `params`)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return connect(
        websocket_url(server, **params),
        additional_headers=headers,
        subprotocols=[protocol] if protocol else None,  # type: ignore[list-item]
        open_timeout=WAIT,
    )


def next_message(ws: ClientConnection, timeout: float = WAIT) -> dict:
    return orjson.loads(ws.recv(timeout=timeout))


def quiet(ws: ClientConnection, seconds: float = QUIET) -> bool:
    try:
        ws.recv(timeout=seconds)
    except TimeoutError:
        return True
    return False
