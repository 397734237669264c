"""POST /oauth/token and POST /oauth/revoke (§8.2, §8.3): grants, errors, revocation."""

from __future__ import annotations

import base64
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from commands.oauth import issue_authorization_code
from domain.oauth import AuthorizationRequest
from tests.api.oauth_client import (
    OOB,
    PASSWORD,
    app_token,
    approve,
    code_from,
    create_app,
    email_of,
    password_grant,
    pkce_pair,
    token_request,
)
from tests.support import Directory, LiveServer, User

INVALID_CLIENT = {
    "error": "invalid_client",
    "error_description": "Client authentication failed due to unknown client, no client "
    "authentication included, or unsupported authentication method.",
}
INVALID_GRANT = {
    "error": "invalid_grant",
    "error_description": "The provided authorization grant is invalid, expired, revoked, does "
    "not match the redirection URI used in the authorization request, or was issued to another "
    "client.",
}
INVALID_SCOPE = {
    "error": "invalid_scope",
    "error_description": "The requested scope is invalid, unknown, or malformed.",
}
UNSUPPORTED = {
    "error": "unsupported_grant_type",
    "error_description": "The authorization grant type is not supported by the authorization "
    "server.",
}


def missing(name: str) -> dict:
    return {"error": "invalid_request", "error_description": f"Missing required parameter: {name}."}


@pytest.fixture(scope="module")
def app(live_server: LiveServer) -> dict:
    return create_app(live_server, redirect_uris=f"{OOB}\nhttps://client.example/cb")


def whoami(server: LiveServer, token: str) -> httpx.Response:
    with server.client(token) as client:
        return client.get("/api/v1/accounts/verify_credentials")


def test_password_grant_with_the_email_echoes_every_scope_and_the_token_works(
    live_server: LiveServer, app: dict, alice: User
) -> None:
    response = password_grant(live_server, app, alice, "read write follow push")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "scope", "created_at"}
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "read write follow push"
    assert isinstance(body["created_at"], int) and abs(body["created_at"] - time.time()) < 600
    assert whoami(live_server, body["access_token"]).json()["username"] == alice.username


def test_password_grant_as_json_with_http_basic_client_and_default_scope(
    live_server: LiveServer, app: dict, alice: User
) -> None:
    basic = base64.b64encode(f"{app['client_id']}:{app['client_secret']}".encode()).decode()
    with live_server.client() as client:
        response = client.post(
            "/oauth/token",
            json={"grant_type": "password", "username": email_of(alice), "password": PASSWORD},
            headers={"Authorization": f"Basic {basic}"},
        )
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "read"


def test_each_grant_issues_a_new_token(live_server: LiveServer, app: dict, alice: User) -> None:
    first = password_grant(live_server, app, alice, "read").json()["access_token"]
    second = password_grant(live_server, app, alice, "read").json()["access_token"]
    assert first != second
    assert whoami(live_server, first).status_code == whoami(live_server, second).status_code == 200


@pytest.mark.parametrize(
    ("change", "status", "body"),
    [
        ({"password": "wrong-password"}, 400, INVALID_GRANT),
        ({"username": "nobody@example.org"}, 400, INVALID_GRANT),
        ({"username": ""}, 400, INVALID_GRANT),
        ({"client_secret": "wrong"}, 401, INVALID_CLIENT),
        ({"client_id": "unknown"}, 401, INVALID_CLIENT),
        ({"client_id": "", "client_secret": ""}, 401, INVALID_CLIENT),
        ({"scope": "read admin:read"}, 400, INVALID_SCOPE),
        ({"scope": "read hoge"}, 400, INVALID_SCOPE),
        ({"scope": "read:statuses"}, 400, INVALID_SCOPE),
        ({"grant_type": "refresh_token"}, 400, UNSUPPORTED),
        ({"grant_type": "implicit"}, 400, UNSUPPORTED),
        ({"grant_type": ""}, 400, missing("grant_type")),
    ],
)
def test_password_grant_refusals(
    live_server: LiveServer, app: dict, alice: User, change: dict, status: int, body: dict
) -> None:
    params = {
        "grant_type": "password",
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
        "username": email_of(alice),
        "password": PASSWORD,
        "scope": "read",
        **change,
    }
    response = token_request(live_server, **params)
    assert (response.status_code, response.json()) == (status, body)
    if status == 401:
        assert 'error="invalid_client"' in response.headers["www-authenticate"]


def test_structured_parameters_are_an_invalid_request(live_server: LiveServer, app: dict) -> None:
    with live_server.client() as client:
        response = client.post("/oauth/token", json={"grant_type": ["password"]})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_client_credentials_give_an_app_only_token(live_server: LiveServer, app: dict) -> None:
    with live_server.client() as client:
        response = client.post(
            "/oauth/token",
            json={
                "grant_type": "client_credentials",
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "redirect_uri": OOB,
                "scope": "read write",
            },
        )
    assert response.status_code == 200
    token = response.json()["access_token"]
    assert response.json()["scope"] == "read write"
    user_required = {"error": "This method requires an authenticated user"}
    assert (whoami(live_server, token).status_code, whoami(live_server, token).json()) == (
        422,
        user_required,
    )
    with live_server.client(token) as client:
        posted = client.post("/api/v1/statuses", data={"status": "from an app"})
    assert (posted.status_code, posted.json()) == (422, user_required)


def test_client_credentials_scopes_must_be_the_apps(live_server: LiveServer) -> None:
    narrow = create_app(live_server, scopes="read")
    response = token_request(
        live_server,
        grant_type="client_credentials",
        client_id=narrow["client_id"],
        client_secret=narrow["client_secret"],
        scope="write",
    )
    assert (response.status_code, response.json()) == (400, INVALID_SCOPE)


# Authorization code


def test_authorization_code_flow_with_redirect_state_and_pkce(
    live_server: LiveServer, app: dict, alice: User
) -> None:
    verifier, challenge = pkce_pair()
    approved = approve(
        live_server,
        app,
        alice,
        redirect_uri="https://client.example/cb",
        scope="read write",
        state="xyz 123",
        challenge=challenge,
    )
    assert approved.status_code == 302
    location = httpx.URL(approved.headers["location"])
    assert (location.host, location.path) == ("client.example", "/cb")
    assert location.params["state"] == "xyz 123"
    response = token_request(
        live_server,
        grant_type="authorization_code",
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        code=location.params["code"],
        redirect_uri="https://client.example/cb",
        code_verifier=verifier,
    )
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "read write"
    assert whoami(live_server, response.json()["access_token"]).json()["id"] == alice.id


def _exchange(server: LiveServer, app: dict, grant: str, **change: str) -> httpx.Response:
    params = {
        "grant_type": "authorization_code",
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
        "code": grant,
        "redirect_uri": OOB,
        **change,
    }
    return token_request(server, **params)


def test_a_code_works_once(live_server: LiveServer, app: dict, alice: User) -> None:
    code = code_from(approve(live_server, app, alice))
    assert _exchange(live_server, app, code).status_code == 200
    again = _exchange(live_server, app, code)
    assert (again.status_code, again.json()) == (400, INVALID_GRANT)


def test_concurrent_redemptions_of_one_code_issue_exactly_one_token(
    live_server: LiveServer, app: dict, alice: User
) -> None:
    code = code_from(approve(live_server, app, alice))
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: _exchange(live_server, app, code), range(8)))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] + [400] * 7
    assert all(a.json() == INVALID_GRANT for a in answers if a.status_code == 400)


@pytest.mark.parametrize(
    ("change", "status", "body"),
    [
        ({"redirect_uri": "https://client.example/cb"}, 400, INVALID_GRANT),
        ({"redirect_uri": ""}, 400, missing("redirect_uri")),
        ({"code": ""}, 400, missing("code")),
        ({"code": "no-such-code"}, 400, INVALID_GRANT),
        ({"code_verifier": "a" * 43}, 400, INVALID_GRANT),  # no challenge was given
        ({"client_secret": "wrong"}, 401, INVALID_CLIENT),
    ],
)
def test_authorization_code_refusals(
    live_server: LiveServer, app: dict, alice: User, change: dict, status: int, body: dict
) -> None:
    code = code_from(approve(live_server, app, alice))
    response = _exchange(live_server, app, code, **change)
    assert (response.status_code, response.json()) == (status, body)


def test_pkce_verifier_must_be_given_and_match(
    live_server: LiveServer, app: dict, alice: User
) -> None:
    verifier, challenge = pkce_pair()
    code = code_from(approve(live_server, app, alice, challenge=challenge))
    without = _exchange(live_server, app, code)
    assert (without.status_code, without.json()) == (400, missing("code_verifier"))
    wrong = _exchange(live_server, app, code, code_verifier=pkce_pair()[0])
    assert (wrong.status_code, wrong.json()) == (400, INVALID_GRANT)
    assert _exchange(live_server, app, code, code_verifier=verifier).status_code == 200


def test_a_code_is_only_for_the_app_it_was_issued_to(
    live_server: LiveServer, app: dict, alice: User
) -> None:
    other = create_app(live_server)
    code = code_from(approve(live_server, app, alice))
    stolen = _exchange(
        live_server,
        app,
        code,
        client_id=other["client_id"],
        client_secret=other["client_secret"],
    )
    assert (stolen.status_code, stolen.json()) == (400, INVALID_GRANT)


def test_an_expired_code_is_refused(
    live_server: LiveServer, directory: Directory, app: dict, alice: User
) -> None:
    request = AuthorizationRequest(
        client_id=app["client_id"], redirect_uri=OOB, response_type="code", scope="read"
    )
    issued = issue_authorization_code(
        directory.write_model,
        request,
        email=email_of(alice),
        password=PASSWORD,
        now=time.time() - 601,  # issued just over ten minutes ago
    )
    response = _exchange(live_server, app, issued.code)
    assert (response.status_code, response.json()) == (400, INVALID_GRANT)


# Revocation


def _revoke(server: LiveServer, app: dict, token: str, **change: str) -> httpx.Response:
    params = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
    params.update({"token": token, **change})
    with server.client() as client:
        return client.post("/oauth/revoke", data=params)


def test_revoked_token_is_refused_and_revoking_again_is_harmless(
    live_server: LiveServer, app: dict, alice: User
) -> None:
    token = password_grant(live_server, app, alice, "read").json()["access_token"]
    first = _revoke(live_server, app, token)
    assert (first.status_code, first.json()) == (200, {})
    refused = whoami(live_server, token)
    assert (refused.status_code, refused.json()) == (
        401,
        {"error": "The access token was revoked"},
    )
    assert _revoke(live_server, app, token).status_code == 200
    assert _revoke(live_server, app, "never-issued").json() == {}


def test_a_client_cannot_revoke_another_apps_token(
    live_server: LiveServer, app: dict, alice: User
) -> None:
    other = create_app(live_server)
    token = app_token(live_server, app, "read")
    forbidden = {
        "error": "unauthorized_client",
        "error_description": "You are not authorized to revoke this token",
    }
    stranger = _revoke(live_server, other, token)
    assert (stranger.status_code, stranger.json()) == (403, forbidden)
    unauthenticated = _revoke(live_server, app, token, client_secret="wrong")
    assert (unauthenticated.status_code, unauthenticated.json()) == (403, forbidden)
    with live_server.client(token) as client:
        assert client.get("/api/v1/apps/verify_credentials").status_code == 200


def test_revoke_accepts_json_as_well(live_server: LiveServer, app: dict) -> None:
    token = app_token(live_server, app, "read")
    with live_server.client() as client:
        response = client.post(
            "/oauth/revoke",
            json={
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "token": token,
            },
        )
    assert (response.status_code, response.json()) == (200, {})
    with live_server.client(token) as client:
        refused = client.get("/api/v1/apps/verify_credentials")
    assert (refused.status_code, refused.json()) == (
        401,
        {"error": "The access token was revoked"},
    )


def test_statuses_posted_through_an_app_name_it(
    live_server: LiveServer, app: dict, alice: User
) -> None:
    token = password_grant(live_server, app, alice, "read write").json()["access_token"]
    with live_server.client(token) as client:
        status = client.post("/api/v1/statuses", data={"status": "from my app"}).json()
        shown = client.get(f"/api/v1/statuses/{status['id']}").json()
    expected = {"name": app["name"], "website": app.get("website")}
    assert status["application"] == expected
    assert shown["application"] == expected
    with live_server.client(alice.token) as client:  # a CLI-made token belongs to no app
        plain = client.post("/api/v1/statuses", data={"status": "from the CLI"}).json()
    assert plain["application"] is None
