"""The fan-out probe of `post_status_fanout`: while wrk loads tootlog with POSTs, an author with
home_seed.FANS followers posts once a second; for each post it measures how long the 200 answer
took and how long until the post was in every follower's home feed (counted from the request).

The fan-out of one status is one INSERT in one projection transaction, so its rows appear all at
once: the probe waits for the row of one follower (a primary-key probe every 5 ms), then checks
that every follower has it.
"""

from __future__ import annotations

import statistics
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

import orjson
import psycopg

PERIOD = 1.0  # seconds between the author's posts
DEADLINE = 30.0  # give up waiting for one post's fan-out after this long
POLL = 0.005


@dataclass
class FanOutFigures:
    followers: int = 0
    posts: int = 0
    answer_ms: list[float] = field(default_factory=list)  # the author's POST latencies
    delivered_ms: list[float] = field(default_factory=list)  # request start -> in every feed
    incomplete: int = 0  # posts not in every follower's feed within DEADLINE

    def summary(self) -> str:
        if not self.delivered_ms:
            return f"{self.posts} posts by the author, none delivered"
        return (
            f"{self.posts} posts to {self.followers:,} followers: answer p50"
            f" {statistics.median(self.answer_ms):.0f} ms (max {max(self.answer_ms):.0f});"
            f" in every feed p50 {statistics.median(self.delivered_ms):.0f} ms,"
            f" max {max(self.delivered_ms):.0f} ms; {self.incomplete} incomplete"
        )


class Probe(threading.Thread):
    def __init__(self, base_url: str, token: str, database: str, username: str) -> None:
        super().__init__(daemon=True)
        self.base_url = base_url
        self.token = token
        self.database = database
        self.username = username
        self.stopping = threading.Event()
        self.figures = FanOutFigures()

    def finish(self) -> FanOutFigures:
        self.stopping.set()
        self.join()
        return self.figures

    def run(self) -> None:
        with psycopg.connect(self.database, autocommit=True) as conn:
            fans = [
                row[0]
                for row in conn.execute(
                    "SELECT f.follower_id FROM tootlog_follows f"
                    " JOIN tootlog_accounts a ON a.id = f.followee_id"
                    " WHERE lower(a.username) = %s",
                    (self.username,),
                )
            ]
            self.figures.followers = len(fans)
            number = 0
            while not self.stopping.is_set():
                number += 1
                started = time.monotonic()
                status_id = self._post(number)
                answered = time.monotonic()
                self.figures.posts += 1
                self.figures.answer_ms.append((answered - started) * 1000)
                if self._wait(conn, fans[-1], status_id, started + DEADLINE):
                    delivered = time.monotonic()
                    ((count,),) = conn.execute(
                        "SELECT count(*) FROM tootlog_home_feed"
                        " WHERE status_id = %s AND account_id = ANY(%s)",
                        (status_id, fans),
                    ).fetchall()
                    if count == len(fans):
                        self.figures.delivered_ms.append((delivered - started) * 1000)
                    else:
                        self.figures.incomplete += 1
                else:
                    self.figures.incomplete += 1
                self.stopping.wait(max(0.0, started + PERIOD - time.monotonic()))

    def _post(self, number: int) -> int:
        form = urllib.parse.urlencode({"status": f"to all my followers, number {number}"})
        request = urllib.request.Request(
            self.base_url + "/api/v1/statuses",
            data=form.encode(),
            headers={"Authorization": f"Bearer {self.token}"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return int(orjson.loads(response.read())["id"])

    @staticmethod
    def _wait(conn: psycopg.Connection, fan: int, status_id: int, deadline: float) -> bool:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT 1 FROM tootlog_home_feed WHERE account_id = %s AND status_id = %s",
                (fan, status_id),
            ).fetchone()
            if row is not None:
                return True
            time.sleep(POLL)
        return False
