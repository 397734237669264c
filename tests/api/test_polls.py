"""Polls: publishing a status with a poll (form and JSON), the Poll entity on the status and at
GET /api/v1/polls/:id, voting with Mastodon's rules and messages, and races."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.api.test_social_races import fire
from tests.support import Directory, LiveServer, User, serving

FAST_POLLS = {"TOOTLOG_POLL_MIN_EXPIRATION": "1"}


@pytest.fixture(scope="module")
def fast_server(server_url: str) -> Iterator[LiveServer]:
    """A server whose polls may close after one second (a test-only setting)."""
    with serving(server_url, FAST_POLLS) as server:
        yield server


@pytest.fixture(scope="module")
def fast_directory(fast_server: LiveServer) -> Iterator[Directory]:
    directory = Directory(fast_server.database_url)
    yield directory
    directory.close()


def publish_poll(server: LiveServer, user: User, json: bool = False, **poll: object) -> dict:
    poll = {"options": ["yes", "no"], "expires_in": 3600, **poll}
    with server.client(user.token) as client:
        if json:
            response = client.post("/api/v1/statuses", json={"status": "Q?", "poll": poll})
        else:
            data: dict = {"status": "Q?"}
            for key, value in poll.items():
                data[f"poll[{key}][]" if isinstance(value, list) else f"poll[{key}]"] = value
            response = client.post("/api/v1/statuses", data=data)
    assert response.status_code == 200, response.text
    return response.json()


def votes(server: LiveServer, user: User, poll_id: str, choices: list) -> object:
    with server.client(user.token) as client:
        return client.post(f"/api/v1/polls/{poll_id}/votes", data={"choices[]": choices})


def _at(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


@pytest.mark.parametrize("as_json", [False, True])
def test_a_status_with_a_poll_carries_the_poll_entity(
    live_server: LiveServer, alice: User, as_json: bool
) -> None:
    before = time.time()
    status = publish_poll(
        live_server, alice, json=as_json, options=[" yes ", "no", "maybe"], multiple=True
    )
    poll = status["poll"]
    expires = _at(poll.pop("expires_at"))
    assert before + 3600 - 1 <= expires <= time.time() + 3600 + 1
    assert poll == {
        "id": poll["id"],
        "expired": False,
        "multiple": True,
        "votes_count": 0,
        "voters_count": 0,
        "options": [
            {"title": "yes", "votes_count": 0},
            {"title": "no", "votes_count": 0},
            {"title": "maybe", "votes_count": 0},
        ],
        "emojis": [],
        "voted": True,  # the author counts as having voted (Poll#voted?)
        "own_votes": [],
    }
    with live_server.client() as client:
        anonymous = client.get(f"/api/v1/statuses/{status['id']}").json()["poll"]
        by_id = client.get(f"/api/v1/polls/{poll['id']}")
    assert "voted" not in anonymous and "own_votes" not in anonymous
    assert by_id.status_code == 200
    assert by_id.json() == anonymous


def test_votes_are_counted_and_shown_per_viewer(
    live_server: LiveServer, directory: Directory
) -> None:
    author, first, second, lurker = directory.users(4)
    poll = publish_poll(live_server, author, multiple=True)["poll"]
    one = votes(live_server, first, poll["id"], [0, 1])
    assert one.status_code == 200, one.text
    assert one.json()["own_votes"] == [0, 1] and one.json()["voted"] is True
    two = votes(live_server, second, poll["id"], ["1"])
    assert two.status_code == 200, two.text
    shown = two.json()
    assert shown["votes_count"] == 3 and shown["voters_count"] == 2
    assert [o["votes_count"] for o in shown["options"]] == [1, 2]
    assert shown["own_votes"] == [1]
    with live_server.client(lurker.token) as client:
        seen = client.get(f"/api/v1/polls/{poll['id']}").json()
    assert seen["voted"] is False and seen["own_votes"] == []
    # A multiple-choice poll takes another vote for a choice not yet taken (VoteValidator).
    again = votes(live_server, second, poll["id"], [0])
    assert again.status_code == 200, again.text
    assert again.json()["own_votes"] == [1, 0] and again.json()["voters_count"] == 2


def test_hide_totals_hides_option_counts_until_the_poll_ends(
    fast_server: LiveServer, fast_directory: Directory
) -> None:
    author, voter = fast_directory.users(2)
    poll = publish_poll(fast_server, author, hide_totals=True, expires_in=6)["poll"]
    voted = votes(fast_server, voter, poll["id"], [1]).json()
    assert [o["votes_count"] for o in voted["options"]] == [None, None]
    assert voted["votes_count"] == 1 and voted["voters_count"] == 1
    time.sleep(max(0.0, _at(poll["expires_at"]) - time.time()) + 0.3)
    with fast_server.client() as client:
        ended = client.get(f"/api/v1/polls/{poll['id']}").json()
    # Expired as soon as its time is past, whether or not the expiry is recorded yet.
    assert ended["expired"] is True
    assert [o["votes_count"] for o in ended["options"]] == [0, 1]


VOTE_ERRORS = [
    ([5], "Validation failed: The chosen vote option does not exist"),
    ([-1], "Validation failed: The chosen vote option does not exist"),
    (["x"], "Validation failed: The chosen vote option does not exist"),
    ([0, 1], "Validation failed: You have already voted on this poll"),
]


@pytest.mark.parametrize(("choices", "message"), VOTE_ERRORS)
def test_vote_rules_give_mastodons_messages_and_record_nothing(
    live_server: LiveServer, directory: Directory, choices: list, message: str
) -> None:
    author, voter = directory.users(2)
    poll = publish_poll(live_server, author)["poll"]
    response = votes(live_server, voter, poll["id"], choices)
    assert response.status_code == 422
    assert response.json() == {"error": message}
    with live_server.client(voter.token) as client:
        after = client.get(f"/api/v1/polls/{poll['id']}").json()
    assert after["votes_count"] == 0 and after["voted"] is False


def test_one_vote_per_account_on_a_single_choice_poll_and_none_by_its_author(
    live_server: LiveServer, directory: Directory
) -> None:
    author, voter = directory.users(2)
    poll = publish_poll(live_server, author)["poll"]
    assert votes(live_server, voter, poll["id"], [0]).status_code == 200
    again = votes(live_server, voter, poll["id"], [1])
    own = votes(live_server, author, poll["id"], [0])
    assert again.status_code == 422
    assert again.json() == {"error": "Validation failed: You have already voted on this poll"}
    assert own.status_code == 422
    assert own.json() == {"error": "Validation failed: You cannot vote in your own polls"}
    with live_server.client(author.token) as client:
        empty = client.post(f"/api/v1/polls/{poll['id']}/votes", data={})
    assert empty.status_code == 200  # no choices: VoteService does nothing
    assert empty.json()["votes_count"] == 1


def test_a_vote_on_an_expired_poll_is_refused(
    fast_server: LiveServer, fast_directory: Directory
) -> None:
    author, voter = fast_directory.users(2)
    poll = publish_poll(fast_server, author, expires_in=1)["poll"]
    time.sleep(1.2)
    response = votes(fast_server, voter, poll["id"], [0])
    assert response.status_code == 422
    assert response.json() == {"error": "Validation failed: The poll has already ended"}
    both = votes(fast_server, author, poll["id"], [7])
    assert both.json() == {
        "error": "Validation failed: The poll has already ended,"
        " The chosen vote option does not exist, You cannot vote in your own polls"
    }


def test_polls_are_seen_as_their_status_and_votes_need_a_user_with_write_statuses(
    live_server: LiveServer, directory: Directory
) -> None:
    author, stranger = directory.users(2)
    reader = directory.user(scopes="read")
    poll = publish_poll(live_server, author, json=True)
    with live_server.client(author.token) as client:
        private = client.post(
            "/api/v1/statuses",
            json={
                "status": "secret",
                "visibility": "private",
                "poll": {"options": ["a", "b"], "expires_in": 600},
            },
        ).json()["poll"]
    with live_server.client(stranger.token) as client:
        hidden = client.get(f"/api/v1/polls/{private['id']}")
        hidden_vote = client.post(f"/api/v1/polls/{private['id']}/votes", json={"choices": [0]})
        missing = client.get("/api/v1/polls/123")
        junk = client.get("/api/v1/polls/abc")
    for response in (hidden, hidden_vote, missing, junk):
        assert response.status_code == 404
        assert response.json() == {"error": "Not Found"}
    path = f"/api/v1/polls/{poll['poll']['id']}/votes"
    with live_server.client() as client:
        anonymous = client.post(path, data={"choices[]": [0]})
    with live_server.client(reader.token) as client:
        read_only = client.post(path, data={"choices[]": [0]})
    assert anonymous.status_code == 401
    assert read_only.status_code == 403
    assert read_only.json() == {"error": "This action is outside the authorized scopes"}
    # Deleting the status takes its poll.
    with live_server.client(author.token) as client:
        assert client.delete(f"/api/v1/statuses/{poll['id']}").json()["poll"]["id"]
        assert client.get(f"/api/v1/polls/{poll['poll']['id']}").status_code == 404


def test_a_reblog_shows_the_poll_on_its_original(
    live_server: LiveServer, directory: Directory
) -> None:
    author, booster = directory.users(2)
    status = publish_poll(live_server, author)
    with live_server.client(booster.token) as client:
        wrapper = client.post(f"/api/v1/statuses/{status['id']}/reblog").json()
        reply = client.post(
            "/api/v1/statuses", data={"status": "a reply", "in_reply_to_id": status["id"]}
        ).json()
        context = client.get(f"/api/v1/statuses/{status['id']}/context").json()
        thread = client.get(f"/api/v1/statuses/{reply['id']}/context").json()
    assert wrapper["poll"] is None
    assert wrapper["reblog"]["poll"]["id"] == status["poll"]["id"]
    assert wrapper["reblog"]["poll"]["voted"] is False
    assert context == {"ancestors": [], "descendants": [reply]}
    assert thread["ancestors"][0]["poll"] == {**status["poll"], "voted": False}


POLL_ERRORS = [
    ({"options": ["a"]}, "Poll options must have more than one item"),
    (
        {"options": []},
        "Poll options can't be blank, Poll options must have more than one item",
    ),
    ({"options": ["a", "b", "c", "d", "e"]}, "Poll options can't contain more than 4 items"),
    ({"options": ["a", "b" * 51]}, "Poll options cannot be longer than 50 characters each"),
    ({"options": ["a", "a"]}, "Poll options contain duplicate items"),
    ({"expires_in": 299}, "Poll expires at is too soon"),
    ({"expires_in": "junk"}, "Poll expires at is too soon"),
    ({"expires_in": 2629747}, "Poll expires at is too far into the future"),
    ({"expires_in": "9" * 400}, "Poll expires at is too far into the future"),
    ({"expires_in": "-" + "9" * 400}, "Poll expires at is too soon"),
    (
        {"expires_in": ""},
        "Poll expires at can't be blank, Poll expires at is too far into the future",
    ),
]


@pytest.mark.parametrize(("poll", "message"), POLL_ERRORS)
@pytest.mark.parametrize("as_json", [False, True])
def test_poll_rules_give_mastodons_messages_and_publish_nothing(
    live_server: LiveServer, directory: Directory, poll: dict, message: str, as_json: bool
) -> None:
    user = directory.user()
    poll = {"options": ["yes", "no"], "expires_in": 3600, **poll}
    with live_server.client(user.token) as client:
        if as_json:
            response = client.post("/api/v1/statuses", json={"status": "Q", "poll": poll})
        else:
            data = {"status": "Q", "poll[options][]": poll["options"]}
            data["poll[expires_in]"] = poll["expires_in"]
            response = client.post("/api/v1/statuses", data=data)
        account = client.get(f"/api/v1/accounts/{user.id}").json()
    assert response.status_code == 422
    assert response.json() == {"error": f"Validation failed: {message}"}
    assert account["statuses_count"] == 0


def test_a_poll_beside_media_and_a_blank_text_are_refused(
    live_server: LiveServer, alice: User
) -> None:
    poll = {"options": ["a", "b"], "expires_in": 600}
    with live_server.client(alice.token) as client:
        with_media = client.post(
            "/api/v1/statuses", json={"status": "Q", "media_ids": ["1"], "poll": poll}
        )
        blank = client.post("/api/v1/statuses", json={"status": "", "poll": {"options": ["a"]}})
    assert with_media.status_code == 422
    assert with_media.json() == {"error": "Cannot attach more than 4 files"}
    assert blank.json() == {
        "error": "Validation failed: Text can't be blank, Poll expires at can't be blank,"
        " Poll options must have more than one item, Poll expires at is too far into the future"
    }


def test_two_votes_at_once_by_one_account_exactly_one_counts(
    live_server: LiveServer, directory: Directory
) -> None:
    author, voter = directory.users(2)
    poll = publish_poll(live_server, author)["poll"]
    path = f"/api/v1/polls/{poll['id']}/votes"
    responses = fire(
        live_server,
        [(voter, lambda c, i=i: c.post(path, data={"choices[]": [i % 2]})) for i in range(6)],
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 422, 422, 422, 422, 422], [r.text for r in responses]
    with live_server.client() as client:
        after = client.get(f"/api/v1/polls/{poll['id']}").json()
    assert after["votes_count"] == 1 and after["voters_count"] == 1


def test_thirty_voters_at_once_are_all_counted(
    live_server: LiveServer, directory: Directory
) -> None:
    author, *voters = directory.users(31)
    poll = publish_poll(live_server, author, multiple=True)["poll"]
    path = f"/api/v1/polls/{poll['id']}/votes"
    responses = fire(
        live_server,
        [(voter, lambda c: c.post(path, json={"choices": [0, 1]})) for voter in voters],
    )
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    with live_server.client() as client:
        after = client.get(f"/api/v1/polls/{poll['id']}").json()
    assert after["votes_count"] == 60 and after["voters_count"] == 30
    assert [o["votes_count"] for o in after["options"]] == [30, 30]


def test_expires_at_is_utc_milliseconds(live_server: LiveServer, alice: User) -> None:
    poll = publish_poll(live_server, alice, expires_in=300)["poll"]
    assert poll["expires_at"].endswith("Z") and len(poll["expires_at"]) == 24
    assert datetime.strptime(poll["expires_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
