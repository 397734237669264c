"""The writes of one projection batch, held back and sent together.

Sending a statement costs the client far more than PostgreSQL takes to run it, so a batch does not
send its statements one by one as events are applied. Each read-model table keeps its statements
in event order; on flush the tables are written in an order that puts every row before the
statements that need it (accounts, then statuses, then what refers to them), and a run of the
same statement goes out as one `executemany`. Counter changes are summed per row and written once
per flush. A statement whose answer is read (`reader`) flushes first, so it sees every earlier
write.

Reordering across tables is safe because no statement reads another table's rows except to find
rows written earlier in that order (a favourite's status, a follow's accounts).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date

from psycopg import Cursor

# The order tables are written in on a flush.
TABLES = (
    "accounts",
    "statuses",
    "status_tags",
    "media",
    "polls",
    "poll_votes",
    "scheduled",
    "favourites",
    "pins",
    "bookmarks",
    "conversation_mutes",
    "follows",
    "home_feed",  # after the statuses and follows it reads (projections/home_feed.py)
    "tokens",
    "apps",
    "markers",
    "event_index",
)

FLUSH_STATUS_COUNTERS = (
    "UPDATE tootlog_statuses s SET replies_count = greatest(s.replies_count + d.replies, 0),"
    " reblogs_count = greatest(s.reblogs_count + d.reblogs, 0),"
    " favourites_count = greatest(s.favourites_count + d.favourites, 0)"
    " FROM unnest(%b::bigint[], %b::int[], %b::int[], %b::int[])"
    " AS d(id, replies, reblogs, favourites) WHERE s.id = d.id"
)
FLUSH_ACCOUNT_COUNTERS = (
    "UPDATE tootlog_accounts a SET statuses_count = greatest(a.statuses_count + d.statuses, 0),"
    " last_status_at = greatest(a.last_status_at, d.day),"
    " following_count = greatest(a.following_count + d.following, 0),"
    " followers_count = greatest(a.followers_count + d.followers, 0)"
    " FROM unnest(%b::bigint[], %b::int[], %b::date[], %b::int[], %b::int[])"
    " AS d(id, statuses, day, following, followers) WHERE a.id = d.id"
)


class Writes:
    """Statements and counter changes waiting to be sent on the batch's pipelined cursor."""

    def __init__(self, cursor: Callable[[], Cursor]) -> None:
        # The batch's pipelined cursor, opened (with its transaction) on first use.
        self._cursor = cursor
        self._statements: dict[str, list[tuple[str, object]]] = {t: [] for t in TABLES}
        # status id -> [replies, reblogs, favourites];
        # account id -> [statuses, latest day, following, followers]
        self._status_counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
        self._account_counts: dict[int, list] = defaultdict(lambda: [0, None, 0, 0])
        # status id -> its row not sent yet (see insert)
        self._unsent_counts: dict[int, list] = {}

    def write(self, table: str, statement: str, params: object) -> None:
        self._statements[table].append((statement, params))

    def insert(
        self,
        table: str,
        statement: str,
        row: tuple | list,
        key: int | None = None,
        after: int | None = None,
        counted: bool = False,
    ) -> None:
        """Add a row to a set-based `statement`, which takes one array per column (unnest):
        consecutive rows of one statement go out as one execution. `after`: the key of a row
        this one needs already written (its parent), which then must not be in the same one.
        `counted`: a status row (a list) whose last three columns are its replies, reblogs and
        favourites counts; count_status adds to them until it is sent, saving an update."""
        if counted:
            self._unsent_counts[key] = row
        statements = self._statements[table]
        if statements:
            last_statement, last = statements[-1]
            if last_statement == statement and isinstance(last, _Rows) and after not in last.keys:
                last.add(row, key)
                return
        rows = _Rows()
        rows.add(row, key)
        statements.append((statement, rows))

    def count_status(
        self, status_id: int, replies: int = 0, reblogs: int = 0, favourites: int = 0
    ) -> None:
        row = self._unsent_counts.get(status_id)
        if row is not None:
            row[-3] += replies
            row[-2] += reblogs
            row[-1] += favourites
            return
        counts = self._status_counts[status_id]
        counts[0] += replies
        counts[1] += reblogs
        counts[2] += favourites

    def count_account(
        self,
        account_id: int,
        statuses: int = 0,
        day: date | None = None,
        following: int = 0,
        followers: int = 0,
    ) -> None:
        counts = self._account_counts[account_id]
        counts[0] += statuses
        if day is not None and (counts[1] is None or day > counts[1]):
            counts[1] = day
        counts[2] += following
        counts[3] += followers

    def reader(self) -> Cursor:
        """A cursor of its own for a statement whose answer is read, after every earlier write
        has been sent.

        In pipeline mode the answers to a cursor's earlier statements can arrive while its next
        one is sent, and fetchone() then returns the last of those instead of waiting for its
        own. A fresh cursor has no earlier answers to mistake for its own.
        """
        self.flush()
        return self.curs.connection.cursor()

    @property
    def curs(self) -> Cursor:
        return self._cursor()

    def flush(self, curs: Cursor | None = None) -> None:
        """Send everything held back, table by table (on `curs`, else the batch's cursor)."""
        curs = curs or self._cursor()
        self._unsent_counts.clear()
        for table in TABLES:
            statements = self._statements[table]
            if not statements:
                continue
            start = 0
            while start < len(statements):
                statement, params = statements[start]
                if isinstance(params, _Rows):
                    curs.execute(statement, params.columns(), prepare=True)
                    start += 1
                    continue
                end = start + 1
                while (
                    end < len(statements)
                    and statements[end][0] == statement
                    and not isinstance(statements[end][1], _Rows)
                ):
                    end += 1
                if end - start == 1:
                    curs.execute(statement, statements[start][1], prepare=True)
                else:
                    curs.executemany(statement, [params for _, params in statements[start:end]])
                start = end
            statements.clear()
        if self._status_counts:
            ids = list(self._status_counts)
            counts = list(self._status_counts.values())
            curs.execute(
                FLUSH_STATUS_COUNTERS, (ids, *map(list, zip(*counts, strict=True))), prepare=True
            )
            self._status_counts.clear()
        if self._account_counts:
            ids = list(self._account_counts)
            counts = list(self._account_counts.values())
            curs.execute(
                FLUSH_ACCOUNT_COUNTERS, (ids, *map(list, zip(*counts, strict=True))), prepare=True
            )
            self._account_counts.clear()


class _Rows:
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
