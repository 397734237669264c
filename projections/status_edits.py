"""Status edits on the read side: the edit's writes (the status's new document, its versions in
`tootlog_status_edits`), and the reads of a status's history and source.

A version row holds what the log recorded of it (text, CW, sensitive, its media and their alt
texts at the time, its poll's options); the StatusEdit JSON is rendered from it when read, as
Mastodon renders its `status_edits` rows. The first edit also records the version before it (the
Edited event carries it), so a status never edited has no rows and its one version is the status
itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from domain import text as texts
from domain.ids import format_datetime, snowflake_time
from domain.urls import Urls
from projections.documents import edited_fields
from projections.reads import Reads
from projections.writes import Writes

INSERT_VERSION = (
    "INSERT INTO tootlog_status_edits (status_id, seq, account_id, created_at, text,"
    " spoiler_text, sensitive, media_ids, media_descriptions, poll_options)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
# The new fields go into the stored document; the mentions that decide who sees the status only
# grow (a mention an edit removes turns silent in Mastodon and keeps its access).
# A status with a poll has no `poll` in its document (it is rendered from the poll's row), one
# without has `"poll": null`: an edit that adds or removes the poll drops or sets the key.
EDIT_STATUS = (
    "UPDATE tootlog_statuses"
    " SET doc = ((doc::jsonb - %(drop)s::text[]) || %(fields)s::jsonb)::json, text = %(text)s,"
    " mentions = mentions || ARRAY(SELECT m FROM unnest(%(mentions)s::bigint[])"
    " WITH ORDINALITY AS u(m, n) WHERE m <> ALL(mentions) ORDER BY n)"
    " WHERE id = %(id)s"
)


class StatusEditsReadModel:
    """Writes of an edit, in the projection batch's transaction (with the statuses' writes, so
    after the status's own insert)."""

    def record_edit(
        self,
        writes: Writes,
        urls: Urls,
        event,
        media_documents: list[dict],  # noqa: ANN001
    ) -> None:
        """Apply a Status.Edited event: its versions, then the status's document."""
        status_id = event.status_id
        previous = event.previous
        if previous is not None:
            created = format_datetime(snowflake_time(status_id))
            writes.write(
                "statuses",
                INSERT_VERSION,
                _version(status_id, 0, event.account_id, created, previous),
            )
        edited_at = format_datetime(event.timestamp)
        version = {
            "text": event.text,
            "spoiler_text": event.spoiler_text,
            "sensitive": event.sensitive,
            "media_ids": event.media_ids,
            "media_descriptions": event.media_descriptions,
            "poll_options": event.poll["options"] if event.poll_edited and event.poll else None,
        }
        writes.write(
            "statuses",
            INSERT_VERSION,
            _version(status_id, event.originator_version, event.account_id, edited_at, version),
        )
        fields = {**edited_fields(urls, event, media_documents), "edited_at": edited_at}
        drop = []
        if event.poll_edited and event.poll is None:
            fields["poll"] = None
        elif event.poll_edited:
            drop = ["poll"]
        writes.write(
            "statuses",
            EDIT_STATUS,
            {
                "drop": drop,
                "fields": orjson.dumps(fields).decode(),
                "text": event.text,
                "mentions": [m["id"] for m in event.mentions],
                "id": status_id,
            },
        )


def _version(status_id: int, seq: int, account_id: int, created_at: str, version: dict) -> tuple:
    return (
        status_id,
        seq,
        account_id,
        created_at,
        version["text"],
        version["spoiler_text"],
        version["sensitive"],
        version["media_ids"],
        version["media_descriptions"],
        version.get("poll_options"),  # absent from versions recorded before editable polls
    )


VERSIONS = (
    "SELECT account_id, created_at, text, spoiler_text, sensitive, media_ids,"
    " media_descriptions, poll_options FROM tootlog_status_edits WHERE status_id = %s"
    " ORDER BY seq"
)
# A status never edited is its one version (Mastodon's build_snapshot); so is a reblog wrapper.
UNEDITED = (
    "SELECT account_id, doc->>'created_at', text, doc->>'spoiler_text',"
    " (doc->>'sensitive')::boolean,"
    " ARRAY(SELECT (m->>'id')::bigint FROM json_array_elements(doc->'media_attachments') m),"
    " ARRAY(SELECT m->>'description' FROM json_array_elements(doc->'media_attachments') m),"
    " (SELECT options FROM tootlog_polls WHERE status_id = tootlog_statuses.id)"
    " FROM tootlog_statuses WHERE id = %s"
)
SOURCE = "SELECT text, doc->>'spoiler_text' FROM tootlog_statuses WHERE id = %s"


class StatusEditReads(Reads):
    """A status's history and source (visibility as GET /api/v1/statuses/:id)."""

    async def history(self, status_id: int, urls: Urls) -> bytes:
        """REST::StatusEditSerializer for each version, oldest first (the caller has checked
        that the status is visible)."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(VERSIONS, (status_id,))
            rows = await cur.fetchall()
            if not rows:
                cur = await conn.execute(UNEDITED, (status_id,))
                rows = await cur.fetchall()
            account_ids = list({row[0] for row in rows})
            media_ids = list({i for row in rows for i in row[5] or ()})
            cur = await conn.execute(
                "SELECT id, username, rendered FROM tootlog_accounts WHERE id = ANY(%s)",
                (account_ids,),
            )
            accounts = {row[0]: (row[1], row[2]) for row in await cur.fetchall()}
            media: dict[int, dict] = {}
            if media_ids:
                cur = await conn.execute(
                    "SELECT id, doc FROM tootlog_media WHERE id = ANY(%s)", (media_ids,)
                )
                media = {row[0]: row[1] for row in await cur.fetchall()}
        return orjson.dumps([status_edit(row, accounts, media, urls) for row in rows])

    async def source(self, status_id: int) -> bytes | None:
        """REST::StatusSourceSerializer: the text and CW as written (the caller has checked
        that the status is visible)."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(SOURCE, (status_id,))
            row = await cur.fetchone()
        if row is None:
            return None
        return orjson.dumps({"id": str(status_id), "text": row[0], "spoiler_text": row[1]})


def status_edit(
    row: Sequence, accounts: dict[int, tuple[str, str]], media: dict[int, dict], urls: Urls
) -> dict:
    """One StatusEdit. Its content is rendered as Mastodon renders an edit's: the only account
    its formatter knows is the author's, so mentions of anyone else are plain text. Its media are
    the attachments as they are now, with the alt text of that version."""
    account_id, created_at, text, spoiler_text, sensitive, media_ids, descriptions, poll = row
    username, account = accounts[account_id]
    content = texts.render_html(
        text, mentions={username.lower(): urls.profile(username)}, tag_base_url=urls.tags
    )
    attachments = [
        {**media[media_id], "description": description}
        for media_id, description in zip(media_ids or (), descriptions or (), strict=False)
        if media_id in media
    ]
    edit = {
        "content": content,
        "spoiler_text": spoiler_text,
        "sensitive": sensitive,
        "created_at": created_at,
        "account": orjson.Fragment(account),
        "media_attachments": attachments,
        "emojis": [],
    }
    if poll:  # StatusEditSerializer: only for a version with a poll
        edit["poll"] = {"options": [{"title": title} for title in poll]}
    return edit
