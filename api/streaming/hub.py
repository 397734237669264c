"""The one listener per API process that turns projection batches into stream events.

It wakes when the projection's position moves (the same NOTIFY read-your-writes waits on), reads
what the batch did to statuses once, renders each status once for everyone (public and hashtag
streams) and once per user whose home feed holds it (user streams), and queues the events on
every connection that may see them. Nothing is read per connection: each step is one statement
for the whole batch and every connected viewer.

User streams are keyed on the home feed rows, not on the read models' position: the home feeds
are a projection step of their own that commits after the main one (projections/
feed_projector.py). A new status stays pending until the feeds' position has passed its event
(their own NOTIFY wakes the hub too), and every pass sends the home feed rows found so far,
each (viewer, status) once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import psycopg
import psycopg_pool
from prometheus_client import Gauge

from api.streaming.channels import NOTIFICATIONS, READ_NOTIFICATIONS, USER, Channel
from api.streaming.subscriber import HEARTBEAT, Event, Subscriber
from domain.scopes import allows
from domain.visibility import Audience, Relationship, can_see
from projections.positions import ProjectionPositions
from projections.stream_reads import DELETE, EDIT, UPDATE, Change, StreamReads, StreamStatus

log = logging.getLogger("tootlog.streaming")

PENDING_SECONDS = 60.0  # a feed projection this far behind: its statuses' updates are dropped
PENDING_LIMIT = 10_000  # statuses waiting for their fan-out at most (the oldest go first)
PENDING_POLL = 1.0  # while some wait, look again at least this often
IDLE_WAKE = 60.0
FOREVER = 3600.0
RETRY_SECONDS = 1.0
HEARTBEAT_SECONDS = 15.0  # Mastodon writes `:thump` on every SSE stream every 15 s

CONNECTIONS = Gauge(
    "tootlog_streaming_connections",
    "Streaming connections this API process holds, by kind (sse, websocket).",
    ["kind"],
)

# Where notifications come from: given the batch's range (after, upto] and the accounts with a
# connection that hears notifications, the (account id, Notification JSON) pairs to send.
NotificationSource = Callable[[int, int, Sequence[int]], Awaitable[list[tuple[int, str]]]]


@dataclass(slots=True)
class _Pending:
    """A new status whose fan-out into home feeds may not have committed yet."""

    position: int  # its event's: fanned out once the feeds' position has passed it
    deadline: float
    delivered: set[int] = field(default_factory=set)


class StreamHub:
    """Every streaming connection of this process, and the batches' events fanned out to them."""

    def __init__(self, reads: StreamReads, heartbeat_seconds: float = HEARTBEAT_SECONDS) -> None:
        self.reads = reads
        self.heartbeat_seconds = heartbeat_seconds
        self.positions: ProjectionPositions | None = None
        self.notification_sources: list[NotificationSource] = []
        self._channels: dict[str, set[Subscriber]] = {}  # public and hashtag streams by key
        self._users: dict[int, set[Subscriber]] = {}  # `user` streams by account
        self._notified: dict[int, set[Subscriber]] = {}  # who hears notifications, by account
        self._tokens: dict[str, set[Subscriber]] = {}
        self._sse: set[Subscriber] = set()  # connections that get heartbeats
        self._pending: dict[int, _Pending] = {}
        self._seen = 0
        self._feeds_seen = 0
        self._task: asyncio.Task | None = None
        self._beats: asyncio.Task | None = None
        self._checks: set[asyncio.Task] = set()

    # --- connections ---------------------------------------------------------------------

    def connect(self, subscriber: Subscriber, heartbeats: bool = False) -> None:
        """Hold a connection; `heartbeats`: an SSE one, sent `:thump` every 15 s."""
        self._tokens.setdefault(subscriber.token_hash, set()).add(subscriber)
        if heartbeats:
            self._sse.add(subscriber)
        CONNECTIONS.labels("sse" if heartbeats else "websocket").inc()

    def subscribe(self, subscriber: Subscriber, channel: Channel) -> None:
        """Add a stream to a connection (a second subscription to the same one is a no-op)."""
        if channel.key in subscriber.channels:
            return
        subscriber.channels[channel.key] = channel
        for index, key in self._indexes(subscriber, channel):
            index.setdefault(key, set()).add(subscriber)

    def unsubscribe(self, subscriber: Subscriber, channel: Channel) -> None:
        if subscriber.channels.pop(channel.key, None) is None:
            return
        for index, key in self._indexes(subscriber, channel):
            _discard(index, key, subscriber)

    def disconnect(self, subscriber: Subscriber) -> None:
        """Forget a connection (a second call is a no-op) and end its writer."""
        held = self._tokens.get(subscriber.token_hash, ())
        if subscriber in held:
            kind = "sse" if subscriber in self._sse else "websocket"
            CONNECTIONS.labels(kind).dec()
        for channel in list(subscriber.channels.values()):
            self.unsubscribe(subscriber, channel)
        _discard(self._tokens, subscriber.token_hash, subscriber)
        self._sse.discard(subscriber)
        subscriber.close()

    def token_revoked(self, token_hash: str | None) -> None:
        """Close the connections of a revoked token, as Mastodon's `kill` system message; None
        (revocations may have been missed while the listener reconnected): look them all up."""
        if token_hash is None:
            if self._tokens:
                task = asyncio.create_task(self._close_revoked())
                self._checks.add(task)
                task.add_done_callback(self._checks.discard)
            return
        for subscriber in list(self._tokens.get(token_hash, ())):
            self.disconnect(subscriber)

    async def _close_revoked(self) -> None:
        try:
            for token_hash in await self.reads.revoked(list(self._tokens)):
                self.token_revoked(token_hash)
        except (psycopg.OperationalError, psycopg_pool.PoolTimeout) as error:
            log.warning("streaming could not check its tokens: %s", error)

    @property
    def connections(self) -> int:
        return sum(len(held) for held in self._tokens.values())

    def _indexes(self, subscriber: Subscriber, channel: Channel) -> list[tuple[dict, object]]:
        account = subscriber.account_id
        if channel.name == USER:
            found: list[tuple[dict, object]] = [(self._users, account)]
            if allows(subscriber.scopes, READ_NOTIFICATIONS):
                found.append((self._notified, account))
            return found
        if channel.name == NOTIFICATIONS:
            return [(self._notified, account)]
        return [(self._channels, channel.key)]

    # --- the listener --------------------------------------------------------------------

    async def start(self, positions: ProjectionPositions) -> None:
        self.positions = positions
        self._seen = positions.position
        self._feeds_seen = positions.feed_position
        self._task = asyncio.create_task(self._run(), name="stream-hub")
        self.start_heartbeats()

    def start_heartbeats(self) -> None:
        """One timer for every SSE connection of the process, not one per connection."""
        self._beats = asyncio.create_task(self._beat(), name="stream-heartbeats")

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            for subscriber in list(self._sse):
                subscriber.deliver(HEARTBEAT)

    async def stop(self) -> None:
        for task in (self._task, self._beats):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        for held in list(self._tokens.values()):
            for subscriber in list(held):
                self.disconnect(subscriber)

    async def _wait(self) -> None:
        """Until the read models move, or the home feeds do while statuses wait for them."""
        assert self.positions is not None
        waits = [asyncio.ensure_future(self.positions.wait_for(self._seen + 1, FOREVER))]
        if self._pending:
            feeds = self.positions.wait_for_feed_position(self._feeds_seen + 1, FOREVER)
            waits.append(asyncio.ensure_future(feeds))
        try:
            timeout = PENDING_POLL if self._pending else IDLE_WAKE
            await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()

    async def _run(self) -> None:
        assert self.positions is not None
        while True:
            await self._wait()
            upto = max(self.positions.position, self._seen)
            if not self._tokens:  # nobody listens: nothing to read
                self._seen, self._pending = upto, {}
                continue
            if upto == self._seen and not self._pending:
                continue
            try:
                await self.publish(self._seen, upto)
            except (psycopg.OperationalError, psycopg_pool.PoolTimeout) as error:
                log.warning("streaming could not read batch (%d, %d]: %s", self._seen, upto, error)
                await asyncio.sleep(RETRY_SECONDS)
                continue
            except Exception:  # one bad batch must not end every stream of the process
                log.exception("streaming skipped batch (%d, %d]", self._seen, upto)
            self._seen = upto

    async def publish(self, after: int, upto: int) -> None:
        """Queue the events of the projection's batch (after, upto] on every connection."""
        changes = await self.reads.changes(after, upto) if upto > after else []
        users = list(self._users)
        if users:
            deadline = time.monotonic() + PENDING_SECONDS
            for change in changes:
                if change.kind == UPDATE:
                    self._pending.setdefault(change.status_id, _Pending(change.position, deadline))
            for status_id in list(self._pending)[: max(0, len(self._pending) - PENDING_LIMIT)]:
                del self._pending[status_id]
        else:
            self._pending.clear()
        deleted = [c.status_id for c in changes if c.kind == DELETE]
        wrappers = await self.reads.deleted_reblogs_of(deleted) if users and deleted else []
        ids = {c.status_id for c in changes} | set(self._pending) | set(wrappers)
        statuses = await self.reads.statuses(ids) if ids else {}
        for change in changes:
            status = statuses.get(change.status_id)
            if status is not None:
                self._broadcast(change, status)
        if users:
            await self._to_users(changes, statuses, wrappers, users)
        if self.notification_sources and self._notified:
            await self._notifications(after, upto)

    # --- public and hashtag streams: one rendering for everyone --------------------------

    def _broadcast(self, change: Change, status: StreamStatus) -> None:
        """Mastodon's FanOutOnWriteService#broadcast_to_*_streams and RemoveStatusService's
        remove_from_public/hashtags/media: public statuses that are not boosts."""
        if status.visibility != "public" or status.is_reblog:
            return
        deleting = change.kind == DELETE
        if status.row.post.deleted and not deleting:
            return  # deleted within the batch: its delete follows
        names = []
        reply_to_other = (
            status.in_reply_to_id is not None
            and status.row.in_reply_to_account_id != status.account_id
        )
        if deleting or not reply_to_other:
            names += ["public", "public:local"]
            if status.with_media:
                names += ["public:media", "public:local:media"]
        keys = list(names)
        for tag in status.tags:
            keys += [f"hashtag#{tag}", f"hashtag:local#{tag}"]
        payload = str(status.row.id) if deleting else status.rendered()
        for key in keys:
            events: dict[tuple[str, ...], Event] = {}  # one per label (a hashtag as written)
            for subscriber in self._channels.get(key, ()):
                channel = subscriber.channels.get(key)
                if channel is None:
                    continue
                event = events.get(channel.label)
                if event is None:
                    event = events[channel.label] = Event(channel.label, change.kind, payload)
                subscriber.deliver(event)

    # --- user streams: the home feed's rows, rendered per viewer -------------------------

    async def _to_users(
        self,
        changes: list[Change],
        statuses: dict[int, StreamStatus],
        wrappers: list[int],
        users: list[int],
    ) -> None:
        now = time.monotonic()
        for status_id in list(self._pending):
            status = statuses.get(status_id)
            if status is None or status.row.post.deleted:
                del self._pending[status_id]
        # How far the fan-out has committed, taken before the rows: rows read after are never
        # older than it.
        feeds = self._feed_position()
        edited = [c.status_id for c in changes if c.kind == EDIT]
        rows = await self.reads.home_rows([*self._pending, *edited], users)
        edits = set(edited)
        for viewer, row in rows:
            if not row.visible_to(viewer):
                continue
            pending = self._pending.get(row.id)
            if pending is not None and viewer not in pending.delivered:
                pending.delivered.add(viewer)
                self._to_user(viewer, UPDATE, row.render(viewer))
            elif row.id in edits:
                self._to_user(viewer, EDIT, row.render(viewer))
        for status_id, pending in list(self._pending.items()):
            if pending.position <= feeds or pending.deadline < now:
                del self._pending[status_id]
        self._feeds_seen = max(self._feeds_seen, feeds)
        deleted = [c.status_id for c in changes if c.kind == DELETE] + wrappers
        if deleted:
            await self._deletes_to_users(deleted, statuses, users)

    async def _deletes_to_users(
        self, deleted: list[int], statuses: dict[int, StreamStatus], users: list[int]
    ) -> None:
        """RemoveStatusService: the author, the mentioned accounts, and the followers who could
        see it (Mastodon tells those whose home feed held it; a delete of a status a follower's
        feed left out, such as a reply to someone they do not follow, reaches them too)."""
        found = [statuses[i] for i in dict.fromkeys(deleted) if i in statuses]
        follows = await self.reads.follows_among({s.account_id for s in found}, users)
        for status in found:
            author = status.account_id
            audience = Audience(status.visibility, author, tuple(status.mentions))
            told = {author, *status.mentions}
            told.update(
                viewer
                for viewer, followee in follows
                if followee == author
                and can_see(audience, viewer, Relationship(follows_author=True))
            )
            for viewer in told:
                self._to_user(viewer, DELETE, str(status.row.id))

    def _feed_position(self) -> int:
        assert self.positions is not None
        return self.positions.feed_position

    def _to_user(self, account_id: int, name: str, payload: str) -> None:
        event = Event((USER,), name, payload)
        for subscriber in self._users.get(account_id, ()):
            subscriber.deliver(event)

    # --- notifications ---------------------------------------------------------------------

    async def _notifications(self, after: int, upto: int) -> None:
        accounts = list(self._notified)
        for source in self.notification_sources:
            for account_id, payload in await source(after, upto, accounts):
                for subscriber in self._notified.get(account_id, ()):
                    label = (USER,) if USER in subscriber.channels else (NOTIFICATIONS,)
                    subscriber.deliver(Event(label, "notification", payload))


def _discard(index: dict, key: object, subscriber: Subscriber) -> None:
    held = index.get(key)
    if held is not None:
        held.discard(subscriber)
        if not held:
            del index[key]
