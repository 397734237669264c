"""The writes of one projection batch, folded in memory and sent together.

Sending a statement costs far more than the row it writes, so a batch does not send its writes
one by one as events are applied. The rows of the tables most events touch (accounts, statuses,
favourites, pins, follows, the event index) are held here until the batch ends, and what later
events of the batch do to them is done to the held rows: a status is inserted once, with the
counts and the deletion the batch gave it; a favourite given and taken back in one batch is never
written. What the batch does to rows of earlier batches is one set-based statement per kind of
change. On flush, in this order:

1. Changes to rows of earlier batches that this batch's own rows must not see (deletions,
   soft-deletions, reblogs taken with their deleted original): run before this batch's rows are
   inserted, so they touch only earlier rows; their effect on held rows was applied in memory.
2. The held rows, one insert per table (statuses: one per depth of reply chains within the batch,
   since a reply's thread position is read from its parent's row).
3. Other statements (`write`, `insert`: tables without held rows, such as media, tokens, apps,
   cards), each table's in event order, tables in TABLES order.
4. Thread cuts below deleted statuses, then counter changes, summed per row.

Reordering this way is safe because each kind of change commutes with the others as used: a
thread cut sets a row's gap to the deepest deleted ancestor whenever it runs; a soft-deletion of
an earlier row is seen by a reply inserted after it as it would be by the cut; deletions of
earlier rows never meet an insert of the same key before them. A statement whose answer is read
(`reader`) sends 1-3 first, so it sees every earlier row; 4 waits for the batch's end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date

from psycopg import Cursor

from projections.arrays import Int2Column, Int4Column, Int8Column
from projections.statement_runs import Rows, keyed, run_rows, send_in_order
from projections.write_statements import (
    ACCOUNT_COLUMNS,
    ACCOUNT_COUNTER_COLUMNS,
    CUT_THREADS,
    DELETE_FAVOURITES,
    DELETE_FOLLOWS,
    DELETE_PINS,
    DELETE_REBLOGS_OF,
    FLUSH_ACCOUNT_COUNTERS,
    FLUSH_STATUS_COUNTERS,
    FORGET_FAVOURITES,
    FORGET_PINS,
    INSERT_ACCOUNTS,
    INSERT_EVENT_INDEX,
    INSERT_FAVOURITES,
    INSERT_FOLLOWS,
    INSERT_PINS,
    INSERT_STATUSES,
    INSERT_WRAPPERS,
    MARK_DELETED,
    PAIR,
    STATUS_COLUMNS,
    STATUS_COUNTER_COLUMNS,
    UNCOUNT_FAVOURITES,
    WRAPPER_COLUMNS,
)

# The order the generic statement queues are written in on a flush (after the held rows).
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
    "notifications",  # after the statuses, follows, votes and mutes they read
    "event_index",
)


# Positions in held rows.
ACCOUNT_STATUSES, ACCOUNT_DAY, ACCOUNT_FOLLOWING, ACCOUNT_FOLLOWERS = 5, 6, 7, 8
STATUS_ACCOUNT, STATUS_PARENT, STATUS_DELETED = 1, 4, 8
WRAPPER_ACCOUNT, WRAPPER_DELETED = 1, 5
# Both status and wrapper rows end with their replies, reblogs and favourites counts.
REPLIES, REBLOGS, FAVOURITES = -3, -2, -1


class Writes:
    """Rows and changes waiting to be sent on the batch's pipelined cursor."""

    def __init__(self, cursor: Callable[[], Cursor]) -> None:
        # The batch's pipelined cursor, opened (with its transaction) on first use.
        self._cursor = cursor
        self._statements: dict[str, list[tuple[str, object]]] = {t: [] for t in TABLES}
        self._clear_rows()
        # Sent last, by flush only: thread cuts (status id, depth), and counter changes of
        # rows already sent: status id -> [replies, reblogs, favourites]; account id ->
        # [statuses, latest day, following, followers]
        self._cuts: list[tuple[int, int]] = []
        self._status_counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
        self._account_counts: dict[int, list] = defaultdict(lambda: [0, None, 0, 0])

    def _clear_rows(self) -> None:
        # Held rows, by key, in event order.
        self._accounts: dict[int, list] = {}
        self._statuses: dict[int, list] = {}
        self._wrappers: dict[int, list] = {}
        self._wrappers_of: dict[int, list[int]] = {}  # original id -> held wrapper ids
        self._favourites: dict[tuple[int, int], tuple[int, int, int]] = {}
        self._pins: dict[tuple[int, int], None] = {}
        self._follows: dict[tuple[int, int], int] = {}
        # status id -> the keys of its held favourites, or pins
        self._favourites_of: dict[int, list[tuple[int, int]]] = {}
        self._pins_of: dict[int, list[tuple[int, int]]] = {}
        self._index: tuple[list[int], list[int], list[int]] = ([], [], [])
        # Changes to rows of earlier batches: the statuses deleted, and those whose reblogs are.
        self._deleted: list[int] = []
        self._reblogs_deleted: list[int] = []
        self._forgotten: list[int] = []
        self._unfavourited: list[tuple[int, int]] = []
        self._uncounted: list[tuple[int, int]] = []
        self._unpinned: list[tuple[int, int]] = []
        self._unfollowed: list[tuple[int, int]] = []

    # Generic statements (tables without held rows)

    def write(self, table: str, statement: str, params: object) -> None:
        """Send `statement` on flush, after the held rows, in event order with `table`'s other
        statements."""
        self._statements[table].append((statement, params))

    def insert(
        self,
        table: str,
        statement: str,
        row: tuple | list,
        key: int | None = None,
        after: int | None = None,
    ) -> None:
        """Add a row to a set-based `statement`, which takes one array per column (unnest):
        consecutive rows of one statement go out as one execution. `after`: the key of a row
        this one needs already written, which then must not be in the same one."""
        statements = self._statements[table]
        if statements:
            last_statement, last = statements[-1]
            if last_statement == statement and isinstance(last, Rows) and after not in last.keys:
                last.add(row, key)
                return
        rows = Rows()
        rows.add(row, key)
        statements.append((statement, rows))

    # Accounts

    def add_account(
        self, account_id: int, username: str, email: str | None, locked: bool, doc: str
    ) -> None:
        self._accounts[account_id] = [account_id, username, email, locked, doc, 0, None, 0, 0]

    def count_account(
        self,
        account_id: int,
        statuses: int = 0,
        day: date | None = None,
        following: int = 0,
        followers: int = 0,
    ) -> None:
        """Adjust an account's counters (clamped at 0 when written) and move its
        last_status_at forward."""
        row = self._accounts.get(account_id)
        if row is None:
            row, at = self._account_counts[account_id], 0
        else:
            at = ACCOUNT_STATUSES
        row[at] += statuses
        if day is not None and (row[at + 1] is None or day > row[at + 1]):
            row[at + 1] = day
        row[at + 2] += following
        row[at + 3] += followers

    # Statuses

    def add_status(
        self,
        status_id: int,
        account_id: int,
        visibility: str,
        mentions: str,
        in_reply_to_id: int | None,
        in_reply_to_account_id: int | None,
        text: str,
        doc: str,
    ) -> None:
        self._statuses[status_id] = [
            status_id,
            account_id,
            visibility,
            mentions,
            in_reply_to_id,
            in_reply_to_account_id,
            text,
            doc,
            False,  # deleted
            0,
            0,
            0,
        ]

    def add_wrapper(
        self, wrapper_id: int, account_id: int, visibility: str, original_id: int, doc: str
    ) -> None:
        self._wrappers[wrapper_id] = [
            wrapper_id,
            account_id,
            visibility,
            original_id,
            doc,
            False,  # deleted
            0,
            0,
            0,
        ]
        self._wrappers_of.setdefault(original_id, []).append(wrapper_id)

    def count_status(
        self, status_id: int, replies: int = 0, reblogs: int = 0, favourites: int = 0
    ) -> None:
        row = self._statuses.get(status_id) or self._wrappers.get(status_id)
        if row is not None:
            row[REPLIES] += replies
            row[REBLOGS] += reblogs
            row[FAVOURITES] += favourites
            return
        counts = self._status_counts[status_id]
        counts[0] += replies
        counts[1] += reblogs
        counts[2] += favourites

    def mark_deleted(self, status_id: int) -> None:
        """Soft-delete a status or a reblog wrapper."""
        row = self._statuses.get(status_id)
        if row is not None:
            row[STATUS_DELETED] = True
            return
        row = self._wrappers.get(status_id)
        if row is not None:
            row[WRAPPER_DELETED] = True
            return
        self._deleted.append(status_id)

    def delete_reblogs_of(self, status_id: int) -> None:
        """Soft-delete every live reblog of a status and uncount them from their authors."""
        for wrapper_id in self._wrappers_of.get(status_id, ()):
            row = self._wrappers[wrapper_id]
            if not row[WRAPPER_DELETED]:
                row[WRAPPER_DELETED] = True
                self.count_account(row[WRAPPER_ACCOUNT], statuses=-1)
        self._reblogs_deleted.append(status_id)

    def cut_thread(self, status_id: int, depth: int) -> None:
        """Record that the replies below a deleted status (at `depth`) are cut off from it."""
        self._cuts.append((status_id, depth))

    def forget_interactions_with(self, status_id: int) -> None:
        """Take every favourite and pin of a status (their counts stay as they are)."""
        for key in self._favourites_of.pop(status_id, ()):
            self._favourites.pop(key, None)
        for key in self._pins_of.pop(status_id, ()):
            self._pins.pop(key, None)
        self._forgotten.append(status_id)

    # Favourites, pins, follows

    def add_favourite(self, favourite_id: int, account_id: int, status_id: int) -> None:
        key = (account_id, status_id)
        self._favourites[key] = (favourite_id, account_id, status_id)
        self._favourites_of.setdefault(status_id, []).append(key)
        self.count_status(status_id, favourites=+1)

    def delete_favourite(self, account_id: int, status_id: int, *, present: bool) -> None:
        """Take a favourite back. `present`: its row is known to be there, and is uncounted;
        else it is uncounted only if it was there."""
        if self._favourites.pop((account_id, status_id), None) is not None:
            self.count_status(status_id, favourites=-1)
        elif present:
            self._unfavourited.append((account_id, status_id))
            self.count_status(status_id, favourites=-1)
        else:
            self._uncounted.append((account_id, status_id))

    def add_pin(self, account_id: int, status_id: int) -> None:
        key = (account_id, status_id)
        self._pins[key] = None
        self._pins_of.setdefault(status_id, []).append(key)

    def delete_pin(self, account_id: int, status_id: int) -> None:
        self._pins.pop((account_id, status_id), None)
        self._unpinned.append((account_id, status_id))

    def add_follow(self, follower_id: int, followee_id: int, follow_id: int) -> None:
        """`follow_id`: the follow's own id (its event's position), the follow lists' cursor."""
        self._follows[follower_id, followee_id] = follow_id
        self.count_account(follower_id, following=+1)
        self.count_account(followee_id, followers=+1)

    def delete_follow(self, follower_id: int, followee_id: int) -> None:
        key = (follower_id, followee_id)
        if key in self._follows:
            del self._follows[key]
        else:
            self._unfollowed.append(key)
        self.count_account(follower_id, following=-1)
        self.count_account(followee_id, followers=-1)

    def index_events(self, kinds: list[int], subjects: list[int], positions: list[int]) -> None:
        held = self._index
        held[0].extend(kinds)
        held[1].extend(subjects)
        held[2].extend(positions)

    # Sending

    def reader(self) -> Cursor:
        """A cursor of its own for a statement whose answer is read, after every earlier write
        has been sent.

        In pipeline mode the answers to a cursor's earlier statements can arrive while its next
        one is sent, and fetchone() then returns the last of those instead of waiting for its
        own. A fresh cursor has no earlier answers to mistake for its own.

        Thread cuts and counter changes stay held (no read depends on them, and they commute
        with every other write): a read in the middle of a batch does not write every counter
        the batch changed so far a second time.
        """
        curs = self._cursor()
        self._send_rows(curs)
        return curs.connection.cursor()

    @property
    def curs(self) -> Cursor:
        return self._cursor()

    def flush(self, curs: Cursor | None = None) -> None:
        """Send everything held back (on `curs`, else the batch's cursor)."""
        curs = curs or self._cursor()
        self._send_rows(curs)
        # 4. Thread cuts and counters.
        if self._cuts:
            run_rows(curs, CUT_THREADS, (Int8Column, Int4Column), self._cuts)
        if self._status_counts:
            counts = self._status_counts
            run_rows(curs, FLUSH_STATUS_COUNTERS, STATUS_COUNTER_COLUMNS, keyed(counts))
        if self._account_counts:
            counts = self._account_counts
            run_rows(curs, FLUSH_ACCOUNT_COUNTERS, ACCOUNT_COUNTER_COLUMNS, keyed(counts))
        self._cuts = []
        self._status_counts = defaultdict(lambda: [0, 0, 0])
        self._account_counts = defaultdict(lambda: [0, None, 0, 0])

    def _send_rows(self, curs: Cursor) -> None:
        """Send the changes to earlier rows, the held rows and the other statements."""

        def run(statement: str, kinds: tuple, rows) -> None:  # noqa: ANN001
            run_rows(curs, statement, kinds, rows)

        def run_ids(statement: str, ids: list[int]) -> None:
            curs.execute(statement, (Int8Column(ids),), prepare=True)

        # 1. Changes to rows of earlier batches.
        for statement, ids in (
            (MARK_DELETED, self._deleted),
            (DELETE_REBLOGS_OF, self._reblogs_deleted),
            (FORGET_FAVOURITES, self._forgotten),
            (FORGET_PINS, self._forgotten),
        ):
            if ids:
                run_ids(statement, ids)
        for statement, keys in (
            (DELETE_FAVOURITES, self._unfavourited),
            (UNCOUNT_FAVOURITES, self._uncounted),
            (DELETE_PINS, self._unpinned),
            (DELETE_FOLLOWS, self._unfollowed),
        ):
            if keys:
                run(statement, PAIR, keys)
        # 2. The held rows.
        if self._accounts:
            run(INSERT_ACCOUNTS, ACCOUNT_COLUMNS, self._accounts.values())
        for level in _reply_levels(self._statuses):
            run(INSERT_STATUSES, STATUS_COLUMNS, level)
        if self._wrappers:
            run(INSERT_WRAPPERS, WRAPPER_COLUMNS, self._wrappers.values())
        if self._favourites:
            run(INSERT_FAVOURITES, (Int8Column,) * 3, self._favourites.values())
        if self._pins:
            run(INSERT_PINS, PAIR, self._pins)
        if self._follows:
            follows = [(*key, follow_id) for key, follow_id in self._follows.items()]
            run(INSERT_FOLLOWS, (Int8Column,) * 3, follows)
        if self._index[0]:
            kinds, subjects, positions = self._index
            curs.execute(
                INSERT_EVENT_INDEX,
                (Int2Column(kinds), Int8Column(subjects), Int8Column(positions)),
                prepare=True,
            )
        # 3. Other statements, each table's in event order.
        for table in TABLES:
            statements = self._statements[table]
            if statements:
                send_in_order(curs, statements)
                statements.clear()
        self._clear_rows()


def _reply_levels(statuses: dict[int, list]) -> list[list[list]]:
    """Held status rows in groups that can each be one insert: a reply whose parent is held too
    comes in a later group than its parent (its thread position is read from the parent's row).
    Parents come before their replies in event order."""
    levels: list[list[list]] = []
    level_of: dict[int, int] = {}
    for status_id, row in statuses.items():
        parent = row[STATUS_PARENT]
        level = level_of[parent] + 1 if parent in level_of else 0
        level_of[status_id] = level
        if level == len(levels):
            levels.append([])
        levels[level].append(row)
    return levels
