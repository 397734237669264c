"""The authorization-code flow in a real browser: headless chromium fills in the authorize page,
approves, and the client exchanges the code for a token it then uses."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.api.oauth_client import OOB, PASSWORD, create_app, email_of, pkce_pair, token_request
from tests.e2e.browser import headless_chromium, needs_chromium
from tests.support import Directory, LiveServer, User

pytestmark = needs_chromium


@pytest.fixture
def alice(directory: Directory) -> User:
    return directory.user()


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    driver = headless_chromium()
    try:
        yield driver
    finally:
        driver.quit()


class _Callback(BaseHTTPRequestHandler):
    received: list[str]

    def do_GET(self) -> None:  # noqa: N802  (the http.server API)
        self.received.append(self.path)
        body = b"<html><body><p id='done'>You may close this window.</p></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def callback() -> Iterator[tuple[str, list[str]]]:
    """A client's redirect URI on a loopback port, and the paths it received."""
    received: list[str] = []
    handler = type("Handler", (_Callback,), {"received": received})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/callback", received
    finally:
        server.shutdown()
        server.server_close()


def _log_in(browser: webdriver.Chrome, user: User, password: str) -> None:
    browser.find_element(By.ID, "email").send_keys(email_of(user))
    browser.find_element(By.ID, "password").send_keys(password)
    browser.find_element(By.ID, "authorize").click()


def _use(server: LiveServer, token: str, user: User) -> None:
    with server.client(token) as client:
        me = client.get("/api/v1/accounts/verify_credentials")
        posted = client.post("/api/v1/statuses", data={"status": "logged in from a browser"})
    assert me.status_code == 200 and me.json()["id"] == user.id
    assert posted.status_code == 200 and posted.json()["account"]["id"] == user.id


def test_browser_approves_and_the_code_with_pkce_buys_a_working_token(
    live_server: LiveServer,
    browser: webdriver.Chrome,
    callback: tuple[str, list[str]],
    alice: User,
) -> None:
    redirect_uri, received = callback
    app = create_app(live_server, scopes="read write", redirect_uris=redirect_uri)
    verifier, challenge = pkce_pair()
    query = {
        "response_type": "code",
        "client_id": app["client_id"],
        "redirect_uri": redirect_uri,
        "scope": "read write",
        "state": "opaque-state",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    browser.get(f"{live_server.base_url}/oauth/authorize?{urlencode(query)}")
    assert browser.find_element(By.ID, "app-name").text == "tests"
    _log_in(browser, alice, PASSWORD)
    WebDriverWait(browser, 30).until(lambda b: b.find_elements(By.ID, "done"))

    assert browser.current_url.startswith(redirect_uri)
    redirects = [path for path in received if path.startswith("/callback?")]  # not favicon.ico
    assert len(redirects) == 1
    params = parse_qs(urlsplit(redirects[0]).query)
    assert params["state"] == ["opaque-state"]
    response = token_request(
        live_server,
        grant_type="authorization_code",
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        code=params["code"][0],
        redirect_uri=redirect_uri,
        code_verifier=verifier,
    )
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "read write"
    _use(live_server, response.json()["access_token"], alice)


def test_browser_out_of_band_shows_the_code_after_a_mistyped_password(
    live_server: LiveServer, browser: webdriver.Chrome, alice: User
) -> None:
    app = create_app(live_server, scopes="read write follow", redirect_uris=OOB)
    # toot's URL: trailing slash, scopes joined by '+'.
    url = httpx.URL(
        f"{live_server.base_url}/oauth/authorize/",
        params={
            "response_type": "code",
            "redirect_uri": OOB,
            "scope": "read write follow",
            "client_id": app["client_id"],
        },
    )
    browser.get(str(url))
    _log_in(browser, alice, "mistyped")
    WebDriverWait(browser, 30).until(lambda b: b.find_elements(By.CLASS_NAME, "error"))
    assert "Invalid e-mail address or password." in browser.page_source
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "authorize").click()
    field = WebDriverWait(browser, 30).until(
        lambda b: b.find_elements(By.ID, "authorization-code")
    )[0]
    code = field.get_attribute("value")
    assert code

    response = token_request(
        live_server,
        grant_type="authorization_code",
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        code=code,
        redirect_uri=OOB,
    )
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "read write follow"
    _use(live_server, response.json()["access_token"], alice)
