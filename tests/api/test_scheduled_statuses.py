"""Scheduled statuses: `scheduled_at` on POST /api/v1/statuses, the ScheduledStatus entity, the
/api/v1/scheduled_statuses endpoints with Mastodon's rules and messages, and publication at
the time: once, with media and poll, even with two schedulers at once and after downtime."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from api.config import Settings
from api.scheduling import scheduler_for
from tests.api.test_media import uploaded
from tests.support import TEST_URLS, Directory, LiveServer, User, eventually, serving

TOO_SOON = "Validation failed: Scheduled at date must be in the future"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def later(**delta: float) -> datetime:
    return datetime.now(UTC) + timedelta(**delta)


def schedule(server: LiveServer, user: User, at: datetime | str, json: bool = False, **fields):  # noqa: ANN003, ANN201
    when = at if isinstance(at, str) else iso(at)
    with server.client(user.token) as client:
        if json:
            return client.post("/api/v1/statuses", json={"scheduled_at": when, **fields})
        return client.post("/api/v1/statuses", data={"scheduled_at": when, **fields})


def scheduled(server: LiveServer, user: User, at: datetime, **fields) -> dict:  # noqa: ANN003
    response = schedule(server, user, at, **{"status": "later", **fields})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_future_scheduled_at_answers_a_scheduled_status(
    live_server: LiveServer, alice: User
) -> None:
    at = later(hours=2)
    body = scheduled(live_server, alice, at, status="hello later", visibility="unlisted")
    assert body == {
        "id": body["id"],
        "scheduled_at": iso(at),
        "params": {
            "poll": None,
            "text": "hello later",
            "language": None,
            "media_ids": None,
            "sensitive": None,
            "visibility": "unlisted",
            "idempotency": None,
            "scheduled_at": None,
            "spoiler_text": None,
            "in_reply_to_id": None,
            "with_rate_limit": False,
        },
        "media_attachments": [],
    }
    assert list(body["params"]) == list(body["params"])  # jsonb's order, as Mastodon
    with live_server.client(alice.token) as client:
        shown = client.get(f"/api/v1/scheduled_statuses/{body['id']}")
        account = client.get(f"/api/v1/accounts/{alice.id}").json()
    assert shown.status_code == 200 and shown.json() == body
    assert account["statuses_count"] == 0  # nothing published yet


def test_scheduling_with_media_a_poll_and_a_reply(
    live_server: LiveServer, directory: Directory
) -> None:
    user, other = directory.users(2)
    with live_server.client(other.token) as client:
        parent = client.post("/api/v1/statuses", data={"status": "parent"}).json()
    media = uploaded(live_server, user)
    with_media = scheduled(
        live_server, user, later(days=1), media_ids=[media["id"]], in_reply_to_id=parent["id"]
    )
    assert with_media["media_attachments"] == [media]
    assert with_media["params"]["media_ids"] == [media["id"]]
    assert with_media["params"]["in_reply_to_id"] == int(parent["id"])
    poll = {"options": ["a", "b"], "expires_in": 600}
    response = schedule(live_server, user, later(days=1), json=True, status="poll later", poll=poll)
    assert response.status_code == 200, response.text
    assert response.json()["params"]["poll"] == poll


@pytest.mark.parametrize(
    ("at", "fields", "status", "message"),
    [
        (timedelta(minutes=4), {}, 422, TOO_SOON),
        ("soon", {}, 422, "Record invalid"),
        ("2030-13-45T00:00:00Z", {}, 422, "Record invalid"),
        (timedelta(hours=1), {"status": ""}, 422, "Record invalid"),
        (timedelta(hours=1), {"status": "x" * 501}, 422, "Record invalid"),
        (timedelta(hours=1), {"visibility": "nope"}, 422, "Record invalid"),
        (timedelta(hours=1), {"in_reply_to_id": "1"}, 404, None),
        (timedelta(hours=1), {"media_ids[]": ["1"]}, 422, None),
    ],
)
def test_scheduling_refusals_give_mastodons_messages(
    live_server: LiveServer,
    directory: Directory,
    at: timedelta | str,
    fields: dict,
    status: int,
    message: str | None,
) -> None:
    user = directory.user()
    when = datetime.now(UTC) + at if isinstance(at, timedelta) else at  # now, not at collection
    response = schedule(live_server, user, when, **{"status": "x", **fields})
    assert response.status_code == status, response.text
    if message is not None:
        assert response.json() == {"error": message}
    with live_server.client(user.token) as client:
        assert client.get("/api/v1/scheduled_statuses").json() == []


def test_a_scheduled_at_in_the_past_publishes_at_once(live_server: LiveServer, alice: User) -> None:
    response = schedule(live_server, alice, later(minutes=-1), status="now")
    assert response.status_code == 200, response.text
    assert response.json()["content"] == "<p>now</p>"


def test_list_page_update_and_delete(live_server: LiveServer, directory: Directory) -> None:
    user, other = directory.users(2)
    made = [scheduled(live_server, user, later(hours=1 + i))["id"] for i in range(3)]
    with live_server.client(user.token) as client:
        first = client.get("/api/v1/scheduled_statuses", params={"limit": "2"})
        rest = client.get("/api/v1/scheduled_statuses", params={"max_id": made[1]})
        newer = client.get("/api/v1/scheduled_statuses", params={"min_id": made[0]})
    assert [s["id"] for s in first.json()] == [made[2], made[1]]
    base = "https://example.com/api/v1/scheduled_statuses"
    assert first.headers["link"] == (
        f'<{base}?limit=2&max_id={made[1]}>; rel="next", <{base}?limit=2&min_id={made[2]}>;'
        ' rel="prev"'
    )
    assert [s["id"] for s in rest.json()] == [made[0]]
    assert [s["id"] for s in newer.json()] == [made[2], made[1]]
    path = f"/api/v1/scheduled_statuses/{made[0]}"
    moved_to = later(days=3)
    with live_server.client(user.token) as client:
        moved = client.put(path, data={"scheduled_at": iso(moved_to), "status": "ignored"})
        too_soon = client.put(path, json={"scheduled_at": iso(later(minutes=1))})
        junk = client.put(path, json={"scheduled_at": "junk"})
        unchanged = client.put(path, json={})
    assert moved.status_code == 200, moved.text
    assert moved.json()["scheduled_at"] == iso(moved_to)
    assert moved.json()["params"]["text"] == "later"
    assert too_soon.status_code == 422 and too_soon.json() == {"error": TOO_SOON}
    assert junk.json() == {"error": "Record invalid"}
    assert unchanged.json() == moved.json()
    with live_server.client(other.token) as client:
        for response in (
            client.get(path),
            client.put(path, json={"scheduled_at": iso(later(days=2))}),
            client.delete(path),
        ):
            assert response.status_code == 404
            assert response.json() == {"error": "Record not found"}
    with live_server.client(user.token) as client:
        deleted = client.delete(path)
        again = client.delete(path)
        remaining = client.get("/api/v1/scheduled_statuses").json()
    assert deleted.status_code == 200 and deleted.json() == {}
    assert again.status_code == 404
    assert [s["id"] for s in remaining] == [made[2], made[1]]


def test_scopes_and_users(live_server: LiveServer, directory: Directory) -> None:
    reader = directory.user(scopes="read")
    writer = directory.user(scopes="write")
    with live_server.client() as client:
        assert client.get("/api/v1/scheduled_statuses").status_code == 401
    with live_server.client(writer.token) as client:
        refused = client.get("/api/v1/scheduled_statuses")
    assert refused.status_code == 403
    entry = scheduled(live_server, writer, later(hours=1))
    with live_server.client(reader.token) as client:
        assert client.get("/api/v1/scheduled_statuses").json() == []
        put = client.put(f"/api/v1/scheduled_statuses/{entry['id']}", json={})
    assert put.status_code == 403


def test_daily_and_total_limits(live_server: LiveServer, directory: Directory) -> None:
    user = directory.user()
    day = (datetime.now(UTC) + timedelta(days=2)).replace(hour=1, minute=0, second=0)
    for minute in range(25):
        scheduled(live_server, user, day + timedelta(minutes=minute))
    over = schedule(live_server, user, day + timedelta(hours=5), status="one more")
    assert over.status_code == 422
    assert over.json() == {
        "error": "Validation failed: You have exceeded the limit of 25 scheduled posts for today"
    }
    next_day = scheduled(live_server, user, day + timedelta(days=1))
    assert next_day["id"]
    for n in range(300 - 26):
        scheduled(live_server, user, day + timedelta(days=2 + n // 25, minutes=n % 25))
    over = schedule(live_server, user, day + timedelta(days=40), status="too many")
    assert over.json() == {
        "error": "Validation failed: You have exceeded the limit of 300 scheduled posts"
    }
    both = schedule(live_server, user, day + timedelta(minutes=30), status="x")
    assert both.json() == {
        "error": "Validation failed: You have exceeded the limit of 300 scheduled posts,"
        " You have exceeded the limit of 25 scheduled posts for today"
    }


def test_a_retried_scheduling_post_answers_the_same_scheduled_status(
    live_server: LiveServer, alice: User
) -> None:
    key = {"Idempotency-Key": uuid.uuid4().hex}
    at = iso(later(hours=3))
    with live_server.client(alice.token) as client:
        first = client.post(
            "/api/v1/statuses", data={"status": "once", "scheduled_at": at}, headers=key
        )
        again = client.post(
            "/api/v1/statuses", data={"status": "twice", "scheduled_at": at}, headers=key
        )
        listed = client.get("/api/v1/scheduled_statuses").json()
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert [s["id"] for s in listed].count(first.json()["id"]) == 1
    assert sum(1 for s in listed if s["params"]["text"] == "twice") == 0


# Publication at the time


@pytest.fixture
def quick(server_url: str) -> Iterator[LiveServer]:
    """A server without a scheduler process, on which a status may be scheduled one second
    ahead (a test-only setting)."""
    with serving(server_url, {"TOOTLOG_SCHEDULE_MIN_OFFSET": "1"}) as live:
        yield live


def published_events(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT count(*) FROM tootlog_events WHERE topic = 'tootlog.schedule.published.v1'"
        ).fetchone()[0]


def wait_for(predicate, timeout: float = 20.0) -> None:  # noqa: ANN001
    eventually(predicate, timeout, interval=0.1)


def test_published_once_with_media_and_poll_by_two_schedulers_after_downtime(
    quick: LiveServer,
) -> None:
    directory = Directory(quick.database_url)
    try:
        user = directory.user()
        media = uploaded(quick, user)
        due = later(seconds=20)  # room for the scheduling posts on a busy machine
        plain = [scheduled(quick, user, due, status=f"plain {n}")["id"] for n in range(6)]
        with_media = scheduled(quick, user, due, status="pictured", media_ids=[media["id"]])
        poll = {"options": ["a", "b"], "expires_in": 600, "multiple": True}
        response = schedule(quick, user, due, json=True, status="polled", poll=poll)
        assert response.status_code == 200, response.text
        entries = [*plain, with_media["id"], response.json()["id"]]
        # Due while no scheduler runs.
        time.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 0.5)
        with quick.client(user.token) as client:
            assert len(client.get("/api/v1/scheduled_statuses").json()) == len(entries)
        settings = replace(Settings.from_env(), urls=TEST_URLS)
        schedulers = [scheduler_for(settings, quick.database_url) for _ in range(2)]
        for scheduler in schedulers:
            scheduler.interval = 0.05
        stop = threading.Event()
        threads = [
            threading.Thread(target=s.run, args=(stop,), kwargs={"lock": False}) for s in schedulers
        ]
        for thread in threads:
            thread.start()
        try:
            wait_for(lambda: published_events(quick.database_url) >= len(entries))
            time.sleep(0.5)
        finally:
            stop.set()
            for thread in threads:
                thread.join()
            for scheduler in schedulers:
                scheduler.close()
        assert published_events(quick.database_url) == len(entries)
        directory.wait_for(directory.write_model.last_position())
        with quick.client(user.token) as client:
            assert client.get("/api/v1/scheduled_statuses").json() == []
            statuses = client.get(
                f"/api/v1/accounts/{user.id}/statuses", params={"limit": "40"}
            ).json()
    finally:
        directory.close()
    texts = sorted(s["content"] for s in statuses)
    assert texts == sorted(
        [f"<p>plain {n}</p>" for n in range(6)] + ["<p>pictured</p>", "<p>polled</p>"]
    )
    pictured = next(s for s in statuses if s["content"] == "<p>pictured</p>")
    assert [m["id"] for m in pictured["media_attachments"]] == [media["id"]]
    polled = next(s for s in statuses if s["content"] == "<p>polled</p>")
    assert polled["poll"]["multiple"] is True
    assert [o["title"] for o in polled["poll"]["options"]] == ["a", "b"]


@pytest.mark.parametrize("value", [1893456000, ["2030-01-01T00:00:00Z"], {"at": "2030"}, True])
def test_a_scheduled_at_that_is_not_a_time_string_is_record_invalid(
    live_server: LiveServer, alice: User, value: object
) -> None:
    with live_server.client(alice.token) as client:
        response = client.post("/api/v1/statuses", json={"status": "x", "scheduled_at": value})
        moved = client.put("/api/v1/scheduled_statuses/1", json={"scheduled_at": value})
    assert response.status_code == 422
    assert response.json() == {"error": "Record invalid"}
    assert moved.status_code == 404  # no such entry comes first


def test_odd_poll_and_choices_shapes_never_fail(
    live_server: LiveServer, directory: Directory
) -> None:
    author, voter = directory.users(2)
    with live_server.client(author.token) as client:
        as_text = client.post("/api/v1/statuses", json={"status": "x", "poll": "yes"})
        nested = client.post(
            "/api/v1/statuses",
            json={"status": "x", "poll": {"options": [["a"], {"b": 1}], "expires_in": [1]}},
        )
        numbers = client.post(
            "/api/v1/statuses",
            json={"status": "x", "poll": {"options": [1, 2.5], "expires_in": 600}},
        )
    assert as_text.status_code == 200 and as_text.json()["poll"] is None
    assert nested.status_code == 422
    assert numbers.status_code == 200, numbers.text
    assert [o["title"] for o in numbers.json()["poll"]["options"]] == ["1", "2.5"]
    path = f"/api/v1/polls/{numbers.json()['poll']['id']}/votes"
    with live_server.client(voter.token) as client:
        for body in ({"choices": {"a": 1}}, {"choices": [[0]]}, {"choices": "0"}):
            response = client.post(path, json=body)
            assert response.status_code in (200, 422), response.text
