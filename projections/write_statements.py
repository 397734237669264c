"""The set-based statements a projection batch's flush sends (projections/writes.py says in
which order and why it is safe), and the column types of the arrays they take."""

from __future__ import annotations

from projections.arrays import BoolColumn, Int4Column, Int8Column, TextColumn

# 1. Changes to rows of earlier batches.
MARK_DELETED = (
    "UPDATE tootlog_statuses s SET deleted = true"
    " FROM unnest(%b::bigint[]) AS d(id) WHERE s.id = d.id AND NOT s.deleted"
)
# Every live reblog of the statuses, uncounted from their authors. Not clamped at 0: the count may
# not hold yet the reblogs counted in this batch (counter changes come at the end), and the sum is
# what must come out right.
DELETE_REBLOGS_OF = (
    "WITH gone AS (UPDATE tootlog_statuses s SET deleted = true"
    " FROM unnest(%b::bigint[]) AS o(id) WHERE s.reblog_of_id = o.id AND NOT s.deleted"
    " RETURNING s.account_id),"
    " per_account AS (SELECT account_id, count(*) AS n FROM gone GROUP BY account_id)"
    " UPDATE tootlog_accounts a SET statuses_count = a.statuses_count - p.n"
    " FROM per_account p WHERE a.id = p.account_id"
)
# A deleted status keeps no favourites or pins.
FORGET_FAVOURITES = "DELETE FROM tootlog_favourites WHERE status_id = ANY(%b::bigint[])"
FORGET_PINS = "DELETE FROM tootlog_pins WHERE status_id = ANY(%b::bigint[])"
DELETE_FAVOURITES = (
    "DELETE FROM tootlog_favourites f USING unnest(%b::bigint[], %b::bigint[])"
    " AS d(account_id, status_id) WHERE f.account_id = d.account_id AND f.status_id = d.status_id"
)
# Favourites of statuses not known to be live: uncounted only if they were there.
UNCOUNT_FAVOURITES = (
    "WITH gone AS (DELETE FROM tootlog_favourites f USING unnest(%b::bigint[], %b::bigint[])"
    " AS d(account_id, status_id) WHERE f.account_id = d.account_id"
    " AND f.status_id = d.status_id RETURNING f.status_id),"
    " per_status AS (SELECT status_id, count(*) AS n FROM gone GROUP BY status_id)"
    " UPDATE tootlog_statuses s SET favourites_count = s.favourites_count - p.n"
    " FROM per_status p WHERE s.id = p.status_id"
)
DELETE_PINS = (
    "DELETE FROM tootlog_pins p USING unnest(%b::bigint[], %b::bigint[])"
    " AS d(account_id, status_id) WHERE p.account_id = d.account_id AND p.status_id = d.status_id"
)
DELETE_FOLLOWS = (
    "DELETE FROM tootlog_follows f USING unnest(%b::bigint[], %b::bigint[])"
    " AS d(follower_id, followee_id)"
    " WHERE f.follower_id = d.follower_id AND f.followee_id = d.followee_id"
)

# 2. The held rows.
INSERT_ACCOUNTS = (
    "INSERT INTO tootlog_accounts (id, username, email, locked, doc, statuses_count,"
    " last_status_at, following_count, followers_count)"
    " SELECT d.id, d.username, d.email, d.locked, d.doc::json, greatest(d.statuses, 0), d.day,"
    " greatest(d.following, 0), greatest(d.followers, 0)"
    " FROM unnest(%b::bigint[], %b::text[], %b::text[], %b::bool[], %b::text[], %b::int[],"
    " %b::date[], %b::int[], %b::int[])"
    " AS d(id, username, email, locked, doc, statuses, day, following, followers)"
)
# A status with its thread position taken from its parent's row, if any.
INSERT_STATUSES = (
    "INSERT INTO tootlog_statuses (id, account_id, visibility, mentions, in_reply_to_id,"
    " in_reply_to_account_id, root_id, depth, path, thread_key, gap_depth, text, doc, deleted,"
    " replies_count, reblogs_count, favourites_count)"
    " SELECT d.id, d.account_id, d.visibility, d.mentions::bigint[], d.parent, d.parent_account,"
    " coalesce(p.root_id, d.id), coalesce(p.depth + 1, 0), coalesce(p.path, '{}') || d.id,"
    " coalesce(p.thread_key, ''::bytea) || int8send(d.id),"
    " coalesce(CASE WHEN p.deleted THEN p.depth ELSE p.gap_depth END, -1), d.text, d.doc::json,"
    " d.deleted, greatest(d.replies, 0), greatest(d.reblogs, 0), greatest(d.favourites, 0)"
    " FROM unnest(%b::bigint[], %b::bigint[], %b::text[], %b::text[], %b::bigint[],"
    " %b::bigint[], %b::text[], %b::text[], %b::bool[], %b::int[], %b::int[], %b::int[])"
    " AS d(id, account_id, visibility, mentions, parent, parent_account, text, doc, deleted,"
    " replies, reblogs, favourites)"
    " LEFT JOIN tootlog_statuses p ON p.id = d.parent"
)
# A reblog wrapper: a status row of its own, alone in its thread.
INSERT_WRAPPERS = (
    "INSERT INTO tootlog_statuses (id, account_id, visibility, reblog_of_id, root_id, depth,"
    " path, thread_key, text, doc, deleted, replies_count, reblogs_count, favourites_count)"
    " SELECT d.id, d.account_id, d.visibility, d.original, d.id, 0, ARRAY[d.id],"
    " int8send(d.id), '', d.doc::json, d.deleted, greatest(d.replies, 0),"
    " greatest(d.reblogs, 0), greatest(d.favourites, 0)"
    " FROM unnest(%b::bigint[], %b::bigint[], %b::text[], %b::bigint[], %b::text[],"
    " %b::bool[], %b::int[], %b::int[], %b::int[])"
    " AS d(id, account_id, visibility, original, doc, deleted, replies, reblogs, favourites)"
)
INSERT_FAVOURITES = (
    "INSERT INTO tootlog_favourites (id, account_id, status_id)"
    " SELECT * FROM unnest(%b::bigint[], %b::bigint[], %b::bigint[])"
)
# The aggregate allows one pin of a status at a time; a pin already there is left as it is.
INSERT_PINS = (
    "INSERT INTO tootlog_pins (account_id, status_id)"
    " SELECT * FROM unnest(%b::bigint[], %b::bigint[]) ON CONFLICT DO NOTHING"
)
INSERT_FOLLOWS = (
    "INSERT INTO tootlog_follows (follower_id, followee_id, id)"
    " SELECT * FROM unnest(%b::bigint[], %b::bigint[], %b::bigint[])"
)
INSERT_EVENT_INDEX = (
    "INSERT INTO tootlog_event_index (kind, subject, position)"
    " SELECT * FROM unnest(%b::smallint[], %b::bigint[], %b::bigint[])"
)

# 4. Thread cuts: every row below a deleted status gets at least its depth as its gap (the
# deepest cut above a row wins, whichever batch or order they came in).
CUT_THREADS = (
    "UPDATE tootlog_statuses d SET gap_depth = c.depth"
    " FROM (SELECT below.id, max(cut.depth) AS depth"
    " FROM unnest(%b::bigint[], %b::int[]) AS cut(id, depth)"
    " JOIN tootlog_statuses s ON s.id = cut.id"
    " JOIN tootlog_statuses below ON below.thread_key > s.thread_key"
    " AND below.thread_key < s.thread_key || '\\x80'::bytea"
    " GROUP BY below.id) AS c"
    " WHERE d.id = c.id AND d.gap_depth < c.depth"
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

# The column types of the statements' arrays.
PAIR = (Int8Column, Int8Column)
ACCOUNT_COLUMNS = (
    Int8Column,
    TextColumn,
    TextColumn,
    BoolColumn,
    TextColumn,
    Int4Column,
    None,  # last_status_at: dates, dumped by psycopg (few)
    Int4Column,
    Int4Column,
)
STATUS_COLUMNS = (
    Int8Column,
    Int8Column,
    TextColumn,
    TextColumn,
    Int8Column,
    Int8Column,
    TextColumn,
    TextColumn,
    BoolColumn,  # deleted
    Int4Column,
    Int4Column,
    Int4Column,
)
WRAPPER_COLUMNS = (
    Int8Column,
    Int8Column,
    TextColumn,
    Int8Column,
    TextColumn,
    BoolColumn,  # deleted
    Int4Column,
    Int4Column,
    Int4Column,
)
STATUS_COUNTER_COLUMNS = (Int8Column, Int4Column, Int4Column, Int4Column)
ACCOUNT_COUNTER_COLUMNS = (Int8Column, Int4Column, None, Int4Column, Int4Column)
