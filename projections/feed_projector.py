"""The home feeds' own projection: maps the events that change a home feed to its writes.

Fanning a status out to thousands of followers takes far longer than projecting it, so the home
feeds are a projection of their own, with their own position in the tracking table
(FEED_APPLICATION), committed right after the main read models' batch (projections/batch.py).
The author of a post is answered as soon as the main batch commits (read-your-writes waits for
that one); the home timelines wait for the feeds to catch up with it (api/routes/timelines.py).

Its statements read nothing of the main read models but a deleted status's author, from the
statuses' rows, which the main projection has always written by then (its position is never
behind this one): the statuses and the follows they need come from their own tables, written
here in event order (projections/home_feed.py). So the feeds come
out the same however the log is cut into batches, and whether this projection runs in step with
the main one or catches up after it (after a crash between the two commits).
"""

from __future__ import annotations

from collections.abc import Sequence

from eventsourcing.utils import resolve_topic

from domain.codec import make_mapper
from domain.follow import Follow
from domain.reblog import Reblog
from domain.status import Status
from projections.home_feed import HomeFeedReadModel
from projections.writes import Writes


class FeedProjector:
    """Applies the events that change home feeds; every other event only advances the position."""

    def __init__(self, tolerant: bool = False) -> None:
        self.mapper = make_mapper()
        self.home = HomeFeedReadModel(tolerant)
        # Stored topic -> its handler (None: not a feed's concern, and never decoded).
        self._by_topic: dict[str, object] = {}

    def apply_rows(self, writes: Writes, rows: Sequence[tuple]) -> None:
        """Apply stored events given as rows of EVENT_COLUMNS (projections.history), in order:
        the feeds catching up alone, which decode only the events they apply."""
        decode = self.mapper.decode
        by_topic = self._by_topic
        for row in rows:
            topic = row[3]
            if topic not in by_topic:
                by_topic[topic] = self._handlers.get(resolve_topic(topic))
            handler = by_topic[topic]
            if handler is not None:
                handler(self, writes, decode(topic, row[4], row[1], row[2]))

    def apply_events(self, writes: Writes, events: Sequence[tuple[int, object]]) -> None:
        """Apply (position, domain event) pairs, already decoded for the main projection."""
        handlers = self._handlers
        for _, event in events:
            handler = handlers.get(type(event))
            if handler is not None:
                handler(self, writes, event)

    def _published(self, writes: Writes, event: Status.Published) -> None:
        self.home.fan_out(
            writes,
            status_id=event.status_id,
            author_id=event.account_id,
            visibility=event.visibility,
            mentions=[m["id"] for m in event.mentions],
            in_reply_to_account_id=event.in_reply_to_account_id,
        )

    def _reblogged(self, writes: Writes, event: Reblog.Reblogged) -> None:
        self.home.fan_out_boost(
            writes,
            wrapper_id=event.wrapper_status_id,
            author_id=event.account_id,
            original_id=event.original_status_id,
            visibility=event.visibility,
        )

    def _deleted(self, writes: Writes, event: Status.Deleted) -> None:
        self.home.remove(writes, event.status_id)

    def _unreblogged(self, writes: Writes, event: Reblog.Unreblogged) -> None:
        self.home.remove(writes, event.wrapper_status_id)

    def _followed(self, writes: Writes, event: Follow.Followed) -> None:
        self.home.follow(writes, event.follower_id, event.followee_id)

    def _unfollowed(self, writes: Writes, event: Follow.Unfollowed) -> None:
        self.home.unfollow(writes, event.follower_id, event.followee_id)

    _handlers = {
        Status.Published: _published,
        Reblog.Reblogged: _reblogged,
        Status.Deleted: _deleted,
        Reblog.Unreblogged: _unreblogged,
        Follow.Followed: _followed,
        Follow.Unfollowed: _unfollowed,
    }
