"""GET and POST /oauth/authorize (§8.3): the login-and-approve page, its errors and redirects."""

from __future__ import annotations

import httpx
import pytest

from tests.api.oauth_client import OOB, approve, code_from, create_app, email_of, token_request
from tests.support import LiveServer, User

CALLBACK = "https://client.example/cb"


@pytest.fixture(scope="module")
def app(live_server: LiveServer) -> dict:
    return create_app(live_server, scopes="read write push", redirect_uris=f"{OOB}\n{CALLBACK}")


def page(server: LiveServer, path: str = "/oauth/authorize", **params: str) -> httpx.Response:
    with server.client() as client:
        return client.get(path, params=params)


def test_page_names_the_app_and_the_scopes_and_carries_the_request(
    live_server: LiveServer, app: dict
) -> None:
    # toot opens the page with a trailing slash.
    response = page(
        live_server,
        "/oauth/authorize/",
        response_type="code",
        client_id=app["client_id"],
        redirect_uri=OOB,
        scope="read push",
        state="s&t<a>te",
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    html = response.text
    assert '<strong id="app-name">tests</strong>' in html
    assert "<code>read</code>" in html and "<code>push</code>" in html
    assert "<code>write</code>" not in html
    assert 'name="state" value="s&amp;t&lt;a&gt;te"' in html
    assert 'type="password"' in html and 'name="email"' in html


def test_app_name_is_escaped(live_server: LiveServer) -> None:
    with live_server.client() as client:
        evil = client.post(
            "/api/v1/apps",
            data={"client_name": "<script>alert(1)</script>", "redirect_uris": OOB},
        ).json()
    html = page(
        live_server, response_type="code", client_id=evil["client_id"], redirect_uri=OOB
    ).text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"client_id": ""}, "invalid_request"),
        ({"client_id": "unknown"}, "invalid_client"),
        ({"redirect_uri": "https://evil.example/cb"}, "invalid_redirect_uri"),
        ({"redirect_uri": ""}, "invalid_redirect_uri"),
    ],
)
def test_unknown_client_or_redirect_uri_is_shown_never_redirected(
    live_server: LiveServer, app: dict, change: dict, error: str
) -> None:
    params = {
        "response_type": "code",
        "client_id": app["client_id"],
        "redirect_uri": CALLBACK,
        **change,
    }
    response = page(live_server, **params)
    assert response.status_code == 400
    assert f'<code id="error">{error}</code>' in response.text


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"scope": "read follow"}, "invalid_scope"),
        ({"scope": "read hoge"}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"response_type": ""}, "invalid_request"),
        (
            {"code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"},
            "invalid_code_challenge_method",
        ),
    ],
)
def test_other_errors_go_back_to_the_client_with_the_state(
    live_server: LiveServer, app: dict, change: dict, error: str
) -> None:
    params = {
        "response_type": "code",
        "client_id": app["client_id"],
        "redirect_uri": CALLBACK,
        "state": "abc",
        **change,
    }
    response = page(live_server, **params)
    assert response.status_code == 302
    location = httpx.URL(response.headers["location"])
    assert (location.host, location.path) == ("client.example", "/cb")
    assert location.params["error"] == error
    assert location.params["error_description"]
    assert location.params["state"] == "abc"
    # Out of band there is nowhere to send it: the page shows it.
    shown = page(live_server, **{**params, "redirect_uri": OOB})
    assert shown.status_code == 400
    assert f'<code id="error">{error}</code>' in shown.text


def test_wrong_password_shows_the_form_again_and_issues_nothing(
    live_server: LiveServer, app: dict, alice: User
) -> None:
    response = approve(live_server, app, alice, password="not-the-password", state="keep")
    assert response.status_code == 422
    assert "Invalid e-mail address or password." in response.text
    assert f'value="{email_of(alice)}"' in response.text
    assert 'name="state" value="keep"' in response.text
    assert "authorization-code" not in response.text


def test_unknown_email_is_the_same_refusal(live_server: LiveServer, app: dict) -> None:
    stranger = User(0, "nobody-here", "")
    response = approve(live_server, app, stranger)
    assert response.status_code == 422
    assert "Invalid e-mail address or password." in response.text


def test_deny_sends_access_denied_to_the_client(live_server: LiveServer, app: dict) -> None:
    stranger = User(0, "whoever", "")
    response = approve(
        live_server, app, stranger, redirect_uri=CALLBACK, state="st", decision="deny"
    )
    assert response.status_code == 302
    location = httpx.URL(response.headers["location"])
    assert location.params["error"] == "access_denied"
    assert location.params["state"] == "st"
    assert "code" not in location.params


def test_approval_out_of_band_shows_the_code_and_it_buys_the_granted_scopes(
    live_server: LiveServer, app: dict, alice: User
) -> None:
    approved = approve(live_server, app, alice, scope="write push")
    assert approved.status_code == 200
    code = code_from(approved)
    response = token_request(
        live_server,
        grant_type="authorization_code",
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        code=code,
        redirect_uri=OOB,
    )
    assert response.status_code == 200
    assert response.json()["scope"] == "write push"


def test_a_tampered_approval_is_checked_again(
    live_server: LiveServer, app: dict, alice: User
) -> None:
    tampered = approve(live_server, app, alice, redirect_uri=CALLBACK, scope="read follow")
    assert tampered.status_code == 302
    assert httpx.URL(tampered.headers["location"]).params["error"] == "invalid_scope"
    elsewhere = approve(live_server, app, alice, redirect_uri="https://evil.example/")
    assert elsewhere.status_code == 400
    assert "invalid_redirect_uri" in elsewhere.text


def test_well_known_oauth_metadata_lists_the_password_grant_on_an_https_server(
    live_server: LiveServer,
) -> None:
    """This server's public URLs are https (tests.support.TEST_URLS): the metadata is served,
    naming the endpoints clients log in through (a plain-http server serves none:
    tests/e2e/test_discovery.py)."""
    with live_server.client() as client:
        response = client.get("/.well-known/oauth-authorization-server")
    assert response.status_code == 200
    metadata = response.json()
    assert "password" in metadata["grant_types_supported"]
    assert metadata["authorization_endpoint"] == "https://example.com/oauth/authorize"
