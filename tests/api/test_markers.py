"""GET and POST /api/v1/markers: read positions saved as events, versioned, per account."""

from __future__ import annotations

import concurrent.futures

import httpx

from tests.operations.conftest import tootlog
from tests.support import Directory, LiveServer, User


def save(live_server: LiveServer, user: User, **kwargs: object) -> httpx.Response:
    with live_server.client(user.token) as client:
        return client.post("/api/v1/markers", **kwargs)


def read(live_server: LiveServer, user: User, params: object) -> dict:
    with live_server.client(user.token) as client:
        response = client.get("/api/v1/markers", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_markers_are_saved_versioned_and_read_back(live_server: LiveServer, alice: User) -> None:
    assert read(live_server, alice, {"timeline[]": ["home", "notifications"]}) == {}
    first = save(live_server, alice, data={"home[last_read_id]": "103"})
    assert first.status_code == 200, first.text
    home = first.json()["home"]
    assert set(first.json()) == {"home"}
    assert (home["last_read_id"], home["version"]) == ("103", 1)
    assert home["updated_at"].endswith("Z")
    both = save(
        live_server,
        alice,
        json={"home": {"last_read_id": "110"}, "notifications": {"last_read_id": 7}},
    ).json()
    assert (both["home"]["last_read_id"], both["home"]["version"]) == ("110", 2)
    assert (both["notifications"]["last_read_id"], both["notifications"]["version"]) == ("7", 1)
    # The same id again changes nothing: the version stays.
    again = save(live_server, alice, data={"home[last_read_id]": "110"}).json()
    assert again["home"] == both["home"]
    assert read(live_server, alice, {"timeline[]": ["home", "notifications", "other"]}) == both
    assert read(live_server, alice, {"timeline": "notifications"}) == {
        "notifications": both["notifications"]
    }
    assert read(live_server, alice, {}) == {}  # no timeline named: none, as Mastodon


def test_markers_are_per_account(live_server: LiveServer, alice: User, bob: User) -> None:
    save(live_server, alice, data={"home[last_read_id]": "5"})
    assert read(live_server, bob, {"timeline[]": ["home"]}) == {}


def test_bad_input_and_auth(live_server: LiveServer, directory: Directory, alice: User) -> None:
    for junk in ("", "abc", "-1"):
        response = save(live_server, alice, data={"home[last_read_id]": junk})
        assert response.status_code == 422
        assert response.json() == {"error": "Validation failed: Last read can't be blank"}
    assert read(live_server, alice, {"timeline[]": ["home"]}) == {}
    nothing = save(live_server, alice, data={"other[last_read_id]": "1"})
    assert nothing.status_code == 200 and nothing.json() == {}
    with live_server.client() as client:
        assert client.get("/api/v1/markers").status_code == 401
    read_only = directory.token(alice.id, "read")
    with live_server.client(read_only) as client:
        assert client.post("/api/v1/markers", data={"home[last_read_id]": "1"}).status_code == 403
        assert client.get("/api/v1/markers", params={"timeline": "home"}).status_code == 200
    app_only = directory.token(None, "read write")
    with live_server.client(app_only) as client:
        assert client.get("/api/v1/markers").status_code == 422


def test_two_devices_saving_at_once_both_succeed(live_server: LiveServer, alice: User) -> None:
    def device(n: int) -> httpx.Response:
        return save(live_server, alice, data={"home[last_read_id]": str(1000 + n)})

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(device, range(8)))
    assert [a.status_code for a in answers] == [200] * 8
    final = read(live_server, alice, {"timeline": "home"})["home"]
    assert final["version"] == 8
    assert final["last_read_id"] in {str(1000 + n) for n in range(8)}


def test_markers_are_rebuilt_from_the_log(
    live_server: LiveServer, database_url: str, alice: User
) -> None:
    save(live_server, alice, data={"home[last_read_id]": "42", "notifications[last_read_id]": "9"})
    verified = tootlog(database_url, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
