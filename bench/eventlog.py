"""A generated event log with a realistic mix, written in bulk through the event store.

Accounts register, follow each other, publish (a share of them replies, some unlisted or
private), favourite, reblog, pin, unfavourite, unreblog and delete, through the domain's own
aggregates and the event store's `save` (many aggregates per transaction), not through HTTP: the
log is what a busy server would have recorded, made in a minute or two instead of hours.

`python -m bench.eventlog DATABASE_URL EVENTS` writes one (tests use small ones).
"""

from __future__ import annotations

import random
import sys
from collections import deque
from dataclasses import dataclass, field

from eventsourcing.domain import Aggregate

from commands.app import TootlogApplication
from domain.account import Account, Username
from domain.favourite import Favourite
from domain.follow import Follow
from domain.ids import snowflakes
from domain.pins import MAX_PINNED_STATUSES, Pins
from domain.reblog import Reblog, ReblogWrapper
from domain.status import Status

SAVE_EVERY = 200  # aggregates per transaction
RECENT = 5000  # statuses that replies, favourites and reblogs choose from


@dataclass
class Posted:
    status: Status
    author: int
    public: bool


@dataclass
class LogStats:
    events: int = 0
    accounts: int = 0
    statuses: int = 0
    replies: int = 0
    favourites: int = 0
    unfavourites: int = 0
    reblogs: int = 0
    unreblogs: int = 0
    follows: int = 0
    pins: int = 0
    deletes: int = 0
    busiest_status: int = 0  # the status with the most events (for `replay --status`)
    busiest_events: int = 0
    by_status: dict[int, int] = field(default_factory=dict, repr=False)


class Generator:
    def __init__(self, app: TootlogApplication, seed: int = 1) -> None:
        self.app = app
        self.rng = random.Random(seed)
        self.accounts: list[int] = []
        self.pins: dict[int, Pins] = {}
        self.recent: deque[Posted] = deque(maxlen=RECENT)
        self.live_favourites: deque[Favourite] = deque(maxlen=RECENT)
        self.live_reblogs: deque[Reblog] = deque(maxlen=RECENT)
        self.pending: list[Aggregate] = []
        self.pending_ids: set = set()
        self.stats = LogStats()
        self.hot: Posted | None = None  # one status that many interact with
        # Pairs already created: a second create of the same aggregate would fail its save.
        self.created: set[tuple[str, int, int]] = set()

    def _first(self, kind: str, one: int, other: int) -> bool:
        """Whether the pair's aggregate is new (and remember it)."""
        key = (kind, one, other)
        if key in self.created:
            return False
        self.created.add(key)
        return True

    def write(self, events: int) -> LogStats:
        accounts = max(20, events // 200)
        for _ in range(accounts):
            self._register()
        self._flush()
        while self.stats.events < events:
            self._step()
        self._flush()
        busiest = max(self.stats.by_status.items(), key=lambda item: item[1])
        self.stats.busiest_status, self.stats.busiest_events = busiest
        self.stats.by_status = {}
        return self.stats

    def _step(self) -> None:
        roll = self.rng.random()
        if roll < 0.34 or len(self.recent) < 10:
            self._publish()
        elif roll < 0.55:
            self._favourite()
        elif roll < 0.67:
            self._reblog()
        elif roll < 0.77:
            self._follow()
        elif roll < 0.79:
            self._pin()
        elif roll < 0.82:
            self._delete()
        elif roll < 0.84:
            self._unfavourite()
        elif roll < 0.85:
            self._unreblog()
        else:
            self._publish()
        if len(self.pending) >= SAVE_EVERY:
            self._flush()

    def _save(self, *aggregates: Aggregate) -> None:
        self.pending.extend(aggregates)
        self.pending_ids.update(a.id for a in aggregates)

    def _touch(self, aggregate: Aggregate) -> None:
        """Before changing an aggregate again: an unsaved aggregate's new events would be stored
        with its first ones, before other aggregates' events that happened in between (a
        status deleted before it was reblogged)."""
        if aggregate.id in self.pending_ids:
            self._flush()

    def _flush(self) -> None:
        if self.pending:
            recordings = self.app.save(*self.pending)
            self.stats.events += len(recordings)
            self.pending = []
            self.pending_ids.clear()

    def _concerns(self, status_id: int, events: int) -> None:
        self.stats.by_status[status_id] = self.stats.by_status.get(status_id, 0) + events

    def _register(self) -> None:
        account_id = snowflakes.next_id()
        username = f"user{len(self.accounts)}_{account_id % 100000}"
        account = Account(
            account_id=account_id,
            username=username,
            email=None,
            password_hash=None,
            display_name=f"User {len(self.accounts)}",
        )
        self._save(account, Username(username=username, account_id=account_id))
        self.accounts.append(account_id)
        self.stats.accounts += 1

    def _someone(self) -> int:
        return self.rng.choice(self.accounts)

    def _publish(self) -> None:
        author = self._someone()
        parent = self.rng.choice(self.recent) if self.recent and self.rng.random() < 0.4 else None
        visibility = self.rng.choices(("public", "unlisted", "private"), (80, 12, 8))[0]
        status_id = snowflakes.next_id()
        text = f"status {status_id} about #topic{status_id % 50} and more words to read"
        status = Status(
            status_id=status_id,
            account_id=author,
            text=text,
            content=f"<p>{text}</p>",
            spoiler_text="",
            sensitive=False,
            visibility=visibility,
            language="en",
            in_reply_to_id=parent.status.status_id if parent else None,
            in_reply_to_account_id=parent.author if parent else None,
            mentions=[],
            tags=[f"topic{status_id % 50}"],
            media_ids=[],
            application=None,
        )
        self._save(status)
        posted = Posted(status, author, visibility in ("public", "unlisted"))
        self.recent.append(posted)
        if self.hot is None and posted.public:
            self.hot = posted
        self.stats.statuses += 1
        self._concerns(status_id, 1)
        if parent is not None:
            self.stats.replies += 1
            self._concerns(parent.status.status_id, 1)

    def _target(self) -> Posted | None:
        if self.hot is not None and self.rng.random() < 0.05:
            return self.hot
        candidates = [self.rng.choice(self.recent) for _ in range(3)]
        return next((p for p in candidates if p.public and not p.status.deleted), None)

    def _favourite(self) -> None:
        target = self._target()
        if target is None:
            return
        account = self._someone()
        if not self._first("favourite", account, target.status.status_id):
            return
        favourite = Favourite(account_id=account, status_id=target.status.status_id)
        if not favourite.favourite(snowflakes.next_id()):
            return
        self._save(favourite)
        self.live_favourites.append(favourite)
        self.stats.favourites += 1
        self._concerns(target.status.status_id, 2)

    def _unfavourite(self) -> None:
        if not self.live_favourites:
            return
        favourite = self.live_favourites.popleft()
        self._touch(favourite)
        if favourite.unfavourite():
            self._save(favourite)
            self.stats.unfavourites += 1
            self._concerns(favourite.status_id, 1)

    def _reblog(self) -> None:
        target = self._target()
        if target is None:
            return
        account = self._someone()
        if not self._first("reblog", account, target.status.status_id):
            return
        boost = Reblog(account_id=account, original_status_id=target.status.status_id)
        wrapper_id = boost.reblog(
            snowflakes.next_id(),
            original_visibility=target.status.visibility,
            requested_visibility=None,
            default_visibility="public",
        )
        index = ReblogWrapper(
            wrapper_status_id=wrapper_id,
            account_id=account,
            original_status_id=target.status.status_id,
        )
        self._save(boost, index)
        self.live_reblogs.append(boost)
        self.stats.reblogs += 1
        self._concerns(target.status.status_id, 3)

    def _unreblog(self) -> None:
        if not self.live_reblogs:
            return
        boost = self.live_reblogs.popleft()
        self._touch(boost)
        if boost.unreblog() is not None:
            self._save(boost)
            self.stats.unreblogs += 1
            self._concerns(boost.original_status_id, 1)

    def _follow(self) -> None:
        follower, followee = self._someone(), self._someone()
        if follower == followee or not self._first("follow", follower, followee):
            return
        follow = Follow(follower_id=follower, followee_id=followee)
        follow.follow()
        self._save(follow)
        self.stats.follows += 1

    def _pin(self) -> None:
        mine = [p for p in list(self.recent)[-20:] if p.public and not p.status.deleted]
        if not mine:
            return
        posted = mine[-1]
        pins = self.pins.get(posted.author)
        if pins is None:
            pins = self.pins[posted.author] = Pins(account_id=posted.author)
        if pins.is_pinned(posted.status.status_id):
            return
        self._touch(pins)
        if len(pins.status_ids) >= MAX_PINNED_STATUSES:
            pins.unpin(pins.status_ids[0])
        pins.pin(
            posted.status.status_id, author_id=posted.author, visibility="public", is_reblog=False
        )
        self._save(pins)
        self.stats.pins += 1
        self._concerns(posted.status.status_id, 1)

    def _delete(self) -> None:
        posted = self.rng.choice(self.recent)
        if posted.status.deleted or posted is self.hot:
            return
        pins = self.pins.get(posted.author)
        if pins is not None and pins.is_pinned(posted.status.status_id):
            return
        self._touch(posted.status)
        posted.status.delete(False)
        self._save(posted.status)
        self.stats.deletes += 1
        self._concerns(posted.status.status_id, 1)


def generate(database_url: str, events: int, seed: int = 1) -> LogStats:
    """Write a log of about `events` events (a few more, to finish the last transaction)."""
    app = TootlogApplication(database_url, pool_size=1)
    try:
        return Generator(app, seed).write(events)
    finally:
        app.close()


if __name__ == "__main__":
    print(generate(sys.argv[1], int(sys.argv[2])))
