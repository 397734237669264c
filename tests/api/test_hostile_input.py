"""Hostile requests get a 4xx with Mastodon's error JSON, never a 500 or a dropped connection,
whichever endpoint they reach and whether or not they carry a token."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.support import Directory, LiveServer, User

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


MiB = 1024 * 1024


@pytest.fixture(scope="module")
def own_server(database_url: str) -> Iterator[LiveServer]:
    """A server of this module's own, so that other tests' requests do not move its memory."""
    server = LiveServer(database_url)
    yield server
    server.stop()


def send_raw(server: LiveServer, request: bytes) -> bytes:
    """Send bytes as they are; the answer's first bytes, or b"" when the server hung up first."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        try:
            for start in range(0, len(request), 64 * 1024):
                sock.sendall(request[start : start + 64 * 1024])
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            return sock.recv(4096)
        except (ConnectionResetError, TimeoutError):
            return b""


def hostile_heads(token: str) -> list[bytes]:
    auth = f"Authorization: Bearer {token}\r\n".encode()
    body = b"status=hostile"
    tail = b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 14\r\n\r\n" + body
    many = b"".join(b"X-Filler-%d: %s\r\n" % (i, b"v" * 100) for i in range(16 * MiB // 120))
    return [
        b"POST /api/v1/statuses HTTP/1.1\r\nHost: x\r\n"
        + auth
        + b"Idempotency-Key: "
        + b"k" * (16 * MiB)
        + b"\r\n"
        + tail,
        b"POST /api/v1/statuses HTTP/1.1\r\nHost: x\r\n" + auth + many + tail,
        b"GET /api/v1/statuses/1?" + b"q" * (16 * MiB) + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    ]


def test_huge_request_heads_are_431_store_nothing_and_memory_returns_to_baseline(
    own_server: LiveServer, directory: Directory
) -> None:
    user = directory.user()
    with own_server.client(user.token) as client:
        for i in range(20):  # warm up every code path the hostile requests reach
            client.post(
                "/api/v1/statuses",
                data={"status": f"warm {i}"},
                headers={"Idempotency-Key": f"w{i}"},
            )
        baseline = own_server.memory_kib()
        for _ in range(4):
            for head in hostile_heads(user.token):
                answer = send_raw(own_server, head)
                # The server answers as soon as the bound is passed; a client still sending may
                # see the connection reset before it reads that answer.
                assert answer == b"" or answer.startswith(b"HTTP/1.1 431 "), answer[:100]
        after = own_server.memory_kib()
        peak = own_server.memory_kib("VmHWM")
        account = client.get(f"/api/v1/accounts/{user.id}").json()
        still_serving = client.get("/api/v1/statuses/1")
    assert account["statuses_count"] == 20
    assert still_serving.status_code == 404
    assert after - baseline < 16 * 1024, (baseline, after, peak)  # KiB
    assert peak - baseline < 32 * 1024, (baseline, after, peak)


def test_a_head_just_under_the_bound_is_served(
    own_server: LiveServer, directory: Directory
) -> None:
    user = directory.user()
    with own_server.client(user.token) as client:
        response = client.get("/api/v1/statuses/1", headers={"X-Filler": "v" * 15_000})
        refused = client.get("/api/v1/statuses/1", headers={"X-Filler": "v" * 17_000})
    assert response.status_code == 404
    assert refused.status_code == 431
    assert refused.json() == {"error": "Request header fields too large"}


@pytest.mark.parametrize(("length", "status"), [(255, 200), (256, 422)])
def test_idempotency_key_is_at_most_255_bytes(
    live_server: LiveServer, alice: User, length: int, status: int
) -> None:
    with live_server.client(alice.token) as client:
        response = client.post(
            "/api/v1/statuses", data={"status": "hi"}, headers={"Idempotency-Key": "k" * length}
        )
    assert response.status_code == status, response.text
    if status == 422:
        assert response.json() == {"error": "Idempotency-Key is too long (maximum is 255 bytes)"}
