"""GET /api/v1/instance and /api/v2/instance (§8.7): what clients read to know the server."""

from __future__ import annotations

import re

import pytest

from domain import media
from domain.pins import MAX_PINNED_STATUSES
from domain.status import MAX_CHARACTERS
from domain.text import URL_COUNTED_LENGTH
from tests.support import Directory, LiveServer, User


@pytest.mark.parametrize("path", ["/api/v1/instance", "/api/v1/instance/"])
def test_v1_answers_with_and_without_trailing_slash(live_server: LiveServer, path: str) -> None:
    with live_server.client() as client:
        response = client.get(path)
    assert response.status_code == 200
    assert response.headers["deprecation"] == "@1668384000"
    body = response.json()
    assert body["uri"] == "example.com"
    assert body["title"] == "tootlog"
    assert re.match(r"^\d+\.\d+\.\d+", body["version"]) and body["version"] == "4.3.0"
    assert body["urls"] == {"streaming_api": "wss://example.com"}
    assert body["registrations"] is True
    assert body["contact_account"] is None and body["rules"] == []
    assert set(body["stats"]) == {"user_count", "status_count", "domain_count"}


@pytest.mark.parametrize("path", ["/api/v2/instance", "/api/v2/instance/"])
def test_v2_answers_with_and_without_trailing_slash(live_server: LiveServer, path: str) -> None:
    with live_server.client() as client:
        response = client.get(path)
    assert response.status_code == 200
    assert "deprecation" not in response.headers
    body = response.json()
    assert body["domain"] == "example.com"
    assert body["version"] == "4.3.0"
    assert body["api_versions"] == {"mastodon": 2}
    assert body["configuration"]["urls"]["streaming"] == "wss://example.com"
    assert body["registrations"]["enabled"] is True
    assert body["contact"] == {"email": "", "account": None}


def test_configuration_advertises_the_limits_the_code_enforces(live_server: LiveServer) -> None:
    with live_server.client() as client:
        v1 = client.get("/api/v1/instance").json()["configuration"]
        v2 = client.get("/api/v2/instance").json()["configuration"]
    statuses = {
        "max_characters": MAX_CHARACTERS,
        "max_media_attachments": media.MAX_MEDIA_ATTACHMENTS,
        "characters_reserved_per_url": URL_COUNTED_LENGTH,
    }
    assert v1["statuses"] == v2["statuses"] == statuses
    attachments = {
        "supported_mime_types": list(media.SUPPORTED_MIME_TYPES),
        "image_size_limit": media.IMAGE_SIZE_LIMIT,
        "image_matrix_limit": media.IMAGE_MATRIX_LIMIT,
        "video_size_limit": media.VIDEO_SIZE_LIMIT,
        "video_frame_rate_limit": media.VIDEO_FRAME_RATE_LIMIT,
        "video_matrix_limit": media.VIDEO_MATRIX_LIMIT,
    }
    assert v1["media_attachments"] == attachments
    assert v2["media_attachments"] == {**attachments, "description_limit": 1500}
    assert v2["accounts"]["max_pinned_statuses"] == MAX_PINNED_STATUSES
    polls = {
        "max_options": 4,
        "max_characters_per_option": 50,
        "min_expiration": 300,
        "max_expiration": 2629746,
    }
    assert v1["polls"] == v2["polls"] == polls


def test_stats_come_from_the_read_model(
    live_server: LiveServer, directory: Directory, alice: User, post
) -> None:
    with live_server.client() as client:
        before = client.get("/api/v1/instance").json()["stats"]
        directory.user()
        post(alice, status="counted")
        after = client.get("/api/v1/instance").json()["stats"]
        v2 = client.get("/api/v2/instance").json()
    assert after["user_count"] == before["user_count"] + 1
    assert after["status_count"] == before["status_count"] + 1
    assert after["domain_count"] == 0
    assert v2["usage"]["users"]["active_month"] >= 1


def test_instance_needs_no_token_and_ignores_a_bad_one(live_server: LiveServer) -> None:
    with live_server.client("not-a-token") as client:
        assert client.get("/api/v1/instance/").status_code == 200
        assert client.get("/api/v2/instance/").status_code == 200
