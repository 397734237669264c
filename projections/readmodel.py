"""The read-model store: tables, their write methods, and the tracking position, on PostgreSQL.

Each write method takes the cursor of the batch's transaction; `record_batch` commits the rows,
the tracking position and the position NOTIFY together, so a batch is applied exactly once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import orjson
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg import Cursor
from psycopg.conninfo import conninfo_to_dict
from psycopg.pq import TransactionStatus
from psycopg.sql import SQL

from projections.schema import (
    DDL,
    POSITION_CHANNEL,
    READ_MODEL_TABLES,
    READ_MODEL_VERSION,
    SCHEMA_LOCK_KEY,
    TOKENS_CHANNEL,
    TRACKED_APPLICATION,
    TRACKING_TABLE,
    VERSION_TABLE,
)

log = logging.getLogger("tootlog.projection")


def datastore_for(database_url: str, pool_size: int = 2) -> PostgresDatastore:
    """A library datastore (connection pool) for a libpq URL."""
    parts = conninfo_to_dict(database_url)
    return PostgresDatastore(
        dbname=str(parts.get("dbname") or parts.get("user") or "postgres"),
        host=str(parts.get("host") or "localhost"),
        port=str(parts.get("port") or "5432"),
        user=str(parts.get("user") or "postgres"),
        password=str(parts.get("password") or ""),
        pool_size=pool_size,
        max_overflow=pool_size,
        idle_in_transaction_session_timeout=30,
    )


def _reader(curs: Cursor) -> Cursor:
    """A cursor of its own, in the batch's transaction, for a statement whose answer is read.

    In pipeline mode the answers to a cursor's earlier statements can arrive while its next one
    is sent, and fetchone() then returns the last of those instead of waiting for its own: a
    projection batch failed now and then ("the last operation didn't produce records") and was
    retried. A fresh cursor has no earlier answers to mistake for its own.
    """
    return curs.connection.cursor()


UNFINISHED = (TransactionStatus.INTRANS, TransactionStatus.INERROR)
# The library's single-row tracking upsert, made to fail (unique violation) rather than return
# no row when the position would not move forward: the failure needs no answer read before
# COMMIT, so the whole batch fits in one round trip.
ADVANCE_TRACKING = (
    f"WITH advanced AS (UPDATE {TRACKING_TABLE} SET notification_id = %(position)s"
    " WHERE application_name = %(name)s AND notification_id < %(position)s RETURNING 1)"
    f" INSERT INTO {TRACKING_TABLE} (application_name, notification_id)"
    " SELECT %(name)s, %(position)s WHERE NOT EXISTS (SELECT 1 FROM advanced)"
)


class ReadModel(PostgresTrackingRecorder):
    """Read-model tables plus the library's single-row tracking table."""

    def __init__(self, datastore: PostgresDatastore) -> None:
        super().__init__(datastore, tracking_table_name=TRACKING_TABLE)
        self.sql_create_statements.extend(SQL(statement) for statement in DDL)  # type: ignore[arg-type]

    def create_table(self) -> None:
        """Create the tables if they are missing. Read models an older tootlog built (another
        READ_MODEL_VERSION) are dropped first with their tracking position, so the worker builds
        them again from the event store: they are derived data, the events are the record."""
        with self.datastore.get_connection() as conn:
            # One process at a time decides and creates (serve, its worker, the CLI start
            # together).
            conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK_KEY,))
            try:
                with conn.transaction(), conn.cursor() as curs:
                    self._drop_outdated(curs)
                super().create_table()
                with conn.transaction(), conn.cursor() as curs:
                    curs.execute(f"DELETE FROM {VERSION_TABLE}")
                    curs.execute(
                        f"INSERT INTO {VERSION_TABLE} (version) VALUES (%s)", (READ_MODEL_VERSION,)
                    )
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK_KEY,))

    def _drop_outdated(self, curs: Cursor) -> None:
        curs.execute(
            "SELECT to_regclass('tootlog_statuses') IS NOT NULL AS built,"
            " to_regclass(%s) IS NOT NULL AS versioned, to_regclass(%s) IS NOT NULL AS tracked",
            (VERSION_TABLE, TRACKING_TABLE),
        )
        found = curs.fetchone()
        built, versioned, tracked = found["built"], found["versioned"], found["tracked"]
        if not built:
            return
        version = 1
        if versioned:
            curs.execute(f"SELECT max(version) AS version FROM {VERSION_TABLE}")
            version = curs.fetchone()["version"] or 1
        if version == READ_MODEL_VERSION:
            return
        log.warning(
            "read models of version %d found (this tootlog builds version %d): dropping them;"
            " the projection worker rebuilds them from the event store",
            version,
            READ_MODEL_VERSION,
        )
        curs.execute(f"DROP TABLE IF EXISTS {', '.join(READ_MODEL_TABLES)}")
        if tracked:
            curs.execute(
                f"DELETE FROM {TRACKING_TABLE} WHERE application_name = %s",
                (TRACKED_APPLICATION,),
            )

    def position(self) -> int:
        """The notification id of the last event applied (0 before the first)."""
        return self.max_tracking_id(TRACKED_APPLICATION) or 0

    @contextmanager
    def batch(self, last_notification_id: int) -> Iterator[Cursor]:
        """One transaction per batch: rows, tracking position and NOTIFY commit together.

        BEGIN, the rows, the position, NOTIFY and COMMIT go out as one pipeline and are read back
        in one round trip. If any statement fails, PostgreSQL skips the rest, COMMIT included,
        and the transaction is rolled back here; a position that does not move forward fails as
        IntegrityError, so a batch is applied exactly once.
        """
        with self.datastore.get_connection() as conn:
            try:
                with conn.pipeline(), conn.cursor() as curs:
                    curs.execute("BEGIN")
                    yield curs
                    curs.execute(
                        ADVANCE_TRACKING,
                        {"name": TRACKED_APPLICATION, "position": last_notification_id},
                        prepare=True,
                    )
                    curs.execute(
                        "SELECT pg_notify(%s, %s)", (POSITION_CHANNEL, str(last_notification_id))
                    )
                    curs.execute("COMMIT")
            finally:
                if conn.info.transaction_status in UNFINISHED:
                    conn.execute("ROLLBACK")

    # Accounts

    def insert_account(
        self,
        curs: Cursor,
        account_id: int,
        username: str,
        email: str | None,
        locked: bool,
        doc: dict,
    ) -> None:
        curs.execute(
            "INSERT INTO tootlog_accounts (id, username, email, locked, doc) "
            "VALUES (%s, %s, %s, %s, %s::json)",
            (account_id, username, email, locked, orjson.dumps(doc).decode()),
            prepare=True,
        )

    def username_of(self, curs: Cursor, account_id: int) -> str:
        with _reader(curs) as reader:
            reader.execute("SELECT username FROM tootlog_accounts WHERE id = %s", (account_id,))
            row = reader.fetchone()
        return row["username"]

    def count_status(self, curs: Cursor, account_id: int, delta: int, day: date | None) -> None:
        """Adjust statuses_count (clamped at 0) and move last_status_at forward."""
        curs.execute(
            "UPDATE tootlog_accounts SET statuses_count = greatest(statuses_count + %s, 0), "
            "last_status_at = greatest(last_status_at, %s::date) WHERE id = %s",
            (delta, day, account_id),
            prepare=True,
        )

    # Statuses

    def insert_status(
        self,
        curs: Cursor,
        *,
        status_id: int,
        account_id: int,
        visibility: str,
        mentions: list[int],
        in_reply_to_id: int | None,
        in_reply_to_account_id: int | None,
        text: str,
        doc: dict,
    ) -> None:
        """Insert a status with its thread position taken from its parent's row, if any."""
        curs.execute(
            "INSERT INTO tootlog_statuses (id, account_id, visibility, mentions, in_reply_to_id,"
            " in_reply_to_account_id, root_id, depth, path, thread_key, gap_depth, text, doc) "
            "SELECT %(id)s, %(account_id)s, %(visibility)s, %(mentions)s, %(parent)s,"
            " %(parent_account)s, coalesce(p.root_id, %(id)s), coalesce(p.depth + 1, 0),"
            " coalesce(p.path, '{}') || %(id)s::bigint,"
            " coalesce(p.thread_key, ''::bytea) || int8send(%(id)s::bigint),"
            " coalesce(CASE WHEN p.deleted THEN p.depth ELSE p.gap_depth END, -1),"
            " %(text)s, %(doc)s::json "
            "FROM (SELECT 1) AS one LEFT JOIN tootlog_statuses p ON p.id = %(parent)s",
            {
                "id": status_id,
                "account_id": account_id,
                "visibility": visibility,
                "mentions": mentions,
                "parent": in_reply_to_id,
                "parent_account": in_reply_to_account_id,
                "text": text,
                "doc": orjson.dumps(doc).decode(),
            },
            prepare=True,
        )

    def count_reply(self, curs: Cursor, status_id: int, delta: int) -> None:
        curs.execute(
            "UPDATE tootlog_statuses SET replies_count = greatest(replies_count + %s, 0) "
            "WHERE id = %s",
            (delta, status_id),
            prepare=True,
        )

    def mark_status_deleted(self, curs: Cursor, status_id: int) -> dict | None:
        """Soft-delete a status; returns the facts the counters need, or None if unknown."""
        with _reader(curs) as reader:
            reader.execute(
                "UPDATE tootlog_statuses SET deleted = true WHERE id = %s AND NOT deleted "
                "RETURNING account_id, visibility, in_reply_to_id, reblog_of_id, depth",
                (status_id,),
                prepare=True,
            )
            return reader.fetchone()

    def cut_thread(self, curs: Cursor, status_id: int, depth: int) -> None:
        """Record that the replies below a deleted status are cut off from the thread above it:
        context walks stop at the gap, as Mastodon's do once the row is gone."""
        curs.execute(
            "UPDATE tootlog_statuses d SET gap_depth = greatest(d.gap_depth, %(depth)s)"
            " FROM tootlog_statuses s WHERE s.id = %(id)s"
            " AND d.thread_key > s.thread_key AND d.thread_key < s.thread_key || '\\x80'::bytea",
            {"id": status_id, "depth": depth},
            prepare=True,
        )

    def delete_reblogs_of(self, curs: Cursor, status_id: int) -> None:
        """Soft-delete every live reblog of a status and uncount them from their authors."""
        curs.execute(
            "WITH gone AS (UPDATE tootlog_statuses SET deleted = true"
            " WHERE reblog_of_id = %s AND NOT deleted RETURNING account_id),"
            " per_account AS (SELECT account_id, count(*) AS n FROM gone GROUP BY account_id)"
            " UPDATE tootlog_accounts a SET statuses_count = greatest(a.statuses_count - p.n, 0)"
            " FROM per_account p WHERE a.id = p.account_id",
            (status_id,),
            prepare=True,
        )

    def forget_interactions_with(self, curs: Cursor, status_id: int) -> None:
        """A deleted status keeps no favourites or pins."""
        curs.execute("DELETE FROM tootlog_favourites WHERE status_id = %s", (status_id,))
        curs.execute("DELETE FROM tootlog_pins WHERE status_id = %s", (status_id,))

    # Reblogs

    def insert_wrapper(
        self,
        curs: Cursor,
        *,
        wrapper_id: int,
        account_id: int,
        visibility: str,
        original_id: int,
        doc: dict,
    ) -> None:
        """A reblog wrapper: a status row of its own, alone in its thread."""
        curs.execute(
            "INSERT INTO tootlog_statuses (id, account_id, visibility, reblog_of_id, root_id,"
            " depth, path, thread_key, text, doc) VALUES (%(id)s, %(account_id)s, %(visibility)s,"
            " %(original)s, %(id)s, 0, ARRAY[%(id)s::bigint], int8send(%(id)s::bigint), '',"
            " %(doc)s::json)",
            {
                "id": wrapper_id,
                "account_id": account_id,
                "visibility": visibility,
                "original": original_id,
                "doc": orjson.dumps(doc).decode(),
            },
            prepare=True,
        )

    def count_reblog(self, curs: Cursor, status_id: int, delta: int) -> None:
        curs.execute(
            "UPDATE tootlog_statuses SET reblogs_count = greatest(reblogs_count + %s, 0) "
            "WHERE id = %s",
            (delta, status_id),
            prepare=True,
        )

    # Favourites

    def insert_favourite(
        self, curs: Cursor, favourite_id: int, account_id: int, status_id: int
    ) -> None:
        curs.execute(
            "WITH added AS (INSERT INTO tootlog_favourites (id, account_id, status_id)"
            " VALUES (%s, %s, %s) ON CONFLICT DO NOTHING RETURNING status_id)"
            " UPDATE tootlog_statuses SET favourites_count = favourites_count + 1"
            " WHERE id IN (SELECT status_id FROM added)",
            (favourite_id, account_id, status_id),
            prepare=True,
        )

    def delete_favourite(self, curs: Cursor, account_id: int, status_id: int) -> None:
        curs.execute(
            "WITH gone AS (DELETE FROM tootlog_favourites WHERE account_id = %s AND status_id = %s"
            " RETURNING status_id)"
            " UPDATE tootlog_statuses SET favourites_count = greatest(favourites_count - 1, 0)"
            " WHERE id IN (SELECT status_id FROM gone)",
            (account_id, status_id),
            prepare=True,
        )

    # Pins

    def insert_pin(self, curs: Cursor, account_id: int, status_id: int) -> None:
        curs.execute(
            "INSERT INTO tootlog_pins (account_id, status_id) VALUES (%s, %s)"
            " ON CONFLICT DO NOTHING",
            (account_id, status_id),
            prepare=True,
        )

    def delete_pin(self, curs: Cursor, account_id: int, status_id: int) -> None:
        curs.execute(
            "DELETE FROM tootlog_pins WHERE account_id = %s AND status_id = %s",
            (account_id, status_id),
            prepare=True,
        )

    # Follows

    def insert_follow(self, curs: Cursor, follower_id: int, followee_id: int) -> None:
        curs.execute(
            "WITH added AS (INSERT INTO tootlog_follows (follower_id, followee_id)"
            " VALUES (%(follower)s, %(followee)s) ON CONFLICT DO NOTHING RETURNING 1)"
            " UPDATE tootlog_accounts SET"
            " following_count = following_count + (id = %(follower)s)::int,"
            " followers_count = followers_count + (id = %(followee)s)::int"
            " WHERE id IN (%(follower)s, %(followee)s) AND EXISTS (SELECT 1 FROM added)",
            {"follower": follower_id, "followee": followee_id},
            prepare=True,
        )

    def delete_follow(self, curs: Cursor, follower_id: int, followee_id: int) -> None:
        curs.execute(
            "WITH gone AS (DELETE FROM tootlog_follows"
            " WHERE follower_id = %(follower)s AND followee_id = %(followee)s RETURNING 1)"
            " UPDATE tootlog_accounts SET"
            " following_count = greatest(following_count - (id = %(follower)s)::int, 0),"
            " followers_count = greatest(followers_count - (id = %(followee)s)::int, 0)"
            " WHERE id IN (%(follower)s, %(followee)s) AND EXISTS (SELECT 1 FROM gone)",
            {"follower": follower_id, "followee": followee_id},
            prepare=True,
        )

    # Tokens

    def insert_token(
        self,
        curs: Cursor,
        token_hash: str,
        account_id: int | None,
        app_id: int | None,
        scopes: list[str],
    ) -> None:
        curs.execute(
            "INSERT INTO tootlog_tokens (token_hash, account_id, app_id, scopes) "
            "VALUES (%s, %s, %s, %s)",
            (token_hash, account_id, app_id, scopes),
            prepare=True,
        )

    def revoke_token(self, curs: Cursor, token_hash: str) -> None:
        """Mark a token revoked and tell API processes to forget it (on commit)."""
        curs.execute(
            "UPDATE tootlog_tokens SET revoked = true WHERE token_hash = %s", (token_hash,)
        )
        curs.execute("SELECT pg_notify(%s, %s)", (TOKENS_CHANNEL, token_hash))

    # Media

    def insert_media(self, curs: Cursor, media_id: int, account_id: int, doc: dict) -> None:
        curs.execute(
            "INSERT INTO tootlog_media (id, account_id, doc) VALUES (%s, %s, %s::jsonb)",
            (media_id, account_id, orjson.dumps(doc).decode()),
            prepare=True,
        )

    def describe_media(
        self, curs: Cursor, media_id: int, description: str | None, focus: dict | None
    ) -> None:
        """Set the document's description and (when given) meta.focus."""
        curs.execute(
            "UPDATE tootlog_media SET doc = doc"
            " || jsonb_build_object('description', %(description)s::text)"
            " || jsonb_build_object('meta', doc->'meta' || CASE WHEN %(focus)s::jsonb IS NULL"
            " THEN '{}'::jsonb ELSE jsonb_build_object('focus', %(focus)s::jsonb) END)"
            " WHERE id = %(id)s",
            {
                "id": media_id,
                "description": description,
                "focus": None if focus is None else orjson.dumps(focus).decode(),
            },
            prepare=True,
        )

    def replace_media_preview(self, curs: Cursor, media_id: int, fields: dict) -> None:
        """Set the document's preview_url, blurhash and meta.small."""
        curs.execute(
            "UPDATE tootlog_media SET doc = doc"
            " || jsonb_build_object('preview_url', %(f)s::jsonb->'preview_url',"
            " 'blurhash', %(f)s::jsonb->'blurhash',"
            " 'meta', doc->'meta' || jsonb_build_object('small', %(f)s::jsonb->'small'))"
            " WHERE id = %(id)s",
            {"id": media_id, "f": orjson.dumps(fields).decode()},
            prepare=True,
        )

    def set_media_status(self, curs: Cursor, media_id: int, status_id: int | None) -> None:
        curs.execute(
            "UPDATE tootlog_media SET status_id = %s WHERE id = %s",
            (status_id, media_id),
            prepare=True,
        )

    def delete_media(self, curs: Cursor, media_id: int) -> None:
        curs.execute("DELETE FROM tootlog_media WHERE id = %s", (media_id,), prepare=True)

    def media_documents(self, curs: Cursor, media_ids: list[int]) -> list[dict]:
        """The documents of `media_ids`, in that order (unknown ids are left out)."""
        if not media_ids:
            return []  # most statuses: no query at all
        with _reader(curs) as reader:
            reader.execute("SELECT id, doc FROM tootlog_media WHERE id = ANY(%s)", (media_ids,))
            docs = {row["id"]: row["doc"] for row in reader.fetchall()}
        return [docs[media_id] for media_id in media_ids if media_id in docs]

    # OAuth apps

    def insert_app(self, curs: Cursor, app_id: int, client_id: str, doc: dict) -> None:
        curs.execute(
            "INSERT INTO tootlog_apps (id, client_id, doc) VALUES (%s, %s, %s::jsonb)",
            (app_id, client_id, orjson.dumps(doc).decode()),
        )
