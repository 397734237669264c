"""Follows: one Follow aggregate per (follower, followee) pair.

The aggregate opens with a neutral event so that every follow, the first one included, is recorded
as the same Followed event: projections and replays then have one event per fact. A follow may ask
to be notified of the followee's statuses (Mastodon's `notify`): given with the follow, or changed
later by following again with another `notify` (NotifyChanged). Followed events recorded before
`notify` existed read it as false (domain/upcasting.py).
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import RecordNotFound
from domain.ids import derived_uuid
from domain.upcasting import added_fields


def check_can_follow(follower_id: int, followee_id: int) -> None:
    """Nobody follows themselves; Mastodon's FollowService answers that with RecordNotFound."""
    if follower_id == followee_id:
        raise RecordNotFound


class Follow(Aggregate):
    """Whether one account follows another, with the history of follows and unfollows."""

    TOPIC = "tootlog.follow"

    class Created(Aggregate.Created):
        TOPIC = "tootlog.follow.created.v1"

    @event("Opened", topic="tootlog.follow.opened.v1")
    def __init__(self, follower_id: int, followee_id: int) -> None:
        self.follower_id = follower_id
        self.followee_id = followee_id
        self.following = False
        self.notify = False

    @staticmethod
    def create_id(follower_id: int, followee_id: int) -> UUID:
        return derived_uuid("follow", follower_id, followee_id)

    def follow(self, notify: bool | None = None) -> bool:
        """Start following, notified of the followee's statuses if `notify` (None: not on a new
        follow, unchanged on an existing one, as Mastodon's Account#follow!); False (and no
        event) when nothing changes."""
        check_can_follow(self.follower_id, self.followee_id)
        if not self.following:
            self._followed(
                follower_id=self.follower_id, followee_id=self.followee_id, notify=bool(notify)
            )
            return True
        if notify is None or notify == self.notify:
            return False
        self._notify_changed(
            follower_id=self.follower_id, followee_id=self.followee_id, notify=notify
        )
        return True

    def unfollow(self) -> bool:
        """Stop following; False (and no event) when not following."""
        if not self.following:
            return False
        self._unfollowed(follower_id=self.follower_id, followee_id=self.followee_id)
        return True

    @event("Followed", topic="tootlog.follow.followed.v1")
    def _followed(self, follower_id: int, followee_id: int, notify: bool = False) -> None:
        self.following = True
        self.notify = notify

    @event("NotifyChanged", topic="tootlog.follow.notify_changed.v1")
    def _notify_changed(self, follower_id: int, followee_id: int, notify: bool) -> None:
        self.notify = notify

    @event("Unfollowed", topic="tootlog.follow.unfollowed.v1")
    def _unfollowed(self, follower_id: int, followee_id: int) -> None:
        self.following = False
        self.notify = False


# Follows recorded before `notify` existed did not ask for it.
added_fields(Follow.Followed, notify=False)
