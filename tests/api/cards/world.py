"""The card tests' world: a real event store with one author, the projection worker, and the card
worker run to completion on demand against the local site."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import psycopg

from api.cards.addresses import AllowList
from api.cards.config import CardSettings
from api.cards.worker import CardWorker
from commands.app import TootlogApplication
from commands.status_edits import edit
from commands.statuses import Publishing, publish
from domain.card import PUBLISHED, StatusCard
from domain.status import Author, Draft, Status
from projections.worker import ProjectionWorker
from tests.link_pages import SITE_HOST
from tests.support import TEST_URLS

SETTINGS = CardSettings(
    allowed=AllowList.parse(SITE_HOST),
    html_providers=frozenset({SITE_HOST}),
    deadline=1.5,
)


@dataclass
class World:
    url: str
    app: TootlogApplication
    projection: ProjectionWorker
    author: Author

    def post(self, text: str) -> int:
        written = publish(self.app, Publishing(TEST_URLS), author=self.author, draft=Draft(text))
        return written.id

    def edit(self, status_id: int, draft: Draft) -> int:
        """Edit the status; the version of its aggregate after the edit (the text version the
        edit gave it, when it changed the text)."""
        edit(
            self.app,
            Publishing(TEST_URLS),
            account_id=self.author.account_id,
            status_id=status_id,
            draft=draft,
        )
        return self.app.repository.get(Status.create_id(status_id)).version

    def run_cards(self, settings: CardSettings = SETTINGS) -> None:
        async def go() -> None:
            worker = CardWorker(self.url, TEST_URLS, settings)
            try:
                await worker.catch_up()
            finally:
                await worker.close()

        asyncio.run(go())
        self.projection.catch_up()

    def events(self, status_id: int, text_version: int = PUBLISHED) -> list:
        return list(self.app.events.get(StatusCard.create_id(status_id, text_version)))

    def outcome(self, status_id: int, text_version: int = PUBLISHED):  # noqa: ANN201
        events = self.events(status_id, text_version)
        assert len(events) == 2, events  # Opened, then Fetched or FetchFailed
        return events[1]

    def card(self, status_id: int) -> dict | None:
        with psycopg.connect(self.url) as conn:
            row = conn.execute(
                "SELECT doc->'card' FROM tootlog_statuses WHERE id = %s", (status_id,)
            ).fetchone()
        return row[0]

    def total_events(self) -> int:
        return self.app.last_position()
