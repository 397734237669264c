"""A local web site for the link card tests: the pages the card worker meets in the wild.

It runs in a thread on 127.0.0.1 and counts the requests of every path, so tests can tell that a
page was fetched once. `hosts_entries` maps test host names in /etc/hosts (the system resolver
is what the fetcher uses), restoring the file afterwards.
"""

from __future__ import annotations

import gzip
import io
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import brotli
import orjson
from PIL import Image

# Names the tests resolve through /etc/hosts (under a real TLD, or the text would not link
# them): the site itself, and a name for a private address
# (nothing listens there; the fetcher must refuse it before connecting).
SITE_HOST = "cards.tootlog-tests.net"
PRIVATE_HOST = "private.tootlog-tests.net"
PRIVATE_ADDRESS = "10.213.7.9"
HUGE_BYTES = 20 * 1024 * 1024

OPENGRAPH = b"""<!doctype html><html lang="fr"><head>
<meta charset="utf-8">
<title>Ignored title</title>
<meta property="og:title" content="Caf&eacute; &amp; cr&egrave;me">
<meta property="og:description" content="All about &lt;coffee&gt;">
<meta property="og:image" content="/img/cup.png">
<meta property="og:image:width" content="640">
<meta property="og:image:height" content="360">
<meta property="og:image:alt" content="A cup">
<meta property="og:site_name" content="Coffee Weekly">
<meta property="og:locale" content="en_GB">
<meta property="og:type" content="article">
<meta property="article:published_time" content="2026-11-30T08:15:00Z">
<meta name="author" content="Ada">
</head><body><p>text</p><script>document.write("<title>not me</title>")</script></body></html>"""

TITLE_ONLY = b"<html><head><title>  Just a   title </title></head><body>hi</body></html>"

RELATIVE = b"""<html><head><title>Relative</title>
<meta property="og:image" content="../images/pic.png">
<meta name="description" content="Plain description">
</head></html>"""

# "Crème brûlée à la française" in ISO-8859-1, declared only by the document.
LATIN1 = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
    "<title>Cr\u00e8me br\u00fbl\u00e9e \u00e0 la fran\u00e7aise</title></head></html>"
).encode("iso-8859-1")
# The same title in Shift_JIS, declared only by the Content-Type header.
SHIFT_JIS_TITLE = "\u65e5\u672c\u8a9e\u306e\u30da\u30fc\u30b8"
SHIFT_JIS = f"<html><head><title>{SHIFT_JIS_TITLE}</title></head></html>".encode("shift_jis")

OEMBED_PAGE = b"""<html><head><title>Video page</title>
<link rel="alternate" type="application/json+oembed" href="/oembed.json?url=video">
<meta property="og:title" content="Video page (OpenGraph)">
</head></html>"""
OEMBED = {
    "type": "video",
    "version": "1.0",
    "title": "A video",
    "author_name": "Someone",
    "author_url": "/people/someone",
    "provider_name": "ExampleTube",
    "provider_url": "/",
    "thumbnail_url": "/thumbs/video.jpg",
    "width": 640,
    "height": 360,
    "html": '<iframe src="https://player.example/v/1" width="640" height="360"></iframe>'
    "<script>alert(1)</script>",
}


def _image(size: tuple[int, int], color: str, image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, image_format)
    return buffer.getvalue()


CUP = _image((64, 32), "saddlebrown", "PNG")
PIC = _image((10, 10), "navy", "PNG")
THUMB = _image((32, 18), "red", "JPEG")
PRIVATE_IMAGE = f"""<html><head><title>Private image</title>
<meta property="og:image" content="http://{PRIVATE_HOST}/x.png"></head></html>""".encode()


class Site:
    """The running site: its base URLs and what was requested."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.headers: dict[str, dict[str, str]] = {}  # the last request's headers, by path
        self.huge_sent = 0  # bytes of /huge written before the client went away
        self.closing = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str, host: str = SITE_HOST) -> str:
        return f"http://{host}:{self.port}{path}"

    def stop(self) -> None:
        self.closing.set()
        self.server.shutdown()
        self.server.server_close()


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            path = self.path.split("?", 1)[0]
            site.hits[path] += 1
            site.headers[path] = dict(self.headers.items())
            route = ROUTES.get(path)
            if route is None and path.startswith("/redirect/"):
                left = int(path.rsplit("/", 1)[1])
                target = "/title" if left <= 1 else f"/redirect/{left - 1}"
                return self._send(302, b"", "text/html", {"Location": target})
            if route is None and path.startswith("/slow/"):
                time.sleep(2.0)
                return self._send(200, TITLE_ONLY, "text/html")
            if route is None:
                return self._send(404, b"<title>Not found</title>", "text/html")
            route(self)

        def _send(
            self, code: int, body: bytes, kind: str, headers: dict[str, str] | None = None
        ) -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def huge(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(HUGE_BYTES))
            self.end_headers()
            chunk = b"<!-- " + b"x" * 65_000 + b" -->\n"
            sent = 0
            try:
                self.wfile.write(b"<html><head><title>Huge page</title></head><body>")
                while sent < HUGE_BYTES - 100_000:
                    self.wfile.write(chunk)
                    sent += len(chunk)
                    site.huge_sent = sent
            except OSError:
                pass  # the client stopped reading: what the fetcher should do
            self.close_connection = True

        def never(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            try:
                self.wfile.write(b"<html><head>")
                self.wfile.flush()
                while not site.closing.wait(0.2):
                    pass
            except OSError:
                pass
            self.close_connection = True

        def to_loopback(self) -> None:
            self._send(302, b"", "text/html", {"Location": site.url("/og", host="127.0.0.1")})

        def to_private(self) -> None:
            self._send(302, b"", "text/html", {"Location": site.url("/og", host=PRIVATE_HOST)})

    ROUTES = {
        "/og": lambda h: h._send(200, OPENGRAPH, "text/html; charset=utf-8"),
        "/title": lambda h: h._send(200, TITLE_ONLY, "text/html"),
        "/articles/one": lambda h: h._send(200, RELATIVE, "text/html"),
        "/latin1": lambda h: h._send(200, LATIN1, "text/html"),
        "/shift-jis": lambda h: h._send(200, SHIFT_JIS, "text/html; charset=Shift_JIS"),
        "/gzip": lambda h: h._send(
            200, gzip.compress(TITLE_ONLY), "text/html", {"Content-Encoding": "gzip"}
        ),
        "/brotli": lambda h: h._send(
            200, brotli.compress(OPENGRAPH), "text/html", {"Content-Encoding": "br"}
        ),
        "/file.pdf": lambda h: h._send(200, b"%PDF-1.4 not html", "application/pdf"),
        "/video": lambda h: h._send(200, OEMBED_PAGE, "text/html"),
        "/oembed.json": lambda h: h._send(200, orjson.dumps(OEMBED), "application/json"),
        "/huge": lambda h: h.huge(),
        "/never": lambda h: h.never(),
        "/to-loopback": lambda h: h.to_loopback(),
        "/to-private": lambda h: h.to_private(),
        "/missing": lambda h: h._send(404, b"<title>Gone</title>", "text/html"),
        "/img/cup.png": lambda h: h._send(200, CUP, "image/png"),
        "/images/pic.png": lambda h: h._send(200, PIC, "image/png"),
        "/thumbs/video.jpg": lambda h: h._send(200, THUMB, "image/jpeg"),
        "/private-image": lambda h: h._send(200, PRIVATE_IMAGE, "text/html"),
        "/bad-redirect": lambda h: h._send(302, b"", "text/html", {"Location": "http://h:x/"}),
        "/ftp-redirect": lambda h: h._send(302, b"", "text/html", {"Location": "ftp://x.org/f"}),
    }
    return Handler


@contextmanager
def hosts_entries(entries: dict[str, str]) -> Iterator[None]:
    """Map host names to addresses in /etc/hosts for the duration (tests run as root)."""
    hosts = Path("/etc/hosts")
    original = hosts.read_text()
    lines = "".join(f"{address} {name}\n" for name, address in entries.items())
    # Written in place: /etc/hosts may be a bind mount that cannot be replaced by a rename.
    hosts.write_text(original.rstrip("\n") + "\n" + lines)
    try:
        yield
    finally:
        hosts.write_text(original)


@contextmanager
def running_site() -> Iterator[Site]:
    """The site, reachable as SITE_HOST, with PRIVATE_HOST mapped to a private address."""
    with hosts_entries({SITE_HOST: "127.0.0.1", PRIVATE_HOST: PRIVATE_ADDRESS}):
        site = Site()
        try:
            yield site
        finally:
            site.stop()
