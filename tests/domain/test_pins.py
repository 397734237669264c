"""The Pins aggregate: §6.12's validator, its limit of five and its duplicate rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DuplicateRecord, ValidationFailed
from domain.pins import MAX_PINNED_STATUSES, Pins
from tests.domain.replay import replay

ALICE, BOB = 10, 20
BOOST = "A boost cannot be pinned"
OTHERS = "Someone else's post cannot be pinned"
DIRECT = "Posts that are only visible to mentioned users cannot be pinned"
LIMIT = "You have already pinned the maximum number of posts"


def pin(
    pins: Pins,
    status_id: int,
    *,
    author_id: int = ALICE,
    visibility: str = "public",
    boost: bool = False,
) -> None:
    pins.pin(status_id, author_id=author_id, visibility=visibility, is_reblog=boost)


def full() -> Pins:
    pins = Pins(account_id=ALICE)
    for status_id in range(1, MAX_PINNED_STATUSES + 1):
        pin(pins, status_id)
    return pins


def test_pins_are_kept_in_pin_order_newest_last() -> None:
    pins = Pins(account_id=ALICE)
    for status_id in (30, 10, 20):
        pin(pins, status_id)
    assert pins.status_ids == [30, 10, 20]
    assert pins.is_pinned(10) and not pins.is_pinned(40)


def test_pinned_event_carries_account_and_status() -> None:
    pins = Pins(account_id=ALICE)
    pin(pins, 7)
    _, pinned = pins.collect_events()
    assert isinstance(pinned, Pins.Pinned)
    assert (pinned.account_id, pinned.status_id) == (ALICE, 7)


@pytest.mark.parametrize("visibility", ["public", "unlisted", "private"])
def test_own_public_unlisted_and_private_statuses_can_be_pinned(visibility: str) -> None:
    pins = Pins(account_id=ALICE)
    pin(pins, 7, visibility=visibility)
    assert pins.status_ids == [7]


def test_pinning_someone_elses_boost_reports_both_rules_in_order() -> None:
    with pytest.raises(ValidationFailed) as failure:
        pin(Pins(account_id=ALICE), 7, author_id=BOB, boost=True)
    assert str(failure.value) == f"{BOOST}, {OTHERS}"


@given(
    boost=st.booleans(),
    own=st.booleans(),
    visibility=st.sampled_from(["public", "unlisted", "private", "direct"]),
    at_limit=st.booleans(),
)
def test_every_failing_rule_is_reported_in_mastodons_order(
    boost: bool, own: bool, visibility: str, at_limit: bool
) -> None:
    pins = full() if at_limit else Pins(account_id=ALICE)
    expected = [
        message
        for message, fails in [
            (BOOST, boost),
            (OTHERS, not own),
            (DIRECT, visibility == "direct"),
            (LIMIT, at_limit),
        ]
        if fails
    ]
    before = list(pins.status_ids)
    try:
        pin(pins, 99, author_id=ALICE if own else BOB, visibility=visibility, boost=boost)
    except ValidationFailed as failure:
        assert failure.messages == expected
        assert pins.status_ids == before
    else:
        assert expected == []
        assert pins.status_ids == [*before, 99]


def test_pinning_a_pinned_status_is_a_duplicate_record() -> None:
    pins = Pins(account_id=ALICE)
    pin(pins, 7)
    with pytest.raises(DuplicateRecord):
        pin(pins, 7)
    assert pins.status_ids == [7]


def test_with_five_pins_the_limit_message_wins_over_duplicate_record() -> None:
    with pytest.raises(ValidationFailed, match=f"^{LIMIT}$"):
        pin(full(), 1)


def test_unpin_frees_a_slot_and_unpinning_an_unpinned_status_is_a_no_op() -> None:
    pins = full()
    assert pins.unpin(3) is True
    assert pins.unpin(3) is False
    pin(pins, 6)
    assert pins.status_ids == [1, 2, 4, 5, 6]
    kinds = [type(e).__name__ for e in pins.collect_events()]
    assert kinds == ["Opened", *["Pinned"] * 5, "Unpinned", "Pinned"]


def test_pins_are_per_account() -> None:
    assert Pins.create_id(ALICE) != Pins.create_id(BOB)
    assert Pins(account_id=ALICE).id == Pins.create_id(ALICE)


@given(st.lists(st.tuples(st.booleans(), st.integers(1, 8)), max_size=40))
def test_any_pin_unpin_sequence_never_exceeds_five_or_duplicates(
    steps: list[tuple[bool, int]],
) -> None:
    pins = Pins(account_id=ALICE)
    model: list[int] = []
    for is_pin, status_id in steps:
        if not is_pin:
            assert pins.unpin(status_id) is (status_id in model)
            if status_id in model:
                model.remove(status_id)
        elif len(model) >= MAX_PINNED_STATUSES:
            with pytest.raises(ValidationFailed, match=f"^{LIMIT}$"):
                pin(pins, status_id)
        elif status_id in model:
            with pytest.raises(DuplicateRecord):
                pin(pins, status_id)
        else:
            pin(pins, status_id)
            model.append(status_id)
        assert pins.status_ids == model
        assert len(model) <= MAX_PINNED_STATUSES and len(set(model)) == len(model)
    replayed = replay(pins.collect_events())
    assert replayed.status_ids == model
