"""Snowflake ids (§1.2)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from domain.ids import (
    SnowflakeGenerator,
    derived_uuid,
    format_datetime,
    parse_id,
    snowflake_date,
    snowflake_iso,
    snowflake_time,
)


def test_ids_strictly_increase_even_within_one_millisecond() -> None:
    generator = SnowflakeGenerator(clock=lambda: 1686398400.0)
    ids = [generator.next_id() for _ in range(1000)]
    assert ids == sorted(set(ids))
    assert all(i >> 16 == 1686398400000 for i in ids[:10])


def test_snowflake_encodes_its_millisecond() -> None:
    assert snowflake_time(110519805542400017) == datetime(2023, 6, 10, 12, 0, tzinfo=UTC)
    assert (
        format_datetime(datetime(2023, 6, 10, 12, 0, 0, 123456, tzinfo=UTC))
        == "2023-06-10T12:00:00.123Z"
    )


# Snowflakes of instants from 1970 to 2100, with any low bits.
SNOWFLAKES = st.builds(
    lambda ms, low: (ms << 16) | low,
    st.integers(min_value=0, max_value=4_102_444_800_000),
    st.integers(min_value=0, max_value=0xFFFF),
)


@given(SNOWFLAKES)
def test_the_fast_forms_of_a_snowflakes_instant_are_the_same(snowflake: int) -> None:
    assert snowflake_iso(snowflake) == format_datetime(snowflake_time(snowflake))
    assert snowflake_date(snowflake) == snowflake_time(snowflake).date()


@given(st.integers(min_value=1, max_value=(1 << 63) - 1))
def test_any_positive_63_bit_id_round_trips_through_its_string(value: int) -> None:
    assert parse_id(str(value)) == value


def test_junk_ids_parse_to_none() -> None:
    for junk in ("", "abc", "-1", "0", "1.5", "١٢", str(1 << 63), "9" * 30, None, True, [1]):
        assert parse_id(junk) is None, junk


def test_aggregate_ids_depend_on_kind_and_key() -> None:
    assert derived_uuid("status", 1) == derived_uuid("status", 1)
    assert derived_uuid("status", 1) != derived_uuid("account", 1)
