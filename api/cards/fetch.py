"""The card fetcher's HTTP client: one GET, safe against SSRF, bounded in time and size.

Every hop (the first request and each redirect) is resolved with the system resolver, checked
(`addresses.resolve`) and then sent to the checked address itself, with the original host in the
Host header and in TLS SNI (and certificate checks against that name): a second DNS answer can
never redirect the connection (no DNS rebinding). Connections are never reused, so a connection
made for one host name is never used for another.
"""

from __future__ import annotations

import asyncio
import ssl
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email.message import Message

import brotli
import httpx

from api.cards.addresses import AllowList, Refused, resolve

MAX_BODY_BYTES = 1024 * 1024
MAX_REDIRECTS = 3
REDIRECT_STATUSES = (301, 302, 303, 307, 308)


class FetchFailed(Exception):
    """The page gave no usable answer; the message is the recorded reason."""


@dataclass(frozen=True)
class FetchPolicy:
    """Limits of one fetch (every hop and the body read included)."""

    allowed: AllowList = AllowList()
    user_agent: str = "tootlog (+https://localhost/) Bot"
    connect_timeout: float = 5.0
    read_timeout: float = 5.0
    deadline: float = 10.0
    max_redirects: int = MAX_REDIRECTS
    max_body_bytes: int = MAX_BODY_BYTES
    # Certificates are checked against the system's CAs unless another context is given.
    tls: ssl.SSLContext | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Page:
    """A fetched document: the final URL, at most `max_body_bytes` of its decoded body
    (`truncated` when there was more), and the charset its Content-Type named."""

    url: str
    body: bytes
    charset: str | None
    truncated: bool = False


def media_type(content_type: str | None) -> tuple[str, str | None]:
    """`text/html; charset=ISO-8859-1` -> ("text/html", "iso-8859-1")."""
    message = Message()
    message["content-type"] = content_type or "application/octet-stream"
    charset = message.get_param("charset")
    return message.get_content_type(), charset.lower() if isinstance(charset, str) else None


class Fetcher:
    """GETs pages under a FetchPolicy. One instance serves a whole worker."""

    def __init__(self, policy: FetchPolicy) -> None:
        self.policy = policy
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            trust_env=False,  # no proxy from the environment: we connect where we checked
            verify=policy.tls or ssl.create_default_context(),
            timeout=httpx.Timeout(
                connect=policy.connect_timeout,
                read=policy.read_timeout,
                write=policy.read_timeout,
                pool=policy.connect_timeout,
            ),
            limits=httpx.Limits(max_keepalive_connections=0),
        )

    async def close(self) -> None:
        await self._client.aclose()

    async def get(self, url: str, accept: tuple[str, ...], limit: int | None = None) -> Page:
        """GET `url` (following at most `max_redirects` redirects); a 200 answer of one of the
        `accept`ed media types, its body read up to `limit` bytes (the policy's by default), or
        FetchFailed / Refused with the reason."""
        try:
            async with asyncio.timeout(self.policy.deadline):
                return await self._get(url, accept, limit or self.policy.max_body_bytes)
        except TimeoutError as error:
            raise FetchFailed("timed out") from error
        except httpx.TimeoutException as error:
            raise FetchFailed("timed out") from error
        except httpx.HTTPError as error:
            raise FetchFailed(f"HTTP error: {type(error).__name__}") from error
        except ssl.SSLError as error:
            raise FetchFailed("TLS error") from error
        except (httpx.InvalidURL, ValueError, UnicodeError) as error:
            raise FetchFailed("invalid URL") from error

    async def _get(self, url: str, accept: tuple[str, ...], limit: int) -> Page:
        current = url
        for _hop in range(self.policy.max_redirects + 1):
            request = await self._request(current, accept)
            response = await self._client.send(request, stream=True)
            try:
                if response.status_code in REDIRECT_STATUSES:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchFailed(f"HTTP {response.status_code} without Location")
                    current = str(httpx.URL(current).join(location))
                    continue
                if response.status_code != 200:
                    raise FetchFailed(f"HTTP {response.status_code}")
                kind, charset = media_type(response.headers.get("content-type"))
                if kind not in accept:
                    raise FetchFailed(f"not {' or '.join(accept)}: {kind}")
                body, truncated = await _read_limited(response, self.policy.max_body_bytes)
                return Page(current, body, charset, truncated)
            finally:
                await response.aclose()
        raise FetchFailed(f"more than {self.policy.max_redirects} redirects")

    async def _request(self, url: str, accept: tuple[str, ...]) -> httpx.Request:
        try:
            target = httpx.URL(url)
        except (httpx.InvalidURL, ValueError) as error:
            raise Refused("invalid URL") from error
        if target.scheme not in ("http", "https") or not target.host:
            raise Refused(f"not an http(s) URL: {url[:100]}")
        port = target.port or (443 if target.scheme == "https" else 80)
        address = await resolve(target.host, port, self.policy.allowed)
        host_header = target.netloc.decode("ascii").rsplit("@", 1)[-1]
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        return self._client.build_request(
            "GET",
            target.copy_with(host=str(address), port=port, username=None, password=None),
            headers={
                "Host": host_header,
                "Accept": ", ".join(accept),
                "Accept-Encoding": "gzip, deflate, br",
                "User-Agent": self.policy.user_agent,
            },
            extensions=extensions,
        )


async def _read_limited(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    """At most `limit` decoded bytes of the body, and whether there was more. Reading stops
    as soon as the limit is reached; a compressed body is inflated no further than that."""
    decoder = _Decoder(response.headers.get("content-encoding", ""), limit)
    body = bytearray()
    async for chunk in _raw_chunks(response):
        body += decoder.feed(chunk, limit - len(body))
        if len(body) >= limit:
            return bytes(body[:limit]), True
    return bytes(body), False


async def _raw_chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    async for chunk in response.aiter_raw(16384):
        yield chunk


class _Decoder:
    """Content-Encoding decoding that never produces more than it is asked for."""

    def __init__(self, encoding: str, limit: int) -> None:
        encoding = encoding.strip().lower()
        self.kind = encoding
        if encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj()
        elif encoding == "br":
            self._brotli = brotli.Decompressor()
        elif encoding not in ("", "identity"):
            raise FetchFailed(f"unsupported Content-Encoding: {encoding[:40]}")

    def feed(self, data: bytes, room: int) -> bytes:
        room = max(room, 1)
        try:
            if self.kind in ("gzip", "x-gzip", "deflate"):
                return self._zlib.decompress(data, room)
            if self.kind == "br":
                return self._brotli.process(data, output_buffer_limit=room)
        except (zlib.error, brotli.error) as error:
            raise FetchFailed("undecodable body") from error
        return data
