"""The Follow aggregate: one per (follower, followee), idempotent follow and unfollow."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import RecordNotFound
from domain.follow import Follow, check_can_follow
from tests.domain.replay import replay

ALICE, BOB = 10, 20


def names(follow: Follow) -> list[str]:
    return [type(e).__name__ for e in follow.collect_events()]


def test_first_follow_records_followed_with_both_ids() -> None:
    follow = Follow(follower_id=ALICE, followee_id=BOB)
    assert follow.follow() is True
    opened, followed = follow.collect_events()
    assert isinstance(followed, Follow.Followed)
    assert (followed.follower_id, followed.followee_id) == (ALICE, BOB)
    assert follow.following


def test_following_twice_is_a_no_op() -> None:
    follow = Follow(follower_id=ALICE, followee_id=BOB)
    follow.follow()
    assert follow.follow() is False
    assert names(follow) == ["Opened", "Followed"]


def test_refollow_after_unfollow_appends_followed_again() -> None:
    follow = Follow(follower_id=ALICE, followee_id=BOB)
    follow.follow()
    assert follow.unfollow() is True
    assert follow.follow() is True
    assert names(follow) == ["Opened", "Followed", "Unfollowed", "Followed"]


def test_unfollowing_someone_not_followed_is_a_no_op() -> None:
    follow = Follow(follower_id=ALICE, followee_id=BOB)
    assert follow.unfollow() is False
    assert names(follow) == ["Opened"]


def test_following_yourself_is_record_not_found() -> None:
    with pytest.raises(RecordNotFound):
        check_can_follow(ALICE, ALICE)
    follow = Follow(follower_id=ALICE, followee_id=ALICE)
    with pytest.raises(RecordNotFound):
        follow.follow()
    assert names(follow) == ["Opened"]


def test_the_pair_is_directed() -> None:
    assert Follow.create_id(ALICE, BOB) != Follow.create_id(BOB, ALICE)
    assert Follow(follower_id=ALICE, followee_id=BOB).id == Follow.create_id(ALICE, BOB)


@given(st.lists(st.booleans(), max_size=20))
def test_events_alternate_and_replay_to_the_last_action(actions: list[bool]) -> None:
    follow = Follow(follower_id=ALICE, followee_id=BOB)
    for wants_follow in actions:
        was_following = follow.following
        changed = follow.follow() if wants_follow else follow.unfollow()
        assert follow.following is wants_follow
        assert changed is (was_following is not wants_follow)
    events = follow.collect_events()
    kinds = [type(e).__name__ for e in events[1:]]
    assert all(a != b for a, b in zip(kinds, kinds[1:], strict=False))
    replayed = replay(events)
    assert replayed.following is follow.following
    assert replayed.version == follow.version
