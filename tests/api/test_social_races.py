"""Concurrent social actions: the aggregates decide, so counts and limits hold under races."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx

from domain.reblog import Reblog
from tests.support import Directory, LiveServer, User

MAX_PINS_MESSAGE = "Validation failed: You have already pinned the maximum number of posts"


def fire(server: LiveServer, calls: list[tuple[User, Callable[[httpx.Client], httpx.Response]]]):  # noqa: ANN201
    """Run every call at the same moment, each on its own connection; their responses in order."""
    clients = [server.client(user.token) for user, _ in calls]
    for client in clients:  # connect first, so that the requests themselves race
        client.get("/api/v1/statuses/1")
    start = threading.Barrier(len(calls))

    def run(index: int) -> httpx.Response:
        start.wait()
        return calls[index][1](clients[index])

    try:
        with ThreadPoolExecutor(max_workers=len(calls)) as pool:
            return list(pool.map(run, range(len(calls))))
    finally:
        for client in clients:
            client.close()


def publish(server: LiveServer, user: User, **params: str) -> dict:
    with server.client(user.token) as client:
        response = client.post("/api/v1/statuses", data={"status": "race", **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_fifty_accounts_favouriting_one_status_at_once_count_exactly_fifty(
    live_server: LiveServer, directory: Directory
) -> None:
    author, *fans = directory.users(51)
    status = publish(live_server, author)
    path = f"/api/v1/statuses/{status['id']}"

    responses = fire(live_server, [(fan, lambda c: c.post(f"{path}/favourite")) for fan in fans])

    assert [r.status_code for r in responses] == [200] * 50, [r.text for r in responses]
    assert all(r.json()["favourited"] for r in responses)
    with live_server.client() as client:
        assert client.get(path).json()["favourites_count"] == 50
        listed = client.get(f"{path}/favourited_by", params={"limit": "80"}).json()
    assert sorted(a["id"] for a in listed) == sorted(fan.id for fan in fans)


def test_ten_concurrent_pins_with_three_pinned_leave_exactly_five(
    live_server: LiveServer, directory: Directory
) -> None:
    (user,) = directory.users(1)
    statuses = [publish(live_server, user)["id"] for _ in range(13)]
    with live_server.client(user.token) as client:
        for status_id in statuses[:3]:
            assert client.post(f"/api/v1/statuses/{status_id}/pin").status_code == 200

    responses = fire(
        live_server,
        [(user, lambda c, s=s: c.post(f"/api/v1/statuses/{s}/pin")) for s in statuses[3:]],
    )

    codes = [r.status_code for r in responses]
    assert sorted(codes) == [200] * 2 + [422] * 8, [r.text for r in responses]
    assert all(r.json() == {"error": MAX_PINS_MESSAGE} for r in responses if r.status_code == 422)
    winners = {s for s, r in zip(statuses[3:], responses, strict=True) if r.status_code == 200}
    with live_server.client(user.token) as client:
        pinned = client.get(
            f"/api/v1/accounts/{user.id}/statuses", params={"pinned": "true"}
        ).json()
        assert {s["id"] for s in pinned} == set(statuses[:3]) | winners
        for status_id in statuses:
            body = client.get(f"/api/v1/statuses/{status_id}").json()
            assert body["pinned"] is (status_id in set(statuses[:3]) | winners)


def test_concurrent_reblog_and_unreblog_end_with_the_last_committed_event(
    live_server: LiveServer, directory: Directory
) -> None:
    author, booster = directory.users(2)
    status_id = publish(live_server, author)["id"]
    path = f"/api/v1/statuses/{status_id}"
    store = directory.write_model
    boost_id = Reblog.create_id(booster.account_id, int(status_id))
    wrappers: set[str] = set()

    for _ in range(5):
        calls = [
            (booster, lambda c, i=i: c.post(f"{path}/{'reblog' if i % 2 else 'unreblog'}"))
            for i in range(8)
        ]
        responses = fire(live_server, calls)

        # Mastodon answers a lost race with 503; nothing else but success is allowed.
        assert {r.status_code for r in responses} <= {200, 503}, [r.text for r in responses]
        wrappers |= {r.json()["id"] for r in responses if r.status_code == 200} - {status_id}
        directory.wait_for(store.last_position())
        last = list(store.events.get(boost_id, desc=True, limit=1))[0]
        live = isinstance(last, Reblog.Reblogged)
        wrapper_id = str(last.wrapper_status_id) if live else None
        with live_server.client(booster.token) as client:
            original = client.get(path).json()
            assert (original["reblogged"], original["reblogs_count"]) == (live, int(live))
            listed = client.get(f"/api/v1/accounts/{booster.id}/statuses").json()
            assert [s["id"] for s in listed] == ([wrapper_id] if live else [])
            assert client.get(f"/api/v1/accounts/{booster.id}").json()["statuses_count"] == live
            boosters = client.get(f"{path}/reblogged_by").json()
            assert [a["id"] for a in boosters] == ([booster.id] if live else [])
            # Only the live wrapper answers; every earlier one is gone.
            for wrapper in wrappers | {wrapper_id} - {None}:
                expected = 200 if wrapper == wrapper_id else 404
                assert client.get(f"/api/v1/statuses/{wrapper}").status_code == expected
