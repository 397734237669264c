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


def multipart(name: bytes, value: bytes) -> bytes:
    return (
        b'--zzz\r\nContent-Disposition: form-data; name="'
        + name
        + b'"\r\n\r\n'
        + value
        + b"\r\n--zzz--\r\n"
    )


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", b"status=caf\xe9"),
        ("application/json", b'{"status": "caf\xe9"}'),
        ("multipart/form-data; boundary=zzz", multipart(b"status", b"caf\xe9")),
        ("multipart/form-data; boundary=zzz", multipart(b"stat\xe9", b"cafe")),
    ],
)
def test_invalid_utf8_is_400_in_every_body_and_writes_nothing(
    live_server: LiveServer, alice: User, content_type: str, body: bytes
) -> None:
    with live_server.client(alice.token) as client:
        response = client.post(
            "/api/v1/statuses", content=body, headers={"Content-Type": content_type}
        )
        account = client.get(f"/api/v1/accounts/{alice.id}").json()
    assert response.status_code == 400, response.text
    assert response.json()["error"].startswith(("Invalid parameters", "Invalid JSON"))
    assert account["statuses_count"] == 0


def test_valid_utf8_in_a_multipart_text_field_is_kept(live_server: LiveServer, alice: User) -> None:
    with live_server.client(alice.token) as client:
        response = client.post(
            "/api/v1/statuses",
            content=multipart(b"status", "café ☕".encode()),
            headers={"Content-Type": "multipart/form-data; boundary=zzz"},
        )
    assert response.status_code == 200, response.text
    assert response.json()["content"] == "<p>café ☕</p>"
