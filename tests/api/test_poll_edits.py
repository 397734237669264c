"""Polls in edits (§6.16, §14): PUT /api/v1/statuses/:id replaces or removes the poll as
UpdateStatusService does, and the history carries each version's poll options."""

from __future__ import annotations

import time

import httpx

from tests.api.test_media import uploaded
from tests.api.test_polls import _at, publish_poll, votes
from tests.support import Directory, LiveServer, User


def edit(server: LiveServer, user: User, status_id: str, body: dict) -> httpx.Response:
    with server.client(user.token) as client:
        return client.put(f"/api/v1/statuses/{status_id}", json=body)


def edit_form(server: LiveServer, user: User, status_id: str, data: dict) -> httpx.Response:
    with server.client(user.token) as client:
        return client.put(f"/api/v1/statuses/{status_id}", data=data)


def shown(server: LiveServer, user: User | None, path: str) -> dict | list:
    with server.client(user.token if user else None) as client:
        response = client.get(path)
    assert response.status_code == 200, response.text
    return response.json()


def test_an_edit_with_the_same_options_keeps_the_poll_and_its_votes(
    live_server: LiveServer, directory: Directory
) -> None:
    author, voter = directory.users(2)
    status = publish_poll(live_server, author, options=["yes", "no"], multiple=False)
    poll_id = status["poll"]["id"]
    assert votes(live_server, voter, poll_id, [1]).status_code == 200
    before = time.time()
    response = edit(
        live_server,
        author,
        status["id"],
        {
            "status": "Q? (edited)",
            "poll": {"options": ["yes", "no"], "expires_in": 7200, "multiple": False},
        },
    )
    assert response.status_code == 200, response.text
    poll = response.json()["poll"]
    assert poll["id"] == poll_id  # the same poll
    assert [o["votes_count"] for o in poll["options"]] == [0, 1]
    assert (poll["votes_count"], poll["voters_count"]) == (1, 1)
    assert before + 7200 - 5 < _at(poll["expires_at"]) < time.time() + 7200 + 5  # new expiry
    seen = shown(live_server, voter, f"/api/v1/polls/{poll_id}")
    assert seen["voted"] is True and seen["own_votes"] == [1]
    # The voter voted already: a single-choice poll takes no second vote.
    again = votes(live_server, voter, poll_id, [0])
    assert again.status_code == 422
    assert again.json() == {"error": "Validation failed: You have already voted on this poll"}


def test_changed_options_or_a_left_out_multiple_reset_the_votes(
    live_server: LiveServer, directory: Directory
) -> None:
    author, voter = directory.users(2)
    for change in (
        {"options": ["yes", "no", "maybe"], "expires_in": 3600, "multiple": False},
        {"options": ["yes", "no"], "expires_in": 3600, "multiple": True},
        # Rails casts a missing `multiple` to nil, which differs from false: votes reset.
        {"options": ["yes", "no"], "expires_in": 3600},
    ):
        status = publish_poll(live_server, author, options=["yes", "no"], multiple=False)
        poll_id = status["poll"]["id"]
        assert votes(live_server, voter, poll_id, [0]).status_code == 200
        response = edit(live_server, author, status["id"], {"status": "Q?", "poll": change})
        assert response.status_code == 200, response.text
        poll = response.json()["poll"]
        assert poll["id"] == poll_id
        assert poll["options"] == [{"title": t, "votes_count": 0} for t in change["options"]]
        assert (poll["votes_count"], poll["voters_count"]) == (0, 0), change
        assert poll["multiple"] is bool(change.get("multiple"))
        seen = shown(live_server, voter, f"/api/v1/polls/{poll_id}")
        assert (seen["voted"], seen["own_votes"]) == (False, [])
        # The voter may vote again on the new poll, and it counts once.
        again = votes(live_server, voter, poll_id, [1])
        assert again.status_code == 200, again.text
        assert again.json()["voters_count"] == 1 and again.json()["own_votes"] == [1]


def test_an_edit_without_a_poll_removes_it_and_its_votes(
    live_server: LiveServer, directory: Directory
) -> None:
    author, voter = directory.users(2)
    status = publish_poll(live_server, author)
    poll_id = status["poll"]["id"]
    assert votes(live_server, voter, poll_id, [0]).status_code == 200
    # The same text: the removed poll alone makes it an edit.
    response = edit_form(live_server, author, status["id"], {"status": "Q?"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["poll"] is None and body["edited_at"] is not None
    assert shown(live_server, voter, f"/api/v1/statuses/{status['id']}")["poll"] is None
    with live_server.client(voter.token) as client:
        gone = client.get(f"/api/v1/polls/{poll_id}")
    assert (gone.status_code, gone.json()) == (404, {"error": "Not Found"})
    refused = votes(live_server, voter, poll_id, [1])
    assert (refused.status_code, refused.json()) == (404, {"error": "Not Found"})
    # Nothing left to change: the next identical PUT records nothing.
    same = edit_form(live_server, author, status["id"], {"status": "Q?"})
    assert same.json()["edited_at"] == body["edited_at"]
    assert len(shown(live_server, None, f"/api/v1/statuses/{status['id']}/history")) == 2


def test_an_edit_adds_a_poll_to_a_status_without_one(
    live_server: LiveServer, directory: Directory
) -> None:
    author, voter = directory.users(2)
    with live_server.client(author.token) as client:
        status = client.post("/api/v1/statuses", data={"status": "plain"}).json()
    response = edit_form(
        live_server,
        author,
        status["id"],
        {
            "status": "plain",
            "poll[options][]": [" a ", "b", ""],
            "poll[expires_in]": "600",
            "poll[hide_totals]": "true",
        },
    )
    assert response.status_code == 200, response.text
    poll = response.json()["poll"]
    assert poll["options"] == [
        {"title": "a", "votes_count": None},
        {"title": "b", "votes_count": None},
    ]
    assert poll["multiple"] is False and poll["expired"] is False
    voted = votes(live_server, voter, poll["id"], [1])
    assert voted.status_code == 200 and voted.json()["votes_count"] == 1


def test_history_versions_carry_their_poll_options(
    live_server: LiveServer, directory: Directory
) -> None:
    (author,) = directory.users(1)
    status = publish_poll(live_server, author, options=["one", "two"])
    edit(
        live_server,
        author,
        status["id"],
        {"status": "Q?", "poll": {"options": ["1", "2", "3"], "expires_in": 600}},
    )
    edit(live_server, author, status["id"], {"status": "no poll now"})
    versions = shown(live_server, None, f"/api/v1/statuses/{status['id']}/history")
    assert [v.get("poll") for v in versions] == [
        {"options": [{"title": "one"}, {"title": "two"}]},
        {"options": [{"title": "1"}, {"title": "2"}, {"title": "3"}]},
        None,
    ]
    assert "poll" not in versions[2]
    # A status never edited is its own one version, with its poll.
    fresh = publish_poll(live_server, author, options=["x", "y"])
    only = shown(live_server, None, f"/api/v1/statuses/{fresh['id']}/history")
    assert only[0]["poll"] == {"options": [{"title": "x"}, {"title": "y"}]}


def test_poll_rules_on_an_edit_use_the_poll_models_messages_and_record_nothing(
    live_server: LiveServer, directory: Directory
) -> None:
    (author,) = directory.users(1)
    status = publish_poll(live_server, author)
    cases = [
        (
            {"options": ["only"], "expires_in": 600},
            "Validation failed: Options must have more than one item",
        ),
        (
            {"options": ["a", "a"], "expires_in": 10},
            "Validation failed: Options contain duplicate items, Expires at is too soon",
        ),
        (
            {"options": ["a", "b", "c", "d", "e"], "expires_in": 600},
            "Validation failed: Options can't contain more than 4 items",
        ),
        (
            {"options": ["a", "b"]},
            "Validation failed: Expires at can't be blank, Expires at is too far into the future",
        ),
    ]
    for poll, message in cases:
        response = edit(live_server, author, status["id"], {"status": "changed", "poll": poll})
        assert (response.status_code, response.json()) == (422, {"error": message}), poll
    # The poll's rules come before the text's.
    both = edit(live_server, author, status["id"], {"status": "", "poll": {"options": ["a"]}})
    assert (both.status_code, both.json()) == (
        422,
        {
            "error": "Validation failed: Expires at can't be blank,"
            " Options must have more than one item, Expires at is too far into the future"
        },
    )
    blank = edit(
        live_server,
        author,
        status["id"],
        {"status": "", "poll": {"options": ["a", "b"], "expires_in": 600}},
    )
    assert (blank.status_code, blank.json()) == (
        422,
        {"error": "Validation failed: Text can't be blank"},
    )
    after = shown(live_server, None, f"/api/v1/statuses/{status['id']}")
    assert after["edited_at"] is None and after["content"] == "<p>Q?</p>"
    assert [o["title"] for o in after["poll"]["options"]] == ["yes", "no"]


def test_a_poll_beside_media_is_refused_on_an_edit_as_on_publish(
    live_server: LiveServer, directory: Directory
) -> None:
    (author,) = directory.users(1)
    status = publish_poll(live_server, author)
    media = uploaded(live_server, author)
    response = edit(
        live_server,
        author,
        status["id"],
        {
            "status": "x",
            "media_ids": [media["id"]],
            "poll": {"options": ["a", "b"], "expires_in": 600},
        },
    )
    assert (response.status_code, response.json()) == (
        422,
        {"error": "Cannot attach more than 4 files"},
    )
    assert shown(live_server, None, f"/api/v1/statuses/{status['id']}")["edited_at"] is None
