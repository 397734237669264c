"""The instance as configured: closed registrations, version and title from the environment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.config import Settings
from tests.api.oauth_client import app_token, create_app
from tests.support import LiveServer, serving


@pytest.fixture(scope="module")
def closed(server_url: str) -> Iterator[LiveServer]:
    env = {
        "TOOTLOG_REGISTRATIONS": "closed",
        "TOOTLOG_VERSION": "4.2.1",
        "TOOTLOG_TITLE": "Closed club",
        "TOOTLOG_DB_POOL_SIZE": "2",  # the PostgreSQL server is shared
    }
    with serving(server_url, env) as server:
        yield server


def test_closed_registrations_refuse_sign_up_and_say_so(closed: LiveServer) -> None:
    app = create_app(closed)
    with closed.client(app_token(closed, app, "write")) as client:
        response = client.post(
            "/api/v1/accounts",
            json={
                "username": "hopeful",
                "email": "hopeful@example.org",
                "password": "password",
                "agreement": True,
                "locale": "en",
            },
        )
        v1 = client.get("/api/v1/instance").json()
        v2 = client.get("/api/v2/instance").json()
    assert (response.status_code, response.json()) == (403, {"error": "This action is not allowed"})
    assert v1["registrations"] is False and v2["registrations"]["enabled"] is False


def test_version_and_title_come_from_the_environment(closed: LiveServer) -> None:
    with closed.client() as client:
        v1 = client.get("/api/v1/instance").json()
        v2 = client.get("/api/v2/instance").json()
    assert v1["version"] == v2["version"] == "4.2.1"
    assert v1["title"] == v2["title"] == "Closed club"


def test_registrations_setting_is_open_or_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOOTLOG_REGISTRATIONS", raising=False)
    assert Settings.from_env().registrations_open is True
    monkeypatch.setenv("TOOTLOG_REGISTRATIONS", "Closed")
    assert Settings.from_env().registrations_open is False
    monkeypatch.setenv("TOOTLOG_REGISTRATIONS", "maybe")
    with pytest.raises(ValueError, match="TOOTLOG_REGISTRATIONS"):
        Settings.from_env()
