"""Password hashing (Argon2id, 64 MiB each) runs a bounded number at a time: a burst of sign-ups
and password logins queues instead of lifting the server's memory by 64 MiB per request."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.api.oauth_client import app_token, create_app, token_request
from tests.support import Directory, LiveServer

MiB_IN_KIB = 1024
BURST = 12
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def own_server(database_url: str) -> Iterator[LiveServer]:
    """A server of this module's own, so that other tests' requests do not move its memory."""
    server = LiveServer(database_url)
    yield server
    server.stop()


def sign_up(server: LiveServer, token: str) -> tuple[int, str]:
    name = f"h{uuid.uuid4().hex[:10]}"
    with server.client(token) as client:
        response = client.post(
            "/api/v1/accounts",
            data={
                "username": name,
                "email": f"{name}@example.org",
                "password": PASSWORD,
                "agreement": "true",
                "locale": "en",
            },
        )
    return response.status_code, name


def log_in(server: LiveServer, app: dict, name: str) -> int:
    return token_request(
        server,
        grant_type="password",
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        username=f"{name}@example.org",
        password=PASSWORD,
        scope="read",
    ).status_code


def test_a_burst_of_sign_ups_and_logins_keeps_memory_bounded(own_server: LiveServer) -> None:
    app = create_app(own_server)
    token = app_token(own_server, app, "read write")
    status, first = sign_up(own_server, token)  # warm: one hash has run
    assert status == 200
    baseline = own_server.memory_kib()
    with ThreadPoolExecutor(BURST) as pool:
        sign_ups = list(pool.map(lambda _: sign_up(own_server, token), range(BURST)))
        logins = list(pool.map(lambda _: log_in(own_server, app, first), range(BURST)))
    peak = own_server.memory_kib("VmHWM")
    assert [status for status, _ in sign_ups] == [200] * BURST
    assert logins == [200] * BURST
    # Two hashes at a time hold 128 MiB; twelve at once would hold 768 MiB.
    assert peak - baseline < 200 * MiB_IN_KIB, (baseline, peak)


@pytest.mark.slow  # 40 Argon2id hashes: about 7-15 s here
def test_a_burst_of_sign_ups_does_not_hold_up_posting(
    own_server: LiveServer, directory: Directory
) -> None:
    poster = directory.user()
    app = create_app(own_server)
    token = app_token(own_server, app, "read write")
    with ThreadPoolExecutor(41) as pool:
        started = time.monotonic()
        burst = [pool.submit(sign_up, own_server, token) for _ in range(40)]
        time.sleep(0.2)  # the sign-ups are queued by now
        posted = time.monotonic()
        with own_server.client(poster.token) as client:
            response = client.post("/api/v1/statuses", data={"status": "not kept waiting"})
        post_seconds = time.monotonic() - posted
        assert [f.result()[0] for f in burst] == [200] * 40
        burst_seconds = time.monotonic() - started
    assert response.status_code == 200
    # The sign-ups wait for their own two threads, not for the threads every command uses.
    assert post_seconds < burst_seconds / 4, (post_seconds, burst_seconds)
