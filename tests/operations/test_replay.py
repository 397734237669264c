"""`tootlog replay`: the events of a known history, filtered, as JSON lines or a table."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from tests.operations.conftest import Served, tootlog
from tests.support import Directory, LiveServer, scratch_database


@dataclass
class History:
    """alice posts S; bob favourites it (t1), reblogs it (t2), unreblogs and unfavourites it
    (t3); alice pins it (t4) and deletes it (t5). alice also posts a private status P."""

    url: str
    server: LiveServer
    directory: Directory
    alice: object
    bob: object
    status: str
    private: str
    times: dict[str, datetime]


def now() -> datetime:
    time.sleep(0.05)  # so that events before and after a mark differ in time
    moment = datetime.now(UTC)
    time.sleep(0.05)
    return moment


@pytest.fixture(scope="module")
def history(server_url: str) -> Iterator[History]:
    with scratch_database(server_url) as url:
        server = LiveServer(url)
        directory = Directory(url)
        try:
            alice, bob = directory.user("alice"), directory.user("bob")
            a, b = server.client(alice.token), server.client(bob.token)
            times = {"t0": now()}
            status = a.post("/api/v1/statuses", data={"status": "hello"}).json()["id"]
            private = a.post(
                "/api/v1/statuses", data={"status": "secret", "visibility": "private"}
            ).json()["id"]
            assert b.post(f"/api/v1/statuses/{status}/favourite").status_code == 200
            times["t1"] = now()
            assert b.post(f"/api/v1/statuses/{status}/reblog").status_code == 200
            times["t2"] = now()
            assert b.post(f"/api/v1/statuses/{status}/unreblog").status_code == 200
            assert b.post(f"/api/v1/statuses/{status}/unfavourite").status_code == 200
            times["t3"] = now()
            assert a.post(f"/api/v1/statuses/{status}/pin").status_code == 200
            times["t4"] = now()
            assert a.delete(f"/api/v1/statuses/{status}").status_code == 200
            times["t5"] = now()
            yield History(url, server, directory, alice, bob, status, private, times)
        finally:
            server.stop()
            directory.close()


def lines(result) -> list[dict]:  # noqa: ANN001
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def topics(result) -> list[str]:  # noqa: ANN001
    return [event["topic"] for event in lines(result)]


def test_everything_that_happened_to_a_status_in_order(history: History) -> None:
    events = lines(tootlog(history.url, "replay", "--status", history.status))
    assert [e["topic"] for e in events] == [
        "tootlog.status.published.v1",
        "tootlog.favourite.opened.v1",
        "tootlog.favourite.favourited.v1",
        "tootlog.reblog.opened.v1",
        "tootlog.reblog.reblogged.v1",
        "tootlog.reblog_wrapper.claimed.v1",
        "tootlog.reblog.unreblogged.v1",
        "tootlog.favourite.unfavourited.v1",
        "tootlog.pins.pinned.v1",
        "tootlog.status.deleted.v1",
        "tootlog.pins.unpinned.v1",
    ]
    positions = [e["position"] for e in events]
    assert positions == sorted(positions)
    published = events[0]
    assert published["aggregate"] == {"type": "status", "id": history.status}
    assert published["version"] == 1
    assert published["payload"]["status_id"] == history.status
    assert published["payload"]["account_id"] == history.alice.id  # ids as strings
    assert published["payload"]["text"] == "hello"
    recorded = datetime.fromisoformat(published["recorded_at"].replace("Z", "+00:00"))
    assert history.times["t0"] < recorded < history.times["t1"]
    favourited = events[2]
    assert favourited["aggregate"] == {
        "type": "favourite",
        "id": f"{history.bob.id}/{history.status}",
    }


def test_everything_an_account_did_by_id_or_username(history: History) -> None:
    by_name = lines(tootlog(history.url, "replay", "--account", f"@{history.bob.username}"))
    by_id = lines(tootlog(history.url, "replay", "--account", history.bob.id))
    assert by_name == by_id
    names = [e["topic"] for e in by_name]
    assert names[:2] == ["tootlog.account.registered.v1", "tootlog.username.claimed.v1"]
    assert "tootlog.favourite.unfavourited.v1" in names
    assert "tootlog.status.published.v1" not in names  # bob posted nothing
    # no password or token hashes anywhere
    text = json.dumps(by_name)
    assert "password" not in text and "_hash" not in text
    registered = by_name[0]["payload"]
    assert registered["account_id"] == history.bob.id and registered["username"] == "bob"


def test_a_deletion_is_also_what_its_author_did(history: History) -> None:
    names = topics(tootlog(history.url, "replay", "--account", "@alice"))
    assert "tootlog.status.deleted.v1" in names


def test_filters_combine(history: History) -> None:
    only_bob_on_s = topics(
        tootlog(history.url, "replay", "--status", history.status, "--account", "@bob")
    )
    assert only_bob_on_s == [
        "tootlog.favourite.opened.v1",
        "tootlog.favourite.favourited.v1",
        "tootlog.reblog.opened.v1",
        "tootlog.reblog.reblogged.v1",
        "tootlog.reblog_wrapper.claimed.v1",
        "tootlog.reblog.unreblogged.v1",
        "tootlog.favourite.unfavourited.v1",
    ]
    reblogs = topics(
        tootlog(history.url, "replay", "--status", history.status, "--topic", "reblog.*")
    )
    assert reblogs == [
        "tootlog.reblog.opened.v1",
        "tootlog.reblog.reblogged.v1",
        "tootlog.reblog.unreblogged.v1",
    ]
    between = topics(
        tootlog(
            history.url,
            "replay",
            "--status",
            history.status,
            "--since",
            history.times["t1"].isoformat(),
            "--until",
            history.times["t3"].isoformat(),
        )
    )
    assert between == [
        "tootlog.reblog.opened.v1",
        "tootlog.reblog.reblogged.v1",
        "tootlog.reblog_wrapper.claimed.v1",
        "tootlog.reblog.unreblogged.v1",
        "tootlog.favourite.unfavourited.v1",
    ]


def test_positions_bound_the_whole_log(history: History) -> None:
    everything = lines(tootlog(history.url, "replay"))
    assert len(everything) > 20
    assert [e["position"] for e in everything] == sorted(e["position"] for e in everything)
    middle = everything[5:9]
    window = lines(
        tootlog(
            history.url,
            "replay",
            "--from",
            str(middle[0]["position"]),
            "--to",
            str(middle[-1]["position"]),
        )
    )
    assert window == middle
    statuses = topics(tootlog(history.url, "replay", "--topic", "status.*"))
    assert statuses == [
        "tootlog.status.published.v1",
        "tootlog.status.published.v1",
        "tootlog.status.deleted.v1",
    ]


def test_table_format(history: History) -> None:
    result = tootlog(history.url, "replay", "--status", history.status, "--format", "table")
    assert result.returncode == 0, result.stderr
    rows = result.stdout.splitlines()
    assert rows[0].split()[:3] == ["POSITION", "RECORDED", "AT"]
    assert len(rows) == 12
    assert "status.published.v1" in rows[1] and f"status {history.status}" in rows[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--status", "123"], "status not found: 123"),
        (["--status", "abc"], "status not found: abc"),
        (["--account", "@nobody"], "account not found: @nobody"),
        (["--account", "42"], "account not found: 42"),
        (["--as-of", "2026-01-01"], "--as-of needs --status ID"),
    ],
)
def test_unknown_ids_are_one_line_errors(history: History, args: list[str], message: str) -> None:
    result = tootlog(history.url, "replay", *args)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == f"tootlog: {message}"
    assert result.stdout == ""


def test_a_malformed_time_is_refused(history: History) -> None:
    result = tootlog(history.url, "replay", "--since", "yesterday")
    assert result.returncode == 2
    assert "is not an ISO 8601 time" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_database_that_is_down_is_one_line(history: History) -> None:
    result = tootlog("postgresql://postgres@127.0.0.1:1/nothing", "replay")
    assert result.returncode == 1
    using, error = result.stderr.strip().splitlines()
    assert using == "tootlog: using database nothing on 127.0.0.1"
    assert error.startswith("tootlog: the database cannot be reached")


def status_as_of(history: History, moment: datetime, status: str | None = None):  # noqa: ANN201
    return tootlog(
        history.url, "replay", "--as-of", moment.isoformat(), "--status", status or history.status
    )


def test_as_of_renders_the_status_as_it_was(history: History) -> None:
    at = {}
    for mark in ("t1", "t2", "t3", "t4"):
        result = status_as_of(history, history.times[mark])
        assert result.returncode == 0, result.stderr
        at[mark] = json.loads(result.stdout)
    assert (at["t1"]["favourites_count"], at["t1"]["reblogs_count"]) == (1, 0)
    assert (at["t2"]["favourites_count"], at["t2"]["reblogs_count"]) == (1, 1)
    assert (at["t3"]["favourites_count"], at["t3"]["reblogs_count"]) == (0, 0)
    for status in at.values():
        assert status["id"] == history.status
        assert status["content"] == "<p>hello</p>"
        assert status["visibility"] == "public"
        assert status["account"]["username"] == "alice"
        assert "favourited" not in status  # as an anonymous viewer
    # alice's private status exists from t1 on, but only as a public status counts
    assert at["t1"]["account"]["statuses_count"] == 2


def test_as_of_matches_what_the_api_answered_then(history: History) -> None:
    """The live answer at a moment, and the one computed from the log for that moment, are the
    same bytes."""
    server, directory = history.server, history.directory
    carol, dave = directory.user(), directory.user()
    with server.client(carol.token) as c, server.client(dave.token) as d:
        status = c.post("/api/v1/statuses", data={"status": f"hi @{dave.username} #tag"})
        status = status.json()["id"]
        d.post(f"/api/v1/statuses/{status}/favourite")
        d.post("/api/v1/statuses", data={"status": "re", "in_reply_to_id": status})
        d.post(f"/api/v1/accounts/{carol.id}/follow")
        with server.client() as anonymous:
            answered = anonymous.get(f"/api/v1/statuses/{status}").text
        moment = now()
        d.post(f"/api/v1/statuses/{status}/reblog")
    result = tootlog(history.url, "replay", "--as-of", moment.isoformat(), "--status", status)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == answered


def test_as_of_before_it_existed_and_after_its_deletion(history: History) -> None:
    before = status_as_of(history, history.times["t0"])
    assert before.returncode == 1
    assert f"status {history.status} did not exist yet" in before.stderr
    gone = status_as_of(history, history.times["t5"])
    assert gone.returncode == 1
    assert f"status {history.status} was deleted at" in gone.stderr
    later = status_as_of(history, history.times["t5"] + timedelta(days=1))
    assert "was deleted at" in later.stderr


def test_as_of_a_private_status_is_what_an_anonymous_viewer_got(history: History) -> None:
    result = status_as_of(history, history.times["t5"], history.private)
    assert result.returncode == 1
    assert "was private" in result.stderr and "404" in result.stderr


def test_bookmarks_are_named_by_account_and_status(served: Served) -> None:
    events = lines(tootlog(served.url, "replay", "--topic", "bookmark.*"))
    kinds = {e["topic"] for e in events}
    assert {"tootlog.bookmark.opened.v1", "tootlog.bookmark.bookmarked.v1"} <= kinds
    for event in events:
        payload = event["payload"]
        assert event["aggregate"] == {
            "type": "bookmark",
            "id": f"{payload['account_id']}/{payload['status_id']}",
        }
    marked = next(e for e in events if e["topic"] == "tootlog.bookmark.bookmarked.v1")
    on_status = topics(tootlog(served.url, "replay", "--status", marked["payload"]["status_id"]))
    assert "tootlog.bookmark.bookmarked.v1" in on_status


def test_conversation_mutes_are_named_by_account_and_root(served: Served) -> None:
    events = lines(tootlog(served.url, "replay", "--topic", "conversation_mute.*"))
    kinds = {e["topic"] for e in events}
    assert {"tootlog.conversation_mute.opened.v1", "tootlog.conversation_mute.muted.v1"} <= kinds
    for event in events:
        payload = event["payload"]
        assert event["aggregate"] == {
            "type": "conversation_mute",
            "id": f"{payload['account_id']}/{payload['root_id']}",
        }
    muted = next(e for e in events if e["topic"] == "tootlog.conversation_mute.muted.v1")
    on_root = topics(tootlog(served.url, "replay", "--status", muted["payload"]["root_id"]))
    assert "tootlog.conversation_mute.muted.v1" in on_root
