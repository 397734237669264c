"""POST /api/v1/accounts (sign-up), GET /api/v1/accounts/verify_credentials and
GET /api/v1/accounts/lookup (§8.5, §9)."""

from __future__ import annotations

import uuid

import pytest

from tests.api.oauth_client import app_token, create_app, password_grant
from tests.support import Directory, LiveServer, User


@pytest.fixture(scope="module")
def app(live_server: LiveServer) -> dict:
    return create_app(live_server, scopes="read write follow push")


def fresh_name() -> str:
    return f"n{uuid.uuid4().hex[:10]}"


def test_sign_up_as_toot_does_returns_a_working_token_with_the_apps_scopes(
    live_server: LiveServer, app: dict
) -> None:
    username = fresh_name()
    token = app_token(live_server, app, "read write")
    with live_server.client(token) as client:
        response = client.post(
            "/api/v1/accounts",
            json={
                "username": username,
                "email": f"{username}@example.org",
                "password": "password",
                "agreement": True,
                "locale": "en",
            },
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "token_type", "scope", "created_at"}
    assert body["scope"] == "read write follow push"
    with live_server.client(body["access_token"]) as client:
        me = client.get("/api/v1/accounts/verify_credentials").json()
    assert me["username"] == username
    # The new account logs in with its e-mail address.
    with live_server.client() as client:
        login = client.post(
            "/oauth/token",
            data={
                "grant_type": "password",
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "username": f"{username}@example.org",
                "password": "password",
                "scope": "read",
            },
        )
    assert login.status_code == 200


def test_sign_up_as_mastodon_py_does_with_a_form(live_server: LiveServer, app: dict) -> None:
    username = fresh_name()
    token = app_token(live_server, app, "read write follow push")
    with live_server.client(token) as client:
        response = client.post(
            "/api/v1/accounts",
            data={
                "username": username,
                "password": "long enough",
                "email": f"{username}@example.org",
                "agreement": "1",
                "locale": "en",
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
            },
        )
    assert response.status_code == 200, response.text
    assert set(response.json()["scope"].split()) >= {"read", "write", "follow", "push"}


def test_sign_up_problems_are_one_422_with_details(live_server: LiveServer, app: dict) -> None:
    token = app_token(live_server, app, "write")
    with live_server.client(token) as client:
        response = client.post(
            "/api/v1/accounts", json={"username": "not valid!", "password": "short"}
        )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == (
        "Validation failed: Username must contain only letters, numbers and underscores, "
        "E-mail address can't be blank, Password is too short (minimum is 8 characters), "
        "Service agreement must be accepted"
    )
    assert body["details"] == {
        "username": [
            {
                "error": "ERR_INVALID",
                "description": "must contain only letters, numbers and underscores",
            }
        ],
        "email": [{"error": "ERR_BLANK", "description": "can't be blank"}],
        "password": [
            {"error": "ERR_TOO_SHORT", "description": "is too short (minimum is 8 characters)"}
        ],
        "agreement": [{"error": "ERR_ACCEPTED", "description": "must be accepted"}],
    }


def test_taken_username_and_email_are_err_taken(
    live_server: LiveServer, app: dict, alice: User
) -> None:
    token = app_token(live_server, app, "write")
    with live_server.client(token) as client:
        response = client.post(
            "/api/v1/accounts",
            json={
                "username": alice.username.upper(),
                "email": f"{alice.username}@example.org",
                "password": "password",
                "agreement": "true",
            },
        )
    assert response.status_code == 422
    assert response.json()["details"] == {
        "username": [{"error": "ERR_TAKEN", "description": "has already been taken"}],
        "email": [{"error": "ERR_TAKEN", "description": "has already been taken"}],
    }


def test_sign_up_needs_a_token_with_write_and_an_app(
    live_server: LiveServer, directory: Directory, app: dict
) -> None:
    params = {"username": fresh_name(), "password": "password", "agreement": "1"}
    with live_server.client() as client:
        anonymous = client.post("/api/v1/accounts", data=params)
    assert (anonymous.status_code, anonymous.json()) == (
        401,
        {"error": "The access token is invalid"},
    )
    with live_server.client(app_token(live_server, app, "read")) as client:
        read_only = client.post("/api/v1/accounts", data=params)
    assert (read_only.status_code, read_only.json()) == (
        403,
        {"error": "This action is outside the authorized scopes"},
    )
    # A token from the command line belongs to no app whose scopes the new token could take.
    with live_server.client(directory.token(None, "write")) as client:
        no_app = client.post("/api/v1/accounts", data=params)
    assert (no_app.status_code, no_app.json()) == (403, {"error": "This action is not allowed"})


# verify_credentials


def test_verify_credentials_is_a_credential_account(live_server: LiveServer, alice: User) -> None:
    with live_server.client(alice.token) as client:
        response = client.get("/api/v1/accounts/verify_credentials")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"
    body = response.json()
    assert (body["id"], body["username"], body["acct"]) == (
        alice.id,
        alice.username,
        alice.username,
    )
    assert body["url"] == f"https://example.com/@{alice.username}"
    assert body["source"] == {
        "privacy": "public",
        "sensitive": False,
        "language": None,
        "note": "",
        "fields": [],
        "follow_requests_count": 0,
        "hide_collections": None,
        "discoverable": None,
        "indexable": False,
        "attribution_domains": [],
        "quote_policy": "public",
    }
    assert body["role"] == {
        "id": "-99",
        "name": "",
        "permissions": "65536",
        "color": "",
        "highlighted": False,
    }
    assert body["statuses_count"] == 0


@pytest.mark.parametrize("scopes", ["read", "read:accounts", "profile"])
def test_verify_credentials_accepts_read_read_accounts_or_profile(
    live_server: LiveServer, directory: Directory, alice: User, scopes: str
) -> None:
    with live_server.client(directory.token(alice.account_id, scopes)) as client:
        assert client.get("/api/v1/accounts/verify_credentials").status_code == 200


def test_verify_credentials_refusals(
    live_server: LiveServer, directory: Directory, app: dict, alice: User
) -> None:
    with live_server.client() as client:
        assert client.get("/api/v1/accounts/verify_credentials").status_code == 401
    with live_server.client(directory.token(alice.account_id, "read:statuses write")) as client:
        narrow = client.get("/api/v1/accounts/verify_credentials")
    assert (narrow.status_code, narrow.json()) == (
        403,
        {"error": "This action is outside the authorized scopes"},
    )
    with live_server.client(app_token(live_server, app, "read")) as client:
        app_only = client.get("/api/v1/accounts/verify_credentials")
    assert (app_only.status_code, app_only.json()) == (
        422,
        {"error": "This method requires an authenticated user"},
    )


def test_statuses_count_shows_in_verify_credentials(
    live_server: LiveServer, app: dict, alice: User, post
) -> None:
    post(alice, status="one")
    token = password_grant(live_server, app, alice, "read").json()["access_token"]
    with live_server.client(token) as client:
        body = client.get("/api/v1/accounts/verify_credentials").json()
    assert body["statuses_count"] == 1 and body["last_status_at"] is not None


# lookup


@pytest.mark.parametrize("form", ["{u}", "@{u}", "{u}@example.com", "@{U}@EXAMPLE.COM"])
def test_lookup_finds_a_local_account_with_or_without_this_domain(
    live_server: LiveServer, alice: User, form: str
) -> None:
    acct = form.format(u=alice.username, U=alice.username.upper())
    with live_server.client() as client:
        response = client.get("/api/v1/accounts/lookup", params={"acct": acct})
    assert response.status_code == 200
    assert response.json()["id"] == alice.id
    assert "source" not in response.json()
    assert response.headers["cache-control"].startswith("public")


@pytest.mark.parametrize(
    "acct", ["", "nobody-at-all", "{u}@elsewhere.example", "{u}@{u}@example.com"]
)
def test_lookup_of_anything_else_is_404(live_server: LiveServer, alice: User, acct: str) -> None:
    with live_server.client() as client:
        response = client.get(
            "/api/v1/accounts/lookup", params={"acct": acct.format(u=alice.username)}
        )
    assert (response.status_code, response.json()) == (404, {"error": "Record not found"})


def test_lookup_checks_a_given_tokens_scopes(
    live_server: LiveServer, directory: Directory, alice: User
) -> None:
    token = directory.token(alice.account_id, "write")
    with live_server.client(token) as client:
        response = client.get("/api/v1/accounts/lookup", params={"acct": alice.username})
    assert response.status_code == 403
    with live_server.client("unknown-token") as client:
        anonymous = client.get("/api/v1/accounts/lookup", params={"acct": alice.username})
    assert anonymous.status_code == 200
