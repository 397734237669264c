"""The Reblog aggregate and the reblog rules of §2 `reblog?` and §6.8."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import Forbidden, ValidationFailed
from domain.reblog import Reblog, check_can_reblog, decide_reblog_visibility
from domain.visibility import Audience
from tests.domain.replay import replay

AUTHOR, VIEWER, ORIGINAL = 1, 2, 1000


def fresh() -> Reblog:
    return Reblog(account_id=VIEWER, original_status_id=ORIGINAL)


def reblog(
    aggregate: Reblog, wrapper: int, requested: str | None = None, original: str = "public"
) -> int:
    return aggregate.reblog(
        wrapper,
        original_visibility=original,
        requested_visibility=requested,
        default_visibility="public",
    )


@pytest.mark.parametrize("visibility", ["public", "unlisted"])
def test_anyone_may_reblog_public_and_unlisted_statuses(visibility: str) -> None:
    check_can_reblog(Audience(visibility, AUTHOR), VIEWER, viewer_blocks_author=False)


def test_reblog_of_private_status_by_follower_is_forbidden() -> None:
    with pytest.raises(Forbidden):
        check_can_reblog(Audience("private", AUTHOR), VIEWER, viewer_blocks_author=False)


def test_author_may_reblog_their_own_private_status() -> None:
    check_can_reblog(Audience("private", AUTHOR), AUTHOR, viewer_blocks_author=False)


@pytest.mark.parametrize("viewer", [AUTHOR, VIEWER])
def test_direct_status_cannot_be_reblogged_even_by_author_or_mentioned(viewer: int) -> None:
    with pytest.raises(Forbidden):
        check_can_reblog(Audience("direct", AUTHOR, (VIEWER,)), viewer, viewer_blocks_author=False)


def test_viewer_who_blocks_the_author_may_not_reblog_a_public_status() -> None:
    with pytest.raises(Forbidden):
        check_can_reblog(Audience("public", AUTHOR), VIEWER, viewer_blocks_author=True)


@pytest.mark.parametrize("requested", [None, "", "public", "unlisted", "direct", "bogus"])
def test_private_original_forces_a_private_reblog(requested: str | None) -> None:
    assert decide_reblog_visibility("private", requested, "public") == "private"


def test_reblog_visibility_is_the_request_else_the_authors_default() -> None:
    assert decide_reblog_visibility("public", "unlisted", "public") == "unlisted"
    assert decide_reblog_visibility("public", "private", "public") == "private"
    assert decide_reblog_visibility("unlisted", None, "private") == "private"
    assert decide_reblog_visibility("public", "", "unlisted") == "unlisted"


def test_direct_reblog_is_reserved() -> None:
    with pytest.raises(ValidationFailed, match="^Visibility is reserved$"):
        decide_reblog_visibility("public", "direct", "public")


@given(st.text().filter(lambda v: v not in ("", "public", "unlisted", "private", "direct")))
def test_unknown_reblog_visibility_is_not_included_in_the_list(requested: str) -> None:
    with pytest.raises(ValidationFailed, match="^Visibility is not included in the list$"):
        decide_reblog_visibility("public", requested, "public")


def test_reblog_records_reblogged_with_its_keys_wrapper_and_visibility() -> None:
    aggregate = fresh()
    assert reblog(aggregate, 7, "unlisted") == 7
    _, reblogged = aggregate.collect_events()
    assert isinstance(reblogged, Reblog.Reblogged)
    assert (
        reblogged.account_id,
        reblogged.original_status_id,
        reblogged.wrapper_status_id,
        reblogged.visibility,
    ) == (VIEWER, ORIGINAL, 7, "unlisted")


def test_reblogging_again_returns_the_existing_wrapper_without_an_event() -> None:
    aggregate = fresh()
    reblog(aggregate, 7)
    # Step 6 before step 7: a refused visibility does not matter once a reblog is live.
    assert reblog(aggregate, 8, "direct") == 7
    assert [type(e).__name__ for e in aggregate.collect_events()] == ["Opened", "Reblogged"]


def test_refused_visibility_records_nothing() -> None:
    aggregate = fresh()
    with pytest.raises(ValidationFailed):
        reblog(aggregate, 7, "direct")
    assert aggregate.wrapper_status_id is None
    assert [type(e).__name__ for e in aggregate.collect_events()] == ["Opened"]


def test_unreblog_names_the_removed_wrapper_and_a_new_reblog_gets_a_new_one() -> None:
    aggregate = fresh()
    reblog(aggregate, 7)
    assert aggregate.unreblog() == 7
    assert aggregate.unreblog() is None
    assert reblog(aggregate, 8) == 8
    events = aggregate.collect_events()
    assert [type(e).__name__ for e in events] == ["Opened", "Reblogged", "Unreblogged", "Reblogged"]
    assert events[2].wrapper_status_id == 7
    assert (events[2].account_id, events[2].original_status_id) == (VIEWER, ORIGINAL)


def test_one_reblog_aggregate_per_account_and_original() -> None:
    assert Reblog.create_id(VIEWER, ORIGINAL) != Reblog.create_id(AUTHOR, ORIGINAL)
    assert fresh().id == Reblog.create_id(VIEWER, ORIGINAL)


@given(st.lists(st.booleans(), max_size=20))
def test_at_most_one_live_reblog_whatever_the_sequence(actions: list[bool]) -> None:
    aggregate = fresh()
    for n, wants_reblog in enumerate(actions, start=1):
        live = aggregate.wrapper_status_id
        if wants_reblog:
            assert reblog(aggregate, n) == (live or n)
        else:
            assert aggregate.unreblog() == live
    events = aggregate.collect_events()
    kinds = [type(e).__name__ for e in events[1:]]
    assert all(a != b for a, b in zip(kinds, kinds[1:], strict=False))
    replayed = replay(events)
    assert replayed.wrapper_status_id == aggregate.wrapper_status_id
