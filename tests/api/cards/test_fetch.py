"""The card fetcher against a local site: limits, redirects, encodings and address checks."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from api.cards.addresses import AllowList, Refused, is_public, resolve
from api.cards.fetch import Fetcher, FetchFailed, FetchPolicy, Page
from tests.link_pages import PRIVATE_HOST, SITE_HOST, Site

HTML = ("text/html",)


def fetch(url: str, *, allowed: str = SITE_HOST, deadline: float = 3.0) -> Page:
    async def go() -> Page:
        fetcher = Fetcher(FetchPolicy(allowed=AllowList.parse(allowed), deadline=deadline))
        try:
            return await fetcher.get(url, HTML)
        finally:
            await fetcher.close()

    return asyncio.run(go())


def test_a_page_is_fetched_from_an_allow_listed_host(site: Site) -> None:
    page = fetch(site.url("/og"))
    assert page.url == site.url("/og")
    assert b"og:title" in page.body
    assert page.charset == "utf-8"


def test_a_non_html_answer_is_refused(site: Site) -> None:
    with pytest.raises(FetchFailed, match="application/pdf"):
        fetch(site.url("/file.pdf"))


def test_a_404_is_a_failure(site: Site) -> None:
    with pytest.raises(FetchFailed, match="HTTP 404"):
        fetch(site.url("/missing"))


def test_a_20_mb_page_is_read_up_to_1_mb_and_no_further(site: Site) -> None:
    page = fetch(site.url("/huge"))
    assert page.truncated
    assert len(page.body) == 1024 * 1024
    assert page.body.startswith(b"<html><head><title>Huge page</title>")
    time.sleep(0.5)
    assert site.huge_sent < 8 * 1024 * 1024  # the server was stopped well before 20 MB


def test_a_page_that_never_finishes_times_out_at_the_deadline(site: Site) -> None:
    started = time.monotonic()
    with pytest.raises(FetchFailed, match="timed out"):
        fetch(site.url("/never"), deadline=1.0)
    assert time.monotonic() - started < 3.0


def test_three_redirects_are_followed_and_the_final_url_kept(site: Site) -> None:
    page = fetch(site.url("/redirect/3"))
    assert page.url == site.url("/title")


def test_a_chain_of_five_redirects_fails(site: Site) -> None:
    with pytest.raises(FetchFailed, match="more than 3 redirects"):
        fetch(site.url("/redirect/5"))


def test_a_redirect_to_loopback_is_refused_when_not_allow_listed(site: Site) -> None:
    before = site.hits["/og"]
    with pytest.raises(Refused, match="127.0.0.1"):
        fetch(site.url("/to-loopback"))
    assert site.hits["/og"] == before


def test_a_loopback_address_is_refused_without_the_allow_list(site: Site) -> None:
    with pytest.raises(Refused):
        fetch(site.url("/og"), allowed="")
    with pytest.raises(Refused):
        fetch(site.url("/og", host="127.0.0.1"), allowed="")


def test_a_cidr_on_the_allow_list_admits_its_addresses(site: Site) -> None:
    assert fetch(site.url("/title", host="127.0.0.1"), allowed="127.0.0.0/8").body


def test_a_hostname_resolving_to_a_private_address_is_refused(site: Site) -> None:
    with pytest.raises(Refused, match="refused address"):
        fetch(f"http://{PRIVATE_HOST}:{site.port}/og")
    with pytest.raises(Refused, match="refused address"):
        fetch(site.url("/to-private"))


def test_gzip_and_brotli_bodies_are_decoded(site: Site) -> None:
    assert b"Just a" in fetch(site.url("/gzip")).body
    assert b"og:title" in fetch(site.url("/brotli")).body


def test_the_charset_of_the_content_type_is_reported(site: Site) -> None:
    assert fetch(site.url("/shift-jis")).charset == "shift_jis"


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "224.0.0.1",
        "0.0.0.0",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:8.8.8.8",
        "64:ff9b::a00:1",
        "2002:7f00:1::1",
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    import ipaddress

    assert not is_public(ipaddress.ip_address(address))
    with pytest.raises(Refused):
        asyncio.run(resolve(address, 80, AllowList()))


def test_public_addresses_are_allowed() -> None:
    import ipaddress

    assert is_public(ipaddress.ip_address("93.184.216.34"))
    assert is_public(ipaddress.ip_address("2606:2800:220:1:248:1893:25c8:1946"))


def test_a_redirect_to_a_broken_or_non_http_url_fails(site: Site) -> None:
    with pytest.raises(FetchFailed):  # httpx itself refuses the Location
        fetch(site.url("/bad-redirect"))
    with pytest.raises(Refused, match="not an http"):
        fetch(site.url("/ftp-redirect"))


def test_requests_name_the_host_and_tootlog_with_its_instance(site: Site) -> None:
    from api.cards.config import CardSettings
    from tests.support import TEST_URLS

    policy = CardSettings(allowed=AllowList.parse(SITE_HOST)).policy(TEST_URLS)

    async def go() -> None:
        fetcher = Fetcher(policy)
        try:
            await fetcher.get(site.url("/title?headers"), HTML)
        finally:
            await fetcher.close()

    asyncio.run(go())
    sent = site.headers["/title"]
    assert sent["Host"] == f"{SITE_HOST}:{site.port}"  # the name, though 127.0.0.1 was dialled
    assert sent["User-Agent"] == "tootlog (+https://example.com/) Bot"
    assert "br" in sent["Accept-Encoding"] and sent["Accept"] == "text/html"


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A test CA and a certificate it signed for SITE_HOST (made with the openssl command)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    (folder / "ext").write_text(f"subjectAltName=DNS:{SITE_HOST}\n")
    for command in (
        "req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=test-ca",
        f"req -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr -subj /CN={SITE_HOST}",
        "x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out leaf.pem -days 2"
        " -extfile ext",
    ):
        subprocess.run(["openssl", *command.split()], cwd=folder, check=True, capture_output=True)
    return folder


def test_https_goes_to_the_checked_address_with_the_name_in_sni_and_the_certificate_check(
    tls_files: Path,
) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TlsPage)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls_files / "leaf.pem", tls_files / "leaf.key")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    trusting = ssl.create_default_context(cafile=str(tls_files / "ca.pem"))
    port = server.server_address[1]

    async def go(host: str, allowed: str) -> Page:
        policy = FetchPolicy(allowed=AllowList.parse(allowed), tls=trusting, deadline=3.0)
        fetcher = Fetcher(policy)
        try:
            return await fetcher.get(f"https://{host}:{port}/", HTML)
        finally:
            await fetcher.close()

    try:
        page = asyncio.run(go(SITE_HOST, SITE_HOST))
        assert b"Over TLS" in page.body
        assert _TlsPage.seen_host == f"{SITE_HOST}:{port}"
        # Dialled by address, the certificate (issued to the name) does not match.
        with pytest.raises(FetchFailed):
            asyncio.run(go("127.0.0.1", "127.0.0.1"))
    finally:
        server.shutdown()
        server.server_close()


class _TlsPage(BaseHTTPRequestHandler):
    seen_host = ""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        type(self).seen_host = self.headers.get("Host", "")
        body = b"<title>Over TLS</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
