"""The card worker: follows the event store and records a card outcome for each new status
and for each edit that changes a status's text.

It reads StatusPublished events and the StatusEdited events that changed the text, in order,
and gives each such text with an eligible link a task of its own: plan (already recorded? a
later edit or a deletion? fetched less than a period ago?), fetch when needed, record the
outcome as events. Fetches run at most `concurrency` at once and `per_host` at once per host, so a
slow or dead site holds up only its own statuses; in-flight fetches of one URL are shared.

Exactly once and restart-safe: the worker's position (its row `tootlog_cards` in the tracking
table) only moves past a text once that text's outcome is recorded, and an outcome is an
aggregate keyed by the status and its text version, so work repeated after a restart finds it
and stops. One worker per database works (a PostgreSQL advisory lock); others wait. It writes
only events: the projection worker turns them into the read models, as for every other event.
Its position and its lock are in the event store's database, with the events it reads and
writes, also when the read models have a database of their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, TypeVar
from urllib.parse import urlsplit

import psycopg
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.utils import resolve_topic

from api.cards.addresses import Refused
from api.cards.config import CardSettings
from api.cards.fetch import Fetcher, FetchFailed
from api.cards.parse import Document, NoCard, from_oembed, from_page
from commands import cards as commands
from commands.app import TootlogApplication
from commands.cards import Outcome
from commands.images import image_facts
from domain.card import CardText, Preview, card_link, card_text
from domain.codec import make_mapper
from domain.errors import Unprocessable
from domain.status import Status
from domain.urls import Urls
from projections.schema import EVENTS_CHANNEL, TRACKING_TABLE
from projections.worker import worker_is_running

log = logging.getLogger("tootlog.cards")
T = TypeVar("T")

# The card worker's row in the tracking table, and the advisory lock its active instance holds.
CARDS_APPLICATION = "tootlog_cards"
# "tootlogc": far from the keys projections/schema.py counts up from "tootlog".
CARDS_LOCK_KEY = 0x746F6F746C6F6763
BATCH = 500
# How long the worker lets new commits gather after being woken, before reading them.
GATHER_SECONDS = 0.1
DB_CONNECTIONS = 1
# Fetches (in flight or done) this worker remembers, to share them without a database read.
REMEMBERED_FETCHES = 10_000
# The events that give a status a text to preview: its publication, an edit (if it changed it).
TEXT_EVENTS = (Status.Published, Status.Edited)
# Statuses read ahead of the oldest one still waiting for its outcome.
MAX_PENDING = 2000
OEMBED_TYPES = ("application/json", "application/json+oembed", "text/json")
# A card's image: Mastodon's PreviewCard types and size limit.
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
MAX_IMAGE_BYTES = 2 * 1024 * 1024
SAVE_POSITION = (
    f"INSERT INTO {TRACKING_TABLE} (application_name, notification_id) VALUES (%s, %s)"
    f" ON CONFLICT (application_name) DO UPDATE SET notification_id = excluded.notification_id"
    f" WHERE {TRACKING_TABLE}.notification_id < excluded.notification_id"
)


class CardWorker:
    """Records a card (or why there is none) for every new status that links a page."""

    def __init__(
        self, database_url: str, urls: Urls, settings: CardSettings, idle_poll: float = 1.0
    ) -> None:
        self.database_url = database_url
        self.urls = urls
        self.settings = settings
        self.idle_poll = idle_poll
        # One connection (and the listener's): the worker's database work is small, and
        # PostgreSQL's connection slots are shared with everything else. Every call goes through
        # `_db`, one thread per pooled connection, so no call ever waits for the pool.
        self.write_model = TootlogApplication(database_url, pool_size=DB_CONNECTIONS)
        self._db_threads = ThreadPoolExecutor(DB_CONNECTIONS, thread_name_prefix="cards-db")
        self.mapper = make_mapper()
        self.fetcher: Fetcher | None = None
        self.position = 0  # committed: every status at or before it has its outcome
        self._read = 0  # the last notification read
        self._pending: dict[int, asyncio.Task] = {}
        self._inflight: dict[str, asyncio.Future[Outcome]] = {}
        self._hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(settings.per_host)
        )
        self._fetches = asyncio.Semaphore(settings.concurrency)
        self._room = asyncio.Semaphore(MAX_PENDING)
        self._failure: BaseException | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set; after a failure, pause and resume from the committed
        position."""
        self.fetcher = Fetcher(self.settings.policy(self.urls))
        try:
            while not stop.is_set():
                try:
                    await self._run_connected(stop)
                except Exception:
                    log.exception("card worker failed; resuming from its committed position")
                    await self._drop_pending()
                    await _sleep_unless(stop, 2.0)
        finally:
            await self.close()

    async def close(self) -> None:
        await self._drop_pending()
        if self.fetcher is not None:
            await self.fetcher.close()
        self._db_threads.shutdown()
        self.write_model.close()

    async def _run_connected(self, stop: asyncio.Event) -> None:
        async with await psycopg.AsyncConnection.connect(
            self.database_url, autocommit=True
        ) as listener:
            while not stop.is_set():
                cur = await listener.execute("SELECT pg_try_advisory_lock(%s)", (CARDS_LOCK_KEY,))
                row = await cur.fetchone()
                if row and row[0]:
                    break
                await _sleep_unless(stop, 0.5)
            if stop.is_set():
                return
            await listener.execute(f"LISTEN {EVENTS_CHANNEL}")
            self.position = self._read = await self._db(self._load_position)
            self._failure = None
            log.info("card worker active from position %d", self.position)
            while not stop.is_set():
                if self._failure is not None:
                    raise self._failure
                read = await self._read_batch()
                await self._save_position()
                if read >= BATCH:
                    continue
                notified = False
                async for _ in listener.notifies(timeout=self.idle_poll, stop_after=1):
                    notified = True
                if notified:
                    # Let commits gather: one read then covers them all. Under a stream of posts
                    # this is what keeps the worker's share of CPU and database small.
                    await _sleep_unless(stop, GATHER_SECONDS)
                    async for _ in listener.notifies(timeout=0):
                        pass

    async def catch_up(self) -> None:
        """Handle every status stored so far and wait for their outcomes (tools and tests)."""
        self.fetcher = self.fetcher or Fetcher(self.settings.policy(self.urls))
        self.position = self._read = await self._db(self._load_position)
        while await self._read_batch() >= BATCH:
            pass
        while self._pending and self._failure is None:
            await asyncio.gather(*self._pending.values(), return_exceptions=True)
        if self._failure is not None:
            raise self._failure
        await self._save_position()

    async def _read_batch(self) -> int:
        notifications = await self._db(
            self.write_model.recorder.select_notifications,
            self._read,
            BATCH,
            inclusive_of_start=False,
        )
        now = time.time()
        for notification in notifications:
            if resolve_topic(notification.topic) in TEXT_EVENTS:
                event = self.mapper.to_domain_event(notification)
                text = card_text(event)
                link = card_link(event.text, event.media_ids, self.urls.domain)
                if text and link is not None and now - text.written_at < self.settings.period:
                    await self._room.acquire()
                    self._pending[notification.id] = asyncio.create_task(
                        self._card_for(notification.id, text, link)
                    )
            self._read = notification.id
        return len(notifications)

    async def _card_for(self, position: int, text: CardText, link: str) -> None:
        try:
            plan = await self._db(
                commands.plan,
                self.write_model,
                text.status_id,
                link,
                time.time(),
                self.settings.period,
                text.version,
            )
            if plan.done:
                pass
            elif plan.shared is not None:
                await self._record(text, link, plan.shared, new_fetch=False)
            elif (shared := self._shared_fetch(link)) is not None:
                outcome = await asyncio.shield(shared)
                await self._record(text, link, outcome, new_fetch=False)
            else:
                await self._fetch_and_record(text, link)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the position stays before this status; the run restarts
            self._failure = error
            return
        finally:
            self._room.release()
        del self._pending[position]
        await self._save_position()

    def _shared_fetch(self, link: str) -> asyncio.Future[Outcome] | None:
        """This worker's fetch of `link` in flight, or done recently enough to share.

        Done fetches are remembered too: a status whose plan was read just before another
        status's fetch of the same link was recorded would otherwise fetch it again.
        """
        fetch = self._inflight.get(link)
        if fetch is None or not fetch.done():
            return fetch
        usable = not fetch.cancelled() and fetch.exception() is None
        if usable and time.time() - fetch.result().fetched_at < self.settings.period:
            return fetch
        del self._inflight[link]
        return None

    async def _fetch_and_record(self, text: CardText, link: str) -> None:
        shared: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._inflight[link] = shared
        while len(self._inflight) > REMEMBERED_FETCHES:
            del self._inflight[next(iter(self._inflight))]  # the oldest
        try:
            outcome = await self._fetch(link)
            await self._record(text, link, outcome, new_fetch=True)
            shared.set_result(outcome)
        except asyncio.CancelledError:
            shared.cancel()
            raise
        except Exception as error:
            shared.set_exception(error)
            shared.exception()  # retrieved: no "never retrieved" warning when nobody waits
            raise

    async def _record(self, text: CardText, link: str, outcome: Outcome, new_fetch: bool) -> None:
        saved = await self._db(
            commands.record,
            self.write_model,
            text.status_id,
            link,
            outcome,
            new_fetch=new_fetch,
            text_version=text.version,
        )
        if saved:
            what = outcome.preview.title[:60] if outcome.preview else f"none ({outcome.reason})"
            log.info(
                "card of status %d, text version %d (%s): %s",
                text.status_id,
                text.version,
                link[:100],
                what,
            )

    async def _fetch(self, link: str) -> Outcome:
        """Fetch and parse `link`: never raises for anything the page does."""
        assert self.fetcher is not None
        host = (urlsplit(link).hostname or "").lower()
        async with self._hosts[host], self._fetches:
            try:
                preview = await self._preview(link)
            except (FetchFailed, Refused, NoCard) as error:
                return Outcome(None, str(error), time.time())
            except Exception as error:  # whatever a page does, it ends in an outcome
                log.exception("fetching %s failed unexpectedly", link[:100])
                return Outcome(None, f"error: {type(error).__name__}", time.time())
        return Outcome(preview, None, time.time())

    async def _preview(self, link: str) -> Preview:
        """The card of `link`, with its image's facts when the image can be fetched."""
        preview = await self._described(link)
        if preview.image is None:
            return preview
        assert self.fetcher is not None
        try:
            image = await self.fetcher.get(preview.image, IMAGE_TYPES, MAX_IMAGE_BYTES)
            if image.truncated:
                raise FetchFailed("image too large")
            width, height, blurhash = await asyncio.to_thread(image_facts, image.body)
        except (FetchFailed, Refused, Unprocessable) as error:
            # As Mastodon: no image rather than one this server could not check.
            log.info("image of %s dropped: %s", link[:100], error)
            return replace(preview, image=None, blurhash=None)
        if preview.type == "link":  # as Mastodon: a link card has its image's size
            return replace(preview, width=width, height=height, blurhash=blurhash)
        return replace(preview, blurhash=blurhash)

    async def _described(self, link: str) -> Preview:
        """The card the page (or its oEmbed endpoint) describes."""
        assert self.fetcher is not None
        page = await self.fetcher.get(link, ("text/html",))
        document = await asyncio.to_thread(Document, page.url, page.body, page.charset)
        endpoint = document.oembed_url()
        if endpoint is not None:
            try:
                answer = await self.fetcher.get(endpoint, OEMBED_TYPES)
            except (FetchFailed, Refused) as error:
                log.info("oEmbed of %s gave nothing: %s", link[:100], error)
            else:
                embedded = from_oembed(
                    page.url, answer.url, answer.body, self.settings.html_providers
                )
                if embedded is not None:
                    return embedded
        return from_page(document)

    async def _db(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        call = functools.partial(function, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._db_threads, call)

    def _load_position(self) -> int:
        datastore = self.write_model.recorder.datastore
        # The event store's database has no tracking table of its own when the read models are
        # elsewhere.
        PostgresTrackingRecorder(datastore, tracking_table_name=TRACKING_TABLE).create_table()
        with datastore.get_connection() as conn:
            row = conn.execute(
                f"SELECT notification_id AS position FROM {TRACKING_TABLE}"
                " WHERE application_name = %s",
                (CARDS_APPLICATION,),
            ).fetchone()
            conn.commit()
        return row["position"] if row else 0

    async def _save_position(self) -> None:
        """Move the committed position up to just before the oldest status still pending."""
        position = min(self._pending) - 1 if self._pending else self._read
        if position <= self.position:
            return
        self.position = position
        await self._db(self._store_position, position)

    def _store_position(self, position: int) -> None:
        with self.write_model.recorder.datastore.get_connection() as conn:
            conn.execute(SAVE_POSITION, (CARDS_APPLICATION, position))
            conn.commit()

    async def _drop_pending(self) -> None:
        tasks = list(self._pending.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._pending.clear()
        self._inflight.clear()
        self._room = asyncio.Semaphore(MAX_PENDING)


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


def card_worker_is_running(database_url: str) -> bool:
    """True when some process holds the card worker's advisory lock on this database."""
    return worker_is_running(database_url, CARDS_LOCK_KEY)
