"""The Favourite aggregate and the `favourite?` policy (§2, §6.10, §6.11)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import Forbidden, ValidationFailed
from domain.favourite import Favourite, check_can_favourite
from tests.domain.replay import replay

ALICE, STATUS = 10, 1000


def names(favourite: Favourite) -> list[str]:
    return [type(e).__name__ for e in favourite.collect_events()]


def test_favourite_records_favourited_with_account_and_status() -> None:
    favourite = Favourite(account_id=ALICE, status_id=STATUS)
    assert favourite.favourite(1) is True
    _, favourited = favourite.collect_events()
    assert isinstance(favourited, Favourite.Favourited)
    assert (favourited.account_id, favourited.status_id) == (ALICE, STATUS)


def test_favouriting_twice_is_a_no_op() -> None:
    favourite = Favourite(account_id=ALICE, status_id=STATUS)
    favourite.favourite(1)
    assert favourite.favourite(1) is False
    assert names(favourite) == ["Opened", "Favourited"]


def test_favouriting_again_through_a_reblog_wrapper_is_status_has_already_been_taken() -> None:
    favourite = Favourite(account_id=ALICE, status_id=STATUS)
    assert favourite.favourite(2, via_reblog=True) is True
    with pytest.raises(ValidationFailed, match="^Status has already been taken$"):
        favourite.favourite(2, via_reblog=True)


def test_unfavourite_without_a_favourite_is_a_no_op() -> None:
    favourite = Favourite(account_id=ALICE, status_id=STATUS)
    assert favourite.unfavourite() is False
    assert names(favourite) == ["Opened"]


def test_favourite_unfavourite_favourite_records_each_change() -> None:
    favourite = Favourite(account_id=ALICE, status_id=STATUS)
    assert favourite.favourite(1) and favourite.unfavourite() and favourite.favourite(1)
    assert names(favourite) == ["Opened", "Favourited", "Unfavourited", "Favourited"]


def test_viewer_who_blocks_the_author_may_not_favourite() -> None:
    with pytest.raises(Forbidden):
        check_can_favourite(viewer_blocks_author=True)
    check_can_favourite(viewer_blocks_author=False)


def test_favourites_are_per_account_and_status() -> None:
    assert Favourite.create_id(ALICE, STATUS) != Favourite.create_id(STATUS, ALICE)
    assert Favourite(account_id=ALICE, status_id=STATUS).id == Favourite.create_id(ALICE, STATUS)


@given(st.lists(st.booleans(), max_size=20))
def test_events_alternate_and_replay_to_the_last_action(actions: list[bool]) -> None:
    favourite = Favourite(account_id=ALICE, status_id=STATUS)
    for wants in actions:
        was = favourite.favourited
        changed = favourite.favourite(1) if wants else favourite.unfavourite()
        assert favourite.favourited is wants
        assert changed is (was is not wants)
    events = favourite.collect_events()
    kinds = [type(e).__name__ for e in events[1:]]
    assert all(a != b for a, b in zip(kinds, kinds[1:], strict=False))
    replayed = replay(events)
    assert replayed.favourited is favourite.favourited
