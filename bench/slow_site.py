"""A slow web site for the `post_status_slow_links` scenario: every page answers after 2 s.

It listens on 127.0.0.1 and is reached by a name mapped in /etc/hosts (a status links only host
names with a real TLD), which is restored afterwards; the bench's tootlog allows that name with
TOOTLOG_CARD_ALLOWED_HOSTS.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import Request, urlopen

HOST = "slow.tootlog-bench.net"
DELAY = 2.0
PAGE = b"<html><head><title>A slow page</title></head><body>slow</body></html>"


class _Slow(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        time.sleep(DELAY)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)


@contextlib.contextmanager
def slow_site() -> Iterator[str]:
    """Run the site; yields its base URL (by name)."""
    hosts = Path("/etc/hosts")
    original = hosts.read_text()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        hosts.write_text(original.rstrip("\n") + f"\n127.0.0.1 {HOST}\n")  # in place: a mount
        yield f"http://{HOST}:{server.server_address[1]}"
    finally:
        hosts.write_text(original)
        server.shutdown()
        server.server_close()


def post_links(base_url: str, token: str, site: str, count: int) -> float:
    """Post `count` statuses, each linking its own slow page; returns the seconds it took."""

    def post(n: int) -> None:
        body = urlencode({"status": f"slow link {n}: {site}/page/{n}"}).encode()
        request = Request(f"{base_url}/api/v1/statuses", data=body, method="POST")
        request.add_header("Authorization", f"Bearer {token}")
        with urlopen(request, timeout=30) as answer:
            answer.read()

    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(post, range(count)))
    return time.monotonic() - started
