"""Whatever a client sends to the OAuth, app and sign-up endpoints, the answer is a 4xx with
Mastodon's error JSON (or a page, for the authorize page), never a 500."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.oauth_client import OOB, create_app
from tests.support import LiveServer

NAMES = [
    "grant_type",
    "client_id",
    "client_secret",
    "code",
    "redirect_uri",
    "redirect_uris",
    "code_verifier",
    "scope",
    "scopes",
    "username",
    "email",
    "password",
    "agreement",
    "locale",
    "token",
    "client_name",
    "website",
    "response_type",
    "state",
    "code_challenge",
    "code_challenge_method",
    "decision",
]
GRANTS = st.sampled_from(["password", "client_credentials", "authorization_code", "refresh_token"])
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
SCALARS = st.one_of(
    TEXT,
    GRANTS,
    st.integers(),
    st.booleans(),
    st.none(),
    st.floats(width=32, allow_nan=False, allow_infinity=False),
)
VALUES = st.one_of(
    SCALARS, st.lists(SCALARS, max_size=3), st.dictionaries(TEXT, SCALARS, max_size=2)
)
JSON_BODIES = st.dictionaries(st.sampled_from(NAMES), VALUES, max_size=8)
FORM_BODIES = st.dictionaries(
    st.sampled_from(NAMES), st.one_of(TEXT, GRANTS, st.lists(TEXT, max_size=3)), max_size=8
)
ENDPOINTS = ["/oauth/token", "/oauth/revoke", "/api/v1/apps", "/oauth/authorize"]
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def app(live_server: LiveServer) -> dict:
    return create_app(live_server, redirect_uris=f"{OOB}\nhttps://client.example/cb")


def _with_client(body: dict, app: dict, use_real_client: bool) -> dict:
    if use_real_client:
        return {**body, "client_id": app["client_id"], "client_secret": app["client_secret"]}
    return body


def _assert_client_error(response, path: str) -> None:  # noqa: ANN001
    assert response.status_code < 500, response.text
    if path != "/oauth/authorize" and response.status_code >= 400:
        assert "error" in response.json()


@FUZZ
@given(path=st.sampled_from(ENDPOINTS), body=JSON_BODIES, real=st.booleans())
def test_any_json_body_is_answered_without_a_server_error(
    live_server: LiveServer, app: dict, path: str, body: dict, real: bool
) -> None:
    with live_server.client() as client:
        response = client.post(path, json=_with_client(body, app, real))
    _assert_client_error(response, path)


@FUZZ
@given(path=st.sampled_from(ENDPOINTS), body=FORM_BODIES, real=st.booleans())
def test_any_form_body_is_answered_without_a_server_error(
    live_server: LiveServer, app: dict, path: str, body: dict, real: bool
) -> None:
    with live_server.client() as client:
        response = client.post(path, data=_with_client(body, app, real))
    _assert_client_error(response, path)


@FUZZ
@given(query=FORM_BODIES, real=st.booleans())
def test_any_authorize_query_is_a_page_or_a_redirect(
    live_server: LiveServer, app: dict, query: dict, real: bool
) -> None:
    with live_server.client() as client:
        response = client.get("/oauth/authorize", params=_with_client(query, app, real))
    assert response.status_code in (200, 302, 400, 422), response.text


@FUZZ
@given(body=JSON_BODIES)
def test_any_sign_up_body_is_answered_without_a_server_error(
    live_server: LiveServer, app: dict, body: dict
) -> None:
    with live_server.client() as client:
        token = client.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "scope": "write",
            },
        ).json()["access_token"]
        response = client.post(
            "/api/v1/accounts", json=body, headers={"Authorization": f"Bearer {token}"}
        )
    _assert_client_error(response, "/api/v1/accounts")
