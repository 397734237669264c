"""The read-model store's rows: the write methods the projector calls (tables, their creation and
the tracking position: projections.tables; the batch's transaction: projections.batch).

Each write method takes the batch's Writes (projections.writes: statements held back and sent
together); `batch` commits the rows, the tracking position and the position NOTIFY together, so a
batch is applied exactly once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

import orjson

from projections.batch import Batch
from projections.schema import (
    TOKENS_CHANNEL,
)
from projections.tables import ReadModelTables
from projections.writes import Writes

log = logging.getLogger("tootlog.projection")


class ReadModel(ReadModelTables):
    """The read models' rows: the write methods the projector calls, in batches."""

    def open_batch(
        self, previous: int, last: int, before_open: Callable[[], None] | None = None
    ) -> Batch:
        """A batch of events after `previous` up to `last` (see Batch); `before_open` is called
        before it first needs its connection."""
        return Batch(self, previous, last, before_open)

    @contextmanager
    def batch(self, previous: int, last: int) -> Iterator[Writes]:
        """Apply a batch of the main read models in the `with` block; it commits when the block
        ends (see Batch). The home feeds are left as they are."""
        batch = self.open_batch(previous, last)
        try:
            yield batch.writes
        except BaseException:
            batch.abandon()
            raise
        batch.commit(feed=False)

    # The event index

    def index_events(
        self, writes: Writes, kinds: list[int], subjects: list[int], positions: list[int]
    ) -> None:
        """Record which events concern which statuses and accounts (projections.event_index)."""
        writes.index_events(kinds, subjects, positions)

    # Accounts

    def insert_account(
        self,
        writes: Writes,
        account_id: int,
        username: str,
        email: str | None,
        locked: bool,
        doc: dict,
    ) -> None:
        writes.add_account(account_id, username, email, locked, orjson.dumps(doc).decode())

    def update_profile(self, writes: Writes, account_id: int, fields: dict, note: str) -> None:
        """Set the Account keys a profile change sets, keeping the document's key order, and
        the note as written (CredentialAccount's source)."""
        with writes.reader() as reader:
            reader.execute("SELECT doc::text FROM tootlog_accounts WHERE id = %s", (account_id,))
            row = reader.fetchone()
        doc = {**orjson.loads(next(iter(row.values()))), **fields}
        writes.write(
            "accounts",
            "UPDATE tootlog_accounts SET doc = %s::json, note = %s WHERE id = %s",
            (orjson.dumps(doc).decode(), note, account_id),
        )

    def username_of(self, writes: Writes, account_id: int) -> str:
        with writes.reader() as reader:
            reader.execute("SELECT username FROM tootlog_accounts WHERE id = %s", (account_id,))
            row = reader.fetchone()
        return row["username"]

    def count_status(self, writes: Writes, account_id: int, delta: int, day: date | None) -> None:
        """Adjust statuses_count (clamped at 0) and move last_status_at forward."""
        writes.count_account(account_id, delta, day)

    # Statuses

    def insert_status(
        self,
        writes: Writes,
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
        writes.add_status(
            status_id,
            account_id,
            visibility,
            "{" + ",".join(map(str, mentions)) + "}",
            in_reply_to_id,
            in_reply_to_account_id,
            text,
            orjson.dumps(doc).decode(),
        )

    def count_reply(self, writes: Writes, status_id: int, delta: int) -> None:
        writes.count_status(status_id, replies=delta)

    def mark_status_deleted(self, writes: Writes, status_id: int) -> dict | None:
        """Soft-delete a status; returns the facts the counters need, or None if unknown."""
        with writes.reader() as reader:
            reader.execute(
                "UPDATE tootlog_statuses SET deleted = true WHERE id = %s AND NOT deleted"
                " RETURNING account_id, visibility, in_reply_to_id, reblog_of_id, depth",
                (status_id,),
                prepare=True,
            )
            return reader.fetchone()

    def mark_deleted(self, writes: Writes, status_id: int) -> None:
        """Soft-delete a status whose facts the projector already knows (no answer to read)."""
        writes.mark_deleted(status_id)

    def cut_thread(self, writes: Writes, status_id: int, depth: int) -> None:
        """Record that the replies below a deleted status are cut off from the thread above it:
        context walks stop at the gap, as Mastodon's do once the row is gone."""
        writes.cut_thread(status_id, depth)

    def delete_reblogs_of(self, writes: Writes, status_id: int) -> None:
        """Soft-delete every live reblog of a status and uncount them from their authors."""
        writes.delete_reblogs_of(status_id)

    def forget_interactions_with(self, writes: Writes, status_id: int) -> None:
        """A deleted status keeps no favourites or pins."""
        writes.forget_interactions_with(status_id)

    # Reblogs

    def insert_wrapper(
        self,
        writes: Writes,
        *,
        wrapper_id: int,
        account_id: int,
        visibility: str,
        original_id: int,
        doc: dict,
    ) -> None:
        """A reblog wrapper: a status row of its own, alone in its thread."""
        writes.add_wrapper(
            wrapper_id, account_id, visibility, original_id, orjson.dumps(doc).decode()
        )

    def count_reblog(self, writes: Writes, status_id: int, delta: int) -> None:
        writes.count_status(status_id, reblogs=delta)

    # Favourites

    def insert_favourite(
        self, writes: Writes, favourite_id: int, account_id: int, status_id: int
    ) -> None:
        writes.add_favourite(favourite_id, account_id, status_id)

    def delete_favourite(
        self, writes: Writes, account_id: int, status_id: int, *, present: bool
    ) -> None:
        """Remove a favourite. `present`: the row is known to be there (its status was not
        deleted, which takes its favourites); else it is uncounted only if it was."""
        writes.delete_favourite(account_id, status_id, present=present)

    # Pins

    def insert_pin(self, writes: Writes, account_id: int, status_id: int) -> None:
        writes.add_pin(account_id, status_id)

    def delete_pin(self, writes: Writes, account_id: int, status_id: int) -> None:
        writes.delete_pin(account_id, status_id)

    # Follows

    def insert_follow(
        self, writes: Writes, follower_id: int, followee_id: int, follow_id: int
    ) -> None:
        """`follow_id`: the Followed event's position, the follow lists' page cursor."""
        writes.add_follow(follower_id, followee_id, follow_id)

    def delete_follow(self, writes: Writes, follower_id: int, followee_id: int) -> None:
        writes.delete_follow(follower_id, followee_id)

    # Tokens

    def insert_token(
        self,
        writes: Writes,
        token_hash: str,
        account_id: int | None,
        app_id: int | None,
        scopes: list[str],
    ) -> None:
        writes.write(
            "tokens",
            "INSERT INTO tootlog_tokens (token_hash, account_id, app_id, scopes) "
            "VALUES (%s, %s, %s, %s)",
            (token_hash, account_id, app_id, scopes),
        )

    def revoke_token(self, writes: Writes, token_hash: str) -> None:
        """Mark a token revoked and tell API processes to forget it (on commit)."""
        writes.write(
            "tokens",
            "UPDATE tootlog_tokens SET revoked = true WHERE token_hash = %s",
            (token_hash,),
        )
        if self.live:
            writes.write("tokens", "SELECT pg_notify(%s, %s)", (TOKENS_CHANNEL, token_hash))

    # Media

    def insert_media(self, writes: Writes, media_id: int, account_id: int, doc: dict) -> None:
        writes.write(
            "media",
            "INSERT INTO tootlog_media (id, account_id, doc) VALUES (%s, %s, %s::jsonb)",
            (media_id, account_id, orjson.dumps(doc).decode()),
        )

    def describe_media(
        self, writes: Writes, media_id: int, description: str | None, focus: dict | None
    ) -> None:
        """Set the document's description and (when given) meta.focus."""
        writes.write(
            "media",
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
        )

    def replace_media_preview(self, writes: Writes, media_id: int, fields: dict) -> None:
        """Set the document's preview_url, blurhash and meta.small."""
        writes.write(
            "media",
            "UPDATE tootlog_media SET doc = doc"
            " || jsonb_build_object('preview_url', %(f)s::jsonb->'preview_url',"
            " 'blurhash', %(f)s::jsonb->'blurhash',"
            " 'meta', doc->'meta' || jsonb_build_object('small', %(f)s::jsonb->'small'))"
            " WHERE id = %(id)s",
            {"id": media_id, "f": orjson.dumps(fields).decode()},
        )

    def set_media_status(self, writes: Writes, media_id: int, status_id: int | None) -> None:
        writes.write(
            "media", "UPDATE tootlog_media SET status_id = %s WHERE id = %s", (status_id, media_id)
        )

    def delete_media(self, writes: Writes, media_id: int) -> None:
        writes.write("media", "DELETE FROM tootlog_media WHERE id = %s", (media_id,))

    def media_documents(self, writes: Writes, media_ids: list[int]) -> list[dict]:
        """The documents of `media_ids`, in that order (unknown ids are left out)."""
        if not media_ids:
            return []  # most statuses: no query at all
        with writes.reader() as reader:
            reader.execute("SELECT id, doc FROM tootlog_media WHERE id = ANY(%s)", (media_ids,))
            docs = {row["id"]: row["doc"] for row in reader.fetchall()}
        return [docs[media_id] for media_id in media_ids if media_id in docs]

    # OAuth apps

    def insert_app(self, writes: Writes, app_id: int, client_id: str, doc: dict) -> None:
        writes.write(
            "apps",
            "INSERT INTO tootlog_apps (id, client_id, doc) VALUES (%s, %s, %s::jsonb)",
            (app_id, client_id, orjson.dumps(doc).decode()),
        )
