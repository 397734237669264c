"""POST /api/v1/apps and GET /api/v1/apps/verify_credentials (§8.1, §8.6)."""

from __future__ import annotations

import pytest

from tests.api.oauth_client import OOB, app_token, create_app, password_grant
from tests.support import Directory, LiveServer, User

TOOT = {
    "client_name": "toot - a Mastodon CLI client",
    "redirect_uris": OOB,
    "scopes": "read write follow",
    "website": "https://github.com/ihabunek/toot",
}


def test_json_app_as_toot_sends_it_returns_a_credential_application(
    live_server: LiveServer,
) -> None:
    with live_server.client() as client:
        response = client.post("/api/v1/apps", json=TOOT)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    assert set(body) == {
        "id",
        "name",
        "website",
        "scopes",
        "redirect_uris",
        "redirect_uri",
        "vapid_key",
        "client_id",
        "client_secret",
        "client_secret_expires_at",
    }
    assert body["id"].isdigit()
    assert body["name"] == TOOT["client_name"]
    assert body["website"] == TOOT["website"]
    assert body["scopes"] == ["read", "write", "follow"]
    assert body["redirect_uris"] == [OOB] and body["redirect_uri"] == OOB
    assert len(body["client_id"]) >= 32 and len(body["client_secret"]) >= 32
    assert body["client_id"] != body["client_secret"]
    assert body["client_secret_expires_at"] == 0


def test_form_app_as_mastodon_py_sends_it(live_server: LiveServer) -> None:
    with live_server.client() as client:
        response = client.post(
            "/api/v1/apps",
            data={"client_name": "py", "scopes": "read write follow push", "redirect_uris": OOB},
        )
    assert response.status_code == 200
    assert response.json()["scopes"] == ["read", "write", "follow", "push"]
    assert response.json()["website"] is None


@pytest.mark.parametrize(
    "redirect_uris",
    [
        "https://redirect1.example/\napp://redirect2.example/",
        ["https://redirect1.example/", "app://redirect2.example/"],
    ],
)
def test_several_redirect_uris_as_lines_or_as_an_array(
    live_server: LiveServer, redirect_uris: str | list[str]
) -> None:
    with live_server.client() as client:
        response = client.post(
            "/api/v1/apps", json={"client_name": "multi", "redirect_uris": redirect_uris}
        )
    assert response.status_code == 200
    body = response.json()
    assert body["redirect_uris"] == ["https://redirect1.example/", "app://redirect2.example/"]
    assert body["redirect_uri"] == "https://redirect1.example/\napp://redirect2.example/"
    assert body["scopes"] == ["read"]  # the default


def test_duplicate_scopes_collapse_and_an_array_of_scopes_means_read(
    live_server: LiveServer,
) -> None:
    with live_server.client() as client:
        duplicated = client.post(
            "/api/v1/apps",
            data={"client_name": "d", "redirect_uris": OOB, "scopes": " ".join(["read"] * 40)},
        )
        array = client.post(
            "/api/v1/apps",
            json={"client_name": "a", "redirect_uris": OOB, "scopes": ["read", "write"]},
        )
    assert duplicated.json()["scopes"] == ["read"]
    # Mastodon permits only a scalar `scopes` (upstream bug #30152): an array is the default.
    assert array.json()["scopes"] == ["read"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"redirect_uris": OOB}, "Application name can't be blank"),
        ({"client_name": "", "redirect_uris": OOB}, "Application name can't be blank"),
        ({"client_name": "n" * 61, "redirect_uris": OOB}, "Application name is too long"),
        ({"client_name": "x"}, "Redirect URI can't be blank"),
        ({"client_name": "x", "redirect_uris": "\n"}, "Redirect URI can't be blank"),
        ({"client_name": "x", "redirect_uris": []}, "Redirect URI can't be blank"),
        ({"client_name": "x", "redirect_uris": [["nested"]]}, "Redirect URI must be a valid URI."),
        (
            {"client_name": "x", "redirect_uris": "javascript:alert(1)"},
            "Redirect URI is forbidden by the server.",
        ),
        (
            {"client_name": "x", "redirect_uris": "https://a.example/cb#f"},
            "Redirect URI cannot contain a fragment.",
        ),
        (
            {"client_name": "x", "redirect_uris": "https://app.example/" + "hoge" * 600},
            "Redirect URI is too long",
        ),
        (
            {"client_name": "x", "redirect_uris": OOB, "scopes": "read hoge"},
            "Scopes doesn't match configured on the server.",
        ),
        (
            {"client_name": "x", "redirect_uris": OOB, "website": "not a url"},
            "Application website is not a valid URL",
        ),
    ],
)
def test_invalid_apps_are_422_with_rails_messages(
    live_server: LiveServer, params: dict, message: str
) -> None:
    with live_server.client() as client:
        response = client.post("/api/v1/apps", json=params)
    assert response.status_code == 422, response.text
    assert set(response.json()) == {"error"}
    assert response.json()["error"].startswith("Validation failed: ")
    assert message in response.json()["error"]


def test_an_app_sees_itself_through_any_of_its_tokens_but_never_its_secret(
    live_server: LiveServer, alice: User
) -> None:
    app = create_app(live_server, scopes="read write")
    user_token = password_grant(live_server, app, alice, "write").json()["access_token"]
    only_app = app_token(live_server, app, "read")
    for token in (user_token, only_app):
        with live_server.client(token) as client:
            response = client.get("/api/v1/apps/verify_credentials")
        assert response.status_code == 200
        assert response.json() == {
            "id": app["id"],
            "name": "tests",
            "website": None,
            "scopes": ["read", "write"],
            "redirect_uris": [OOB],
            "redirect_uri": OOB,
            "vapid_key": "",
        }


def test_app_verify_credentials_needs_a_valid_token(
    live_server: LiveServer, directory: Directory, alice: User
) -> None:
    with live_server.client() as client:
        missing = client.get("/api/v1/apps/verify_credentials")
        unknown = client.get(
            "/api/v1/apps/verify_credentials", headers={"Authorization": "Bearer nope"}
        )
    assert (missing.status_code, missing.json()) == (
        401,
        {"error": "The access token is invalid"},
    )
    assert unknown.status_code == 401
    # A token from `tootlog tokens create` belongs to no app.
    with live_server.client(alice.token) as client:
        no_app = client.get("/api/v1/apps/verify_credentials")
    assert (no_app.status_code, no_app.json()) == (404, {"error": "Record not found"})
