"""The read side the API calls: one class made of the reads of each thing, by module.

- tokens: projections/token_reads.py
- statuses by id, context, the answers of writes: projections/status_reads.py
- an account's statuses and pins: projections/account_statuses.py
- the viewer's bookmarks: projections/bookmark_reads.py
- accounts, relationships, rebloggers and favouriters: projections/account_reads.py
- apps and instance counts: projections/instance_reads.py
- markers: projections/markers.py
- notifications: projections/notification_reads.py, grouped: projections/notification_groups.py
- a status's edit history and source: projections/status_edits.py
- polls: projections/poll_reads.py
- scheduled statuses: projections/scheduled.py
- timelines (home, public, hashtag) and favourites: projections/timelines.py
- search (accounts, hashtags, statuses): projections/search.py
- followers, follows, accounts by id, the Tag entity: projections/account_lists.py
- the row every status read selects, and how it renders: projections/status_rows.py
- pages of lists: projections/pages.py

Each answer is one or two indexed queries over rows that carry their pre-rendered JSON.
"""

from __future__ import annotations

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from projections.account_lists import AccountListReads
from projections.account_reads import AccountReads
from projections.account_statuses import AccountStatusReads
from projections.bookmark_reads import BookmarkReads
from projections.datastore import KEY_LOOKUPS_ONLY
from projections.instance_reads import InstanceReads
from projections.markers import MarkerReads
from projections.notification_groups import NotificationGroupReads
from projections.poll_reads import PollReads
from projections.scheduled import ScheduledReads
from projections.search import SearchReads
from projections.status_edits import StatusEditReads
from projections.timelines import TimelineReads
from projections.token_reads import TokenReads


async def configure_connection(conn: AsyncConnection) -> None:
    """Settings of every connection of the read pool (its `configure` callback).

    Generic plans for the prepared read statements: their best plan does not depend on the
    values (an index on what the WHERE names, then LIMIT). With custom plans PostgreSQL planned
    every execution again (0.3 ms), and for a status holding most of the table's reblogs it
    chose to walk the primary key backwards: reblogged_by cost 1.3 ms in PostgreSQL instead of
    0.25 ms.

    A generic plan is made when a connection first runs the statement, and kept: on a new
    server, with tables of a few rows, that was a sequential scan, which every read then paid
    for as the tables grew (the read-back of a POST's status walked the whole statuses table:
    0.68 ms and 935 buffers a read, 20,000 statuses in). So the read pool, like the projection,
    plans key lookups only, and keeps one generic plan per statement (KEY_LOOKUPS_ONLY).
    """
    await conn.execute("; ".join(KEY_LOOKUPS_ONLY))


def read_pool(url: str, min_size: int, max_size: int) -> AsyncConnectionPool:
    """A pool for reading the read models of `url` (opened by the caller): autocommit, as reads
    need no COMMIT round trip, and each connection set up by configure_connection."""
    return AsyncConnectionPool(
        url,
        min_size=min_size,
        max_size=max_size,
        kwargs={"autocommit": True},
        configure=configure_connection,
        open=False,
    )


class Queries(
    TokenReads,
    AccountStatusReads,
    SearchReads,
    TimelineReads,
    BookmarkReads,
    PollReads,
    ScheduledReads,
    AccountReads,
    AccountListReads,
    InstanceReads,
    MarkerReads,
    StatusEditReads,
    NotificationGroupReads,
):
    """Async read access to the read models."""
