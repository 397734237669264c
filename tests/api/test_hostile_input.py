"""Hostile requests get a 4xx with Mastodon's error JSON, never a 500 or a dropped connection,
whichever endpoint they reach and whether or not they carry a token."""

from __future__ import annotations

import pytest

from tests.support import LiveServer, User

UNAUTHENTICATED = ["/api/v1/apps", "/oauth/token"]


def nested(depth: int) -> bytes:
    """A JSON object whose `status` is `depth - 1` arrays deep (so `depth` levels in all)."""
    return b'{"status": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"


@pytest.mark.parametrize("depth", [101, 980, 1023])
@pytest.mark.parametrize("path", [*UNAUTHENTICATED, "/api/v1/statuses"])
def test_deeply_nested_json_is_400(
    live_server: LiveServer, alice: User, path: str, depth: int
) -> None:
    token = alice.token if path == "/api/v1/statuses" else None
    with live_server.client(token) as client:
        response = client.post(
            path, content=nested(depth), headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 400, response.text
    assert response.json() == {
        "error": "Invalid JSON in request body: nested deeper than 100 levels"
    }


def test_json_nested_as_deep_as_rails_allows_is_not_refused_for_nesting(
    live_server: LiveServer, alice: User
) -> None:
    with live_server.client(alice.token) as client:
        response = client.post(
            "/api/v1/statuses", content=nested(100), headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 422  # `status` must be a string
