"""A small social history written through the API, for the rebuild and verify tests."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from api.scheduling import draft_of
from commands.polls import expire
from commands.scheduled import publish_due
from commands.statuses import Publishing
from tests.support import TEST_URLS, Directory, LiveServer, User


def social_history(server: LiveServer, directory: Directory, statuses: int = 60) -> list[str]:
    """Accounts that post, reply, follow, favourite, reblog, pin, bookmark, unfavourite,
    unbookmark, mute and unmute conversations, edit and delete; returns the ids of the statuses
    still there."""
    rng = random.Random(7)
    marks = random.Random(11)  # bookmarks draw apart: the rest of the history stays as it was
    users: list[User] = directory.users(4)
    clients = [server.client(user.token) for user in users]
    for client, user in zip(clients, users, strict=True):
        for other in users:
            if other is not user and rng.random() < 0.6:
                assert client.post(f"/api/v1/accounts/{other.id}/follow").status_code == 200
    ids: list[str] = []
    for number in range(statuses):
        client = rng.choice(clients)
        visibility = rng.choice(["public", "public", "unlisted", "private"])
        data = {"status": f"status {number} #tag", "visibility": visibility}
        if ids and rng.random() < 0.4:
            data["in_reply_to_id"] = rng.choice(ids)
        answer = client.post("/api/v1/statuses", data=data)
        assert answer.status_code == 200, answer.text
        ids.append(answer.json()["id"])
        other = rng.choice(clients)
        target = rng.choice(ids)
        for action in ("favourite", "reblog"):
            if rng.random() < 0.5:
                other.post(f"/api/v1/statuses/{target}/{action}")
        if rng.random() < 0.1:
            other.post(f"/api/v1/statuses/{target}/unfavourite")
        bookmarker = marks.choice(clients)
        if marks.random() < 0.5:
            bookmarker.post(f"/api/v1/statuses/{marks.choice(ids)}/bookmark")
        if marks.random() < 0.1:
            bookmarker.post(f"/api/v1/statuses/{marks.choice(ids)}/unbookmark")
    for client in clients:
        for status_id in ids[:10]:
            client.post(f"/api/v1/statuses/{status_id}/pin")  # 422 unless their own
    for number, status_id in enumerate(ids[:4] * 2):  # edits, by their authors (others: 404)
        for client in clients:
            client.put(f"/api/v1/statuses/{status_id}", data={"status": f"edited {number} #e"})
    hush = random.Random(13)  # conversation mutes draw apart too
    for client in clients:
        for _ in range(3):
            client.post(f"/api/v1/statuses/{hush.choice(ids)}/mute")
        client.post(f"/api/v1/statuses/{hush.choice(ids)}/unmute")
    gone = ids[5]
    for client in clients:
        client.post(f"/api/v1/statuses/{gone}/bookmark")  # 404 where it is not visible
        client.post(f"/api/v1/statuses/{gone}/mute")  # its thread stays muted after it goes
    owner = next(c for c in clients if c.delete(f"/api/v1/statuses/{gone}").status_code == 200)
    assert owner is not None
    ids.remove(gone)
    _polls(rng, clients, directory)
    _scheduled(clients[0], users[0], directory)
    for client in clients:
        client.close()
    return ids


def _polls(rng: random.Random, clients: list, directory: Directory) -> None:
    """Polls with votes (one multiple-choice), one expiry recorded, one deleted with its status."""
    polls = []
    for number, multiple in enumerate((False, True, False)):
        poll = {"options": ["a", "b", "c"], "expires_in": 600, "multiple": multiple}
        answer = clients[number].post(
            "/api/v1/statuses", json={"status": f"poll {number}", "poll": poll}
        )
        assert answer.status_code == 200, answer.text
        polls.append(answer.json())
    for client in clients:
        for status in polls:
            multiple = status["poll"]["multiple"]
            choices = [0, 2] if multiple and rng.random() < 0.5 else [rng.randrange(3)]
            client.post(f"/api/v1/polls/{status['poll']['id']}/votes", json={"choices": choices})
    assert expire(directory.write_model, int(polls[0]["poll"]["id"]), time.time() + 3600)
    assert clients[2].delete(f"/api/v1/statuses/{polls[2]['id']}").status_code == 200
    _poll_edits(clients)


def _poll_edits(clients: list) -> None:
    """Edits of polls: the same options (votes kept), new options (votes reset, then new
    votes), none (the poll removed), and a poll added to a status without one."""
    author, voters = clients[0], clients[1:]
    kept, reset, removed, plain = (
        author.post("/api/v1/statuses", json=body).json()
        for body in (
            {"status": "kept", "poll": {"options": ["a", "b"], "expires_in": 600}},
            {"status": "reset", "poll": {"options": ["a", "b"], "expires_in": 600}},
            {"status": "removed", "poll": {"options": ["a", "b"], "expires_in": 600}},
            {"status": "plain"},
        )
    )
    for status in (kept, reset, removed):
        for voter in voters:
            voter.post(f"/api/v1/polls/{status['poll']['id']}/votes", json={"choices": [1]})
    edits = [
        (kept, {"options": ["a", "b"], "expires_in": 900, "multiple": False}),
        (reset, {"options": ["a", "b", "c"], "expires_in": 900}),
        (removed, None),
        (plain, {"options": ["p", "q"], "expires_in": 900}),
    ]
    for status, poll in edits:
        body = {"status": status["content"][3:-4] + " (edited)"}
        if poll is not None:
            body["poll"] = poll
        answer = author.put(f"/api/v1/statuses/{status['id']}", json=body)
        assert answer.status_code == 200, answer.text
        if poll is not None:
            poll_id = answer.json()["poll"]["id"]
            voters[0].post(f"/api/v1/polls/{poll_id}/votes", json={"choices": [0]})


def _scheduled(client, user: User, directory: Directory) -> None:  # noqa: ANN001
    """Scheduled statuses: one moved, one cancelled, one published (by the command the
    scheduler runs, told it is a day later), one with a poll left waiting."""
    at = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    entries = []
    for number in range(3):
        answer = client.post(
            "/api/v1/statuses", data={"status": f"later {number}", "scheduled_at": at}
        )
        assert answer.status_code == 200, answer.text
        entries.append(answer.json()["id"])
    poll = {"options": ["x", "y"], "expires_in": 600}
    answer = client.post(
        "/api/v1/statuses", json={"status": "poll later", "scheduled_at": at, "poll": poll}
    )
    assert answer.status_code == 200, answer.text
    moved = (datetime.now(UTC) + timedelta(hours=3)).isoformat()
    path = "/api/v1/scheduled_statuses/"
    assert client.put(path + entries[0], json={"scheduled_at": moved}).status_code == 200
    assert client.delete(path + entries[1]).status_code == 200
    published = publish_due(
        directory.write_model,
        Publishing(TEST_URLS),
        account_id=user.account_id,
        entry_id=int(entries[2]),
        to_draft=draft_of,
        now=time.time() + 86400,
    )
    assert published is not None
