"""Binary array columns (projections.arrays) read back as psycopg's own lists do."""

from __future__ import annotations

import psycopg
import pytest

from projections.arrays import (
    SMALL,
    BoolColumn,
    Int2Column,
    Int4Column,
    Int8Column,
    TextColumn,
)

CASES = [
    (Int8Column, "bigint", [1, -1, 0, (1 << 63) - 1, -(1 << 63), 117732303777528735]),
    (Int8Column, "bigint", [None, 5, None]),
    (Int4Column, "int", [0, 7, -3, (1 << 31) - 1, -(1 << 31)]),
    (Int4Column, "int", [None, 1]),
    (Int2Column, "smallint", [1, 2, 3, -(1 << 15), (1 << 15) - 1]),
    (BoolColumn, "bool", [True, False, False, True]),
    (TextColumn, "text", ["", "a", 'é\u2028"\\{}, x', None, '{"a":[1,2]}']),
    (Int8Column, "bigint", []),
    (TextColumn, "text", []),
    # Past SMALL elements the integers go out in bulk, not one struct each.
    (Int8Column, "bigint", [117732303777528735 + i * (1 << 40) * (-1) ** i for i in range(60)]),
    (Int8Column, "bigint", [None if i % 7 == 0 else i for i in range(60)]),
    (Int4Column, "int", [(1 << 31) - 1 - i * 1_000_003 for i in range(60)]),
    (Int2Column, "smallint", [-(1 << 15) + i * 1_000 for i in range(60)]),
]


@pytest.mark.parametrize(("column", "sql_type", "values"), CASES)
def test_a_column_reads_back_as_its_values(
    fresh_database_url: str, column: type, sql_type: str, values: list
) -> None:
    with psycopg.connect(fresh_database_url) as conn:
        row = conn.execute(
            f"SELECT %b::{sql_type}[], array_length(%b::{sql_type}[], 1),"
            f" (SELECT count(*) FROM unnest(%b::{sql_type}[]))",
            (column(values), column(values), column(values)),
        ).fetchone()
    assert row[0] == values
    assert row[1] == (len(values) or None)
    assert row[2] == len(values)


def test_a_value_out_of_range_is_refused() -> None:
    with pytest.raises(OverflowError):
        Int2Column([1 << 15]).dump()
    with pytest.raises(OverflowError):
        Int2Column([1 << 15, *range(SMALL)]).dump()


def test_a_few_integers_dump_as_many_do() -> None:
    """The element-by-element path for small columns writes the bytes the bulk path does."""
    for column, bits in ((Int8Column, 64), (Int4Column, 32), (Int2Column, 16)):
        values = [(-1) ** i * (((1 << (bits - 1)) - 1) // (i + 1)) for i in range(SMALL + 1)]
        for count in range(1, SMALL + 1):
            small = column(values[:count]).dump()
            # The same values followed by more: the bulk path (heads of 20 bytes, which differ
            # only in the length).
            bulk = column([*values[:count], *range(SMALL + 1)]).dump()
            assert small[20:] == bulk[20 : len(small)]
            assert small[:12] == bulk[:12]
