"""Data for the timeline scenarios, written in bulk through the event store (as bench/eventlog.py
writes its log: the domain's aggregates saved many per transaction, no HTTP), so that a million
statuses take a minute or two instead of an hour of requests. tootlog's projection worker then
builds every read model from those events, the home feeds included (fan-out on write).

- `home_timeline`: HOME_AUTHORS accounts; the bench user follows HOME_FOLLOWED of them; then
  `statuses` statuses by random authors (some replies, some unlisted), so the bench user's feed
  holds about half of them.
- `post_status_fanout`: FANS accounts following one author (the "famous" account the harness
  created with the CLI, which posts during the scenario).
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass

from eventsourcing.domain import Aggregate

from commands.accounts import account_id_for_username
from commands.app import TootlogApplication
from domain.account import Account, Username
from domain.follow import Follow
from domain.ids import snowflakes
from domain.status import Status

HOME_AUTHORS = 2_000
HOME_FOLLOWED = 1_000
FANS = 10_000
SAVE_EVERY = 500  # aggregates per transaction
SEED = 14


@dataclass(frozen=True)
class HomeSeed:
    position: int  # the last event written: the projection must reach it before measuring


class _Writer:
    def __init__(self, app: TootlogApplication) -> None:
        self.app = app
        self.pending: list[Aggregate] = []

    def save(self, *aggregates: Aggregate) -> None:
        self.pending.extend(aggregates)
        if len(self.pending) >= SAVE_EVERY:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.app.save(*self.pending)
            self.pending = []

    def register(self, prefix: str, count: int) -> list[int]:
        made = []
        for n in range(count):
            account_id = snowflakes.next_id()
            username = f"{prefix}{n}_{account_id % 100000}"
            account = Account(
                account_id=account_id,
                username=username,
                email=None,
                password_hash=None,
                display_name=f"{prefix} {n}",
            )
            self.save(account, Username(username=username, account_id=account_id))
            made.append(account_id)
        return made

    def follow(self, follower: int, followee: int) -> None:
        follow = Follow(follower_id=follower, followee_id=followee)
        follow.follow()
        self.save(follow)


def seed_home(
    database_url: str,
    viewer_username: str,
    *,
    statuses: int = 0,
    famous_username: str | None = None,
) -> HomeSeed:
    """Write the home timeline's data (when `statuses`) and the famous account's followers
    (when `famous_username`); returns the store's head."""
    app = TootlogApplication(database_url, pool_size=2)
    writer = _Writer(app)
    rng = random.Random(SEED)
    try:
        if famous_username is not None:
            famous = account_id_for_username(app, famous_username)
            for fan in writer.register("fan", FANS):
                writer.follow(fan, famous)
            writer.flush()
        if statuses:
            viewer = account_id_for_username(app, viewer_username)
            authors = writer.register("author", HOME_AUTHORS)
            for followee in authors[:HOME_FOLLOWED]:
                writer.follow(viewer, followee)
            writer.flush()
            _publish(writer, rng, authors, statuses)
            writer.flush()
        return HomeSeed(app.last_position())
    finally:
        app.close()


def _publish(writer: _Writer, rng: random.Random, authors: list[int], count: int) -> None:
    recent: deque[tuple[int, int]] = deque(maxlen=1000)  # (status id, author)
    for _ in range(count):
        author = rng.choice(authors)
        parent = rng.choice(recent) if recent and rng.random() < 0.2 else None
        visibility = "unlisted" if rng.random() < 0.1 else "public"
        status_id = snowflakes.next_id()
        text = f"status {status_id} about #topic{status_id % 50} and more words to read"
        writer.save(
            Status(
                status_id=status_id,
                account_id=author,
                text=text,
                content=f"<p>{text}</p>",
                spoiler_text="",
                sensitive=False,
                visibility=visibility,
                language="en",
                in_reply_to_id=parent[0] if parent else None,
                in_reply_to_account_id=parent[1] if parent else None,
                mentions=[],
                tags=[f"topic{status_id % 50}"],
                media_ids=[],
                application=None,
            )
        )
        recent.append((status_id, author))
