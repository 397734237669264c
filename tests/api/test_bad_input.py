"""Malformed requests get Mastodon's error JSON with the right status, and write nothing."""

from __future__ import annotations

import pytest

from tests.support import LiveServer, User


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({"Content-Type": "application/json"}, b"{not json", 400),
        ({"Content-Type": "application/json"}, b"[1, 2]", 400),
        ({"Content-Type": "application/json"}, b'{"status": "\\ud800"}', 400),
        ({"Content-Type": "application/json"}, b'{"status": "nul\\u0000"}', 400),
        ({"Content-Type": "application/json"}, b'{"status": {"nested": 1}}', 422),
        ({"Content-Type": "application/json"}, b'{"status": "x", "sensitive": [true]}', 422),
        ({"Content-Type": "application/json"}, b'{"status": "x", "media_ids": [[1]]}', 422),
        ({"Content-Type": "application/x-www-form-urlencoded"}, b"status=%FF%FE", 400),
        ({"Content-Type": "application/x-www-form-urlencoded"}, b"status=\xff", 400),
        ({"Content-Type": "multipart/form-data; boundary=zzz"}, b"--zzz\r\ngarbage", 400),
    ],
)
def test_malformed_bodies_are_4xx_json(
    live_server: LiveServer, alice: User, headers, body, status
) -> None:
    with live_server.client(alice.token) as client:
        before = client.get("/api/v1/statuses/1")  # warm connection
        response = client.post("/api/v1/statuses", content=body, headers=headers)
    assert before.status_code == 404
    assert response.status_code == status, response.text
    assert set(response.json()) == {"error"}


def test_oversized_body_is_413_and_writes_nothing(
    live_server: LiveServer, alice: User, post
) -> None:
    with live_server.client(alice.token) as client:
        response = client.post("/api/v1/statuses", data={"status": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert response.json() == {"error": "Request body is too large"}
    assert post(alice, status="after")["account"]["statuses_count"] == 1


def test_json_scalars_of_other_types_are_coerced_like_rails(
    live_server: LiveServer, alice: User
) -> None:
    with live_server.client(alice.token) as client:
        response = client.post("/api/v1/statuses", json={"status": 12345, "sensitive": 1})
    assert response.status_code == 200
    assert response.json()["content"] == "<p>12345</p>"
    assert response.json()["sensitive"] is True


def test_empty_post_without_content_type_is_blank_text(
    live_server: LiveServer, alice: User
) -> None:
    with live_server.client(alice.token) as client:
        response = client.post("/api/v1/statuses")
    assert (response.status_code, response.json()) == (
        422,
        {"error": "Validation failed: Text can't be blank"},
    )
