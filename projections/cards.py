"""Link preview cards on the read side: the PreviewCard JSON and the rows that hold it.

The card is rendered once, here, from the CardFetched event; the same document is stored in
`tootlog_cards` and spliced into the status's own document, so every rendering of the status
(single, context, lists, a reblog's nested original) carries it with no extra read. An edit that
changes the text takes the card out until the new text's outcome arrives; `tootlog_cards`
remembers which text version the status shows the card of, so an outcome for an older text is
never shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from psycopg_pool import AsyncConnectionPool

from projections.writes import Writes

# Outcome counters: pages fetched (kind 'fetch', one per network fetch of a URL) and statuses
# given their card outcome (kind 'status', a fetch shared by several statuses counts for each).
FETCH, STATUS = "fetch", "status"
CARD, NONE = "card", "none"


def card_document(event) -> dict:  # noqa: ANN001  (StatusCard.Fetched)
    """REST::PreviewCardSerializer (4.3) for a fetched card."""
    return {
        "url": event.url,
        "title": event.title,
        "description": event.description,
        "language": event.language,
        "type": event.type,
        "author_name": event.author_name,
        "author_url": event.author_url,
        "provider_name": event.provider_name,
        "provider_url": event.provider_url,
        "html": event.html,
        "width": event.width,
        "height": event.height,
        "image": event.image,
        "image_description": event.image_description,
        "embed_url": event.embed_url,
        "blurhash": event.blurhash,
        "published_at": event.published_at,
        "authors": [{"name": event.author_name, "url": event.author_url, "account": None}]
        if event.author_name
        else [],
    }


# The card's row, and the card in the status's document (a status with media keeps `card: null`:
# Mastodon never shows a card beside media). Both only when the card is of the text the status
# has now: an outcome for a text an edit has since replaced (recorded after the edit) is not
# shown.
INSERT_CARD = (
    "INSERT INTO tootlog_cards (status_id, text_version, url, doc)"
    " VALUES (%s, %s, %s, %s::jsonb)"
    " ON CONFLICT (status_id) DO UPDATE SET url = excluded.url, doc = excluded.doc"
    " WHERE tootlog_cards.text_version = excluded.text_version"
)
SET_STATUS_CARD = (
    "UPDATE tootlog_statuses SET doc = jsonb_set(doc::jsonb, '{card}', %s::jsonb)::json"
    " WHERE id = %s AND json_array_length(doc->'media_attachments') = 0"
    " AND EXISTS (SELECT FROM tootlog_cards WHERE status_id = %s AND text_version = %s)"
)
# An edit that changes the text resets the card (UpdateStatusService#reset_preview_card!): the
# status shows none until the new text's outcome arrives.
RESET_CARD = (
    "INSERT INTO tootlog_cards (status_id, text_version, url, doc) VALUES (%s, %s, NULL, NULL)"
    " ON CONFLICT (status_id) DO UPDATE"
    " SET text_version = excluded.text_version, url = NULL, doc = NULL"
)
CLEAR_STATUS_CARD = (
    "UPDATE tootlog_statuses SET doc = jsonb_set(doc::jsonb, '{card}', 'null')::json WHERE id = %s"
)


COUNT_OUTCOME = (
    "INSERT INTO tootlog_card_outcomes (kind, outcome, count) VALUES (%s, %s, 1)"
    " ON CONFLICT (kind, outcome) DO UPDATE SET count = tootlog_card_outcomes.count + 1"
)


class CardReadModel:
    """Writes of the card read model, in the projection batch's transaction (with the
    statuses' writes, so after the status's own insert)."""

    def count_outcome(self, writes: Writes, kind: str, outcome: str) -> None:
        writes.write("statuses", COUNT_OUTCOME, (kind, outcome))

    def record_card(
        self, writes: Writes, status_id: int, text_version: int, url: str, doc: dict
    ) -> None:
        """Store the card of a version of the status's text and, when the status still has
        that text, put it in the status's document."""
        text = orjson.dumps(doc).decode()
        writes.write("statuses", INSERT_CARD, (status_id, text_version, url, text))
        writes.write("statuses", SET_STATUS_CARD, (text, status_id, status_id, text_version))

    def reset_card(self, writes: Writes, status_id: int, text_version: int) -> None:
        """The status's text is now `text_version`: no card until that text's outcome."""
        writes.write("statuses", RESET_CARD, (status_id, text_version))
        writes.write("statuses", CLEAR_STATUS_CARD, (status_id,))


@dataclass(frozen=True)
class CardOutcome:
    kind: str
    outcome: str
    count: int


async def card_outcomes(pool: AsyncConnectionPool, timeout: float) -> list[CardOutcome]:
    """The outcome counters, as the log has them (for /metrics: the card worker is another
    process, perhaps on another host, and its fetches are events)."""
    async with pool.connection(timeout=timeout) as conn:
        cur = await conn.execute(
            "SELECT kind, outcome, count FROM tootlog_card_outcomes ORDER BY kind, outcome"
        )
        return [CardOutcome(*row) for row in await cur.fetchall()]
