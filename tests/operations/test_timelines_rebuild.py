"""The timeline read models (home feeds, hashtags, follow ids) come out of a rebuild exactly as
the live projection built them, whatever the batch size: follows, unfollows, replies, boosts,
direct statuses and deletions interleaved, then `rebuild --offline` in batches of 1, 4 and 5,000,
each followed by `verify`, and every home timeline read again through the API."""

from __future__ import annotations

import random

from tests.operations.conftest import Served, tootlog
from tests.support import LiveServer, User

ROUNDS = 120


def churn(served: Served) -> list[User]:
    """Four accounts that follow, unfollow, post (replies, direct), boost and delete."""
    rng = random.Random(14)
    users = served.directory.users(4)
    clients = [served.server.client(user.token) for user in users]
    posted: list[tuple[int, str]] = []
    try:
        for number in range(ROUNDS):
            me = rng.randrange(4)
            other = rng.choice([u for n, u in enumerate(users) if n != me])
            roll = rng.random()
            client = clients[me]
            if roll < 0.2:
                verb = "follow" if rng.random() < 0.7 else "unfollow"
                assert client.post(f"/api/v1/accounts/{other.id}/{verb}").status_code == 200
            elif roll < 0.75 or not posted:
                data = {
                    "status": f"n{number} #churn @{other.username}",
                    "visibility": rng.choice(["public", "unlisted", "private", "direct"]),
                }
                if posted and rng.random() < 0.5:
                    data["in_reply_to_id"] = rng.choice(posted)[1]
                answer = client.post("/api/v1/statuses", data=data)
                if answer.status_code == 200:
                    posted.append((me, answer.json()["id"]))
            elif roll < 0.9:
                client.post(f"/api/v1/statuses/{rng.choice(posted)[1]}/reblog")
            else:
                author, status_id = rng.choice(posted)
                clients[author].delete(f"/api/v1/statuses/{status_id}")
    finally:
        for client in clients:
            client.close()
    return users


def timelines(server: LiveServer, users: list[User]) -> list[list[str]]:
    answer = []
    for user in users:
        with server.client(user.token) as client:
            response = client.get("/api/v1/timelines/home", params={"limit": "40"})
            assert response.status_code == 200, response.text
            answer.append([s["id"] for s in response.json()])
    return answer


def test_rebuilt_timelines_equal_the_live_ones_in_any_batches(served: Served) -> None:
    users = churn(served)
    live = timelines(served.server, users)
    assert any(live)
    check = tootlog(served.url, "verify")
    assert check.returncode == 0, check.stdout + check.stderr
    served.server.stop()
    for batch in ("1", "4", "5000"):
        result = tootlog(served.url, "rebuild", "--offline", "--batch-size", batch)
        assert result.returncode == 0, result.stdout + result.stderr
        check = tootlog(served.url, "verify")
        assert check.returncode == 0, check.stdout + check.stderr
    served.server = LiveServer(served.url)
    assert timelines(served.server, users) == live
