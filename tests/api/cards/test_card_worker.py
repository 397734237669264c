"""The card worker on a real event store, against the local site: each kind of page ends in the
right event and the right `card`; nothing is fetched twice; restarts and rebuilds repeat
nothing and need no network."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import orjson
import psycopg

from api.cards.worker import CARDS_APPLICATION
from commands.statuses import delete
from domain.card import LinkFetch, StatusCard
from projections.schema import READ_MODEL_TABLES
from projections.worker import ProjectionWorker
from tests.api.cards.world import SETTINGS, World
from tests.link_pages import PRIVATE_HOST, Site
from tests.support import TEST_URLS


def test_every_kind_of_page_ends_in_the_right_event_and_card(world: World, site: Site) -> None:
    pages = [
        "/og",
        "/title",
        "/video",
        "/file.pdf",
        "/huge",
        "/never",
        "/redirect/5",
        "/to-loopback",
        "/latin1",
        "/missing",
        "/articles/one",
        "/brotli",
    ]
    before = dict(site.hits)
    ids = {page: world.post(f"look {site.url(page)} now") for page in pages}
    private = world.post(f"http://{PRIVATE_HOST}:{site.port}/og")
    private_image = world.post(site.url("/private-image"))
    world.run_cards()

    fetched = {page: world.outcome(ids[page]) for page in pages}
    assert isinstance(fetched["/og"], StatusCard.Fetched)
    card = world.card(ids["/og"])
    assert card["title"] == "Café & crème"
    assert card["image"] == site.url("/img/cup.png")
    assert card["description"] == "All about <coffee>"
    assert card["provider_name"] == "Coffee Weekly"
    assert card["type"] == "link" and card["html"] == ""
    assert card["published_at"] == "2026-11-30T08:15:00.000Z"
    # The image was fetched: its real size (not og:image:width/height) and its blurhash.
    assert (card["width"], card["height"]) == (64, 32)
    assert card["blurhash"] and len(card["blurhash"]) > 6
    assert world.card(ids["/title"])["title"] == "Just a title"
    video = world.card(ids["/video"])
    assert video["type"] == "video" and video["html"].startswith('<iframe src="https://player')
    assert video["title"] == "A video"
    assert video["image"] == site.url("/thumbs/video.jpg") and video["blurhash"]
    assert (video["width"], video["height"]) == (640, 360)  # the oEmbed player's size
    assert world.card(private_image)["image"] is None  # at a refused address: dropped
    assert world.card(ids["/huge"])["title"] == "Huge page"
    assert world.card(ids["/latin1"])["title"] == "Crème brûlée à la française"
    assert world.card(ids["/articles/one"])["image"] == site.url("/images/pic.png")
    assert world.card(ids["/brotli"])["title"] == "Café & crème"

    failures = {
        "/file.pdf": "not text/html: application/pdf",
        "/never": "timed out",
        "/redirect/5": "more than 3 redirects",
        "/to-loopback": "127.0.0.1 resolves to a refused address",
        "/missing": "HTTP 404",
    }
    for page, reason in failures.items():
        assert isinstance(fetched[page], StatusCard.FetchFailed), page
        assert reason in fetched[page].reason, (page, fetched[page].reason)
        assert world.card(ids[page]) is None
    assert "refused address" in world.outcome(private).reason

    for page in pages:  # each fetched exactly once
        assert site.hits[page] - before.get(page, 0) == 1, page


def test_statuses_linking_one_page_share_one_fetch(world: World, site: Site) -> None:
    link = site.url("/title?shared")
    before = site.hits["/title"]
    first = [world.post(f"{n} {link}") for n in range(3)]
    world.run_cards()
    later = world.post(f"again {link}")
    world.run_cards()

    assert site.hits["/title"] - before == 1
    for status_id in [*first, later]:
        assert world.card(status_id)["title"] == "Just a title"
    fetches = list(world.app.events.get(LinkFetch.create_id(link)))
    assert [type(e).__name__ for e in fetches] == ["Opened", "Fetched"]


def test_a_link_is_fetched_again_after_the_period(world: World, site: Site) -> None:
    link = site.url("/title?period")
    before = site.hits["/title"]
    world.post(link)
    world.run_cards(replace(SETTINGS, period=0.5))
    asyncio.run(asyncio.sleep(0.6))
    world.post(link)
    world.run_cards(replace(SETTINGS, period=0.5))
    assert site.hits["/title"] - before == 2


def test_a_restarted_worker_records_nothing_twice(world: World, site: Site) -> None:
    ids = [world.post(site.url(f"/title?restart{n}")) for n in range(3)]
    world.run_cards()
    events, hits = world.total_events(), site.hits["/title"]
    # As if it had died before saving its position: everything is read again.
    with psycopg.connect(world.url, autocommit=True) as conn:
        conn.execute(
            "DELETE FROM tootlog_tracking WHERE application_name = %s", (CARDS_APPLICATION,)
        )
    world.run_cards()
    assert world.total_events() == events
    assert site.hits["/title"] == hits
    assert all(len(world.events(status_id)) == 2 for status_id in ids)


def test_no_card_for_statuses_with_no_link_or_a_local_link(world: World, site: Site) -> None:
    plain = world.post("no link #here @nobody")
    local = world.post("https://example.com/@writer/1")
    world.run_cards()
    assert world.events(plain) == [] and world.events(local) == []
    assert world.card(plain) is None


def test_a_status_deleted_before_its_turn_is_not_fetched(world: World, site: Site) -> None:
    before = site.hits["/title"]
    status_id = world.post(site.url("/title?deleted"))
    delete(world.app, account_id=world.author.account_id, status_id=status_id)
    world.run_cards()
    assert world.events(status_id) == []
    assert site.hits["/title"] == before


def test_a_rebuild_reproduces_every_card_with_the_site_stopped(world: World) -> None:
    own = Site()
    ids = [world.post(own.url(path)) for path in ("/og", "/video", "/missing")]
    world.run_cards()
    own.stop()
    before = _read_models(world.url)
    with psycopg.connect(world.url, autocommit=True) as conn:
        conn.execute(f"DROP TABLE {', '.join(READ_MODEL_TABLES)}")
        conn.execute("DELETE FROM tootlog_tracking WHERE application_name = 'tootlog'")
    rebuilt = ProjectionWorker(world.url, TEST_URLS)
    try:
        rebuilt.create_tables()
        rebuilt.catch_up()
    finally:
        rebuilt.close()
    assert _read_models(world.url) == before
    assert world.card(ids[0])["title"] == "Café & crème"


def _read_models(url: str) -> tuple:
    with psycopg.connect(url) as conn:
        cards = conn.execute("SELECT status_id, url, doc FROM tootlog_cards ORDER BY 1").fetchall()
        docs = conn.execute("SELECT id, doc::text FROM tootlog_statuses ORDER BY 1").fetchall()
    return cards, [(i, orjson.loads(d)) for i, d in docs]
