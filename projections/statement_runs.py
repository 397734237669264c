"""How a batch's statements go out: a set-based statement over rows (one typed array per
column), and a table's queued statements in order, each run of one statement as one execution.
projections/writes.py decides what is sent and when."""

from __future__ import annotations

from psycopg import Cursor

from projections.arrays import Column


def run_rows(curs: Cursor, statement: str, kinds: tuple, rows) -> None:  # noqa: ANN001
    """`statement` over `rows` (an iterable of tuples), one array per column."""
    curs.execute(statement, columns_of(kinds, rows), prepare=True)


def columns_of(kinds: tuple[type[Column] | None, ...], rows) -> list:  # noqa: ANN001
    """One typed column per kind (None: a list psycopg dumps) from equal-length rows."""
    return [
        list(column) if kind is None else kind(column)
        for kind, column in zip(kinds, zip(*rows, strict=True), strict=True)
    ]


def keyed(counts: dict[int, list]) -> list[tuple]:
    return [(key, *values) for key, values in counts.items()]


def send_in_order(curs: Cursor, statements: list[tuple[str, object]]) -> None:
    """Send one table's statements in order, a run of one statement as one executemany."""
    start = 0
    while start < len(statements):
        statement, params = statements[start]
        if isinstance(params, Rows):
            curs.execute(statement, params.columns(), prepare=True)
            start += 1
            continue
        end = start + 1
        while (
            end < len(statements)
            and statements[end][0] == statement
            and not isinstance(statements[end][1], Rows)
        ):
            end += 1
        if end - start == 1:
            curs.execute(statement, params, prepare=True)
        else:
            curs.executemany(statement, [params for _, params in statements[start:end]])
        start = end


class Rows:
    """Rows for one execution of a set-based statement, with the keys they hold."""

    __slots__ = ("keys", "rows")

    def __init__(self) -> None:
        self.rows: list[tuple] = []
        self.keys: set[int] = set()

    def add(self, row: tuple, key: int | None) -> None:
        self.rows.append(row)
        if key is not None:
            self.keys.add(key)

    def columns(self) -> list[list]:
        return [list(column) for column in zip(*self.rows, strict=True)]
