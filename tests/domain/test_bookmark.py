"""The Bookmark aggregate (§6.14)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.bookmark import Bookmark
from domain.errors import ValidationFailed
from tests.domain.replay import replay

ALICE, STATUS = 10, 1000


def names(bookmark: Bookmark) -> list[str]:
    return [type(e).__name__ for e in bookmark.collect_events()]


def test_bookmark_records_bookmarked_with_account_status_and_cursor() -> None:
    bookmark = Bookmark(account_id=ALICE, status_id=STATUS)
    assert bookmark.bookmark(7) is True
    _, bookmarked = bookmark.collect_events()
    assert isinstance(bookmarked, Bookmark.Bookmarked)
    assert (bookmarked.account_id, bookmarked.status_id, bookmarked.bookmark_id) == (
        ALICE,
        STATUS,
        7,
    )


def test_bookmarking_twice_is_a_no_op() -> None:
    bookmark = Bookmark(account_id=ALICE, status_id=STATUS)
    bookmark.bookmark(1)
    assert bookmark.bookmark(2) is False
    assert names(bookmark) == ["Opened", "Bookmarked"]


def test_bookmarking_again_through_a_reblog_wrapper_is_status_has_already_been_taken() -> None:
    bookmark = Bookmark(account_id=ALICE, status_id=STATUS)
    assert bookmark.bookmark(1, via_reblog=True) is True
    with pytest.raises(ValidationFailed, match="^Status has already been taken$"):
        bookmark.bookmark(2, via_reblog=True)


def test_unbookmark_without_a_bookmark_is_a_no_op() -> None:
    bookmark = Bookmark(account_id=ALICE, status_id=STATUS)
    assert bookmark.unbookmark() is False
    assert names(bookmark) == ["Opened"]


def test_bookmarks_are_per_account_and_status_and_apart_from_favourites() -> None:
    from domain.favourite import Favourite

    assert Bookmark.create_id(ALICE, STATUS) != Bookmark.create_id(STATUS, ALICE)
    assert Bookmark.create_id(ALICE, STATUS) != Favourite.create_id(ALICE, STATUS)
    assert Bookmark(account_id=ALICE, status_id=STATUS).id == Bookmark.create_id(ALICE, STATUS)


@given(st.lists(st.booleans(), max_size=20))
def test_events_alternate_and_replay_to_the_last_action(actions: list[bool]) -> None:
    bookmark = Bookmark(account_id=ALICE, status_id=STATUS)
    for wants in actions:
        was = bookmark.bookmarked
        changed = bookmark.bookmark(1) if wants else bookmark.unbookmark()
        assert bookmark.bookmarked is wants
        assert changed is (was is not wants)
    events = bookmark.collect_events()
    kinds = [type(e).__name__ for e in events[1:]]
    assert all(a != b for a, b in zip(kinds, kinds[1:], strict=False))
    replayed = replay(events)
    assert replayed.bookmarked is bookmark.bookmarked
