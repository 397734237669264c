"""A bound on every request's head (request line and headers), enforced as the bytes arrive.

httptools buffers a header until its end, whatever its size, and uvicorn sets no limit: a 16 MiB
header was parsed, handed to the app and stored. Here a head larger than the bound is answered
431 as soon as that many bytes have arrived, and the connection is closed, so at most the bound
plus one read is ever held. `tootlog serve` uses it; to run uvicorn yourself, pass
`--http api.http_limits:BoundedHttpToolsProtocol` (the default bound).
"""

from __future__ import annotations

from functools import partial
from typing import Any

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.config import DEFAULT_MAX_HEAD_BYTES

TOO_LARGE = "Request header fields too large"


class HeadTooLarge(Exception):
    """Raised in a parser callback to stop parsing a request whose head is over the bound."""


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, refusing a request head over `max_head_bytes` with 431."""

    def __init__(
        self, *args: Any, max_head_bytes: int = DEFAULT_MAX_HEAD_BYTES, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.max_head_bytes = max_head_bytes
        self._head_bytes = 0
        self._in_head = True
        self._too_large = False

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._head_bytes += len(data)
        super().data_received(data)
        # A head still incomplete past the bound: answer now rather than buffer the rest.
        too_large = self._in_head and self._head_bytes > self.max_head_bytes
        if too_large and not self.transport.is_closing():
            self._refuse()

    def on_headers_complete(self) -> None:
        # A head that arrived whole in one read: measured here, before the app sees it.
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > self.max_head_bytes:
            self._too_large = True
            raise HeadTooLarge  # httptools stops; uvicorn answers through send_400_response
        self._in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head, self._head_bytes = True, 0  # the next request on this connection

    def send_400_response(self, msg: str) -> None:
        if self._too_large:
            self._refuse()
        else:
            super().send_400_response(msg)

    def _refuse(self) -> None:
        body = orjson.dumps({"error": TOO_LARGE})
        self.transport.write(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
            b"content-type: application/json; charset=utf-8\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\n"
            b"connection: close\r\n\r\n" + body
        )
        self.transport.close()


def bounded_protocol(max_head_bytes: int) -> partial[BoundedHttpToolsProtocol]:
    """What `uvicorn.run(http=...)` takes: the protocol with this bound."""
    return partial(BoundedHttpToolsProtocol, max_head_bytes=max_head_bytes)
