"""What an OAuth client does against the live server, for the tests of apps, tokens and login."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.support import LiveServer, User

OOB = "urn:ietf:wg:oauth:2.0:oob"
PASSWORD = "secret-pw"  # what tests.support.Directory gives every user


def email_of(user: User) -> str:
    return f"{user.username}@example.org"


def create_app(
    server: LiveServer, scopes: str = "read write follow push", redirect_uris: str = OOB
) -> dict:
    """POST /api/v1/apps as Mastodon.py sends it (a form)."""
    with server.client() as client:
        response = client.post(
            "/api/v1/apps",
            data={"client_name": "tests", "redirect_uris": redirect_uris, "scopes": scopes},
        )
    assert response.status_code == 200, response.text
    return response.json()


def token_request(server: LiveServer, **params: str) -> httpx.Response:
    with server.client() as client:
        return client.post("/oauth/token", data=params)


def password_grant(server: LiveServer, app: dict, user: User, scope: str) -> httpx.Response:
    return token_request(
        server,
        grant_type="password",
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        username=email_of(user),
        password=PASSWORD,
        scope=scope,
    )


def app_token(server: LiveServer, app: dict, scope: str = "read write") -> str:
    response = token_request(
        server,
        grant_type="client_credentials",
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        scope=scope,
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def pkce_pair() -> tuple[str, str]:
    """A PKCE verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def approve(
    server: LiveServer,
    app: dict,
    user: User,
    *,
    redirect_uri: str = OOB,
    scope: str = "read",
    state: str = "",
    challenge: str = "",
    password: str = PASSWORD,
    decision: str = "approve",
) -> httpx.Response:
    """Submit the authorize page's form as a browser would (no redirect followed)."""
    form = {
        "client_id": app["client_id"],
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": scope,
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256" if challenge else "",
        "email": email_of(user),
        "password": password,
        "decision": decision,
    }
    with server.client() as client:
        return client.post("/oauth/authorize", data=form)


def code_from(response: httpx.Response) -> str:
    """The code of an approval: from the redirect's query, or from the out-of-band page."""
    if response.status_code == 302:
        return parse_qs(urlsplit(response.headers["location"]).query)["code"][0]
    assert response.status_code == 200, response.text
    marker = 'id="authorization-code" value="'
    start = response.text.index(marker) + len(marker)
    return response.text[start : response.text.index('"', start)]
