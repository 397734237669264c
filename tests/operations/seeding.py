"""A small social history written through the API, for the rebuild and verify tests."""

from __future__ import annotations

import random

from tests.support import Directory, LiveServer, User


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
    for client in clients:
        client.close()
    return ids
