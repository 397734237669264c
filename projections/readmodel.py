"""The read-model store: tables, their write methods, and the tracking position, on PostgreSQL.

Each write method takes the cursor of the batch's transaction; `record_batch` commits the rows,
the tracking position and the position NOTIFY together, so a batch is applied exactly once.
"""

from __future__ import annotations

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
    TOKENS_CHANNEL,
    TRACKED_APPLICATION,
    TRACKING_TABLE,
)


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
            "VALUES (%s, %s, %s, %s, %s::jsonb)",
            (account_id, username, email, locked, orjson.dumps(doc).decode()),
            prepare=True,
        )

    def username_of(self, curs: Cursor, account_id: int) -> str:
        curs.execute("SELECT username FROM tootlog_accounts WHERE id = %s", (account_id,))
        row = curs.fetchone()
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
            " in_reply_to_account_id, root_id, depth, path, text, doc) "
            "SELECT %(id)s, %(account_id)s, %(visibility)s, %(mentions)s, %(parent)s,"
            " %(parent_account)s, coalesce(p.root_id, %(id)s), coalesce(p.depth + 1, 0),"
            " coalesce(p.path, '{}') || %(id)s::bigint, %(text)s, %(doc)s::jsonb "
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
        curs.execute(
            "UPDATE tootlog_statuses SET deleted = true WHERE id = %s AND NOT deleted "
            "RETURNING account_id, visibility, in_reply_to_id",
            (status_id,),
            prepare=True,
        )
        return curs.fetchone()

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
