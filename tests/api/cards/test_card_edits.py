"""Cards after edits, on a real event store against the local site: an edit that changes the text
resets the card at once and the card worker records the new text's outcome (Mastodon's
UpdateStatusService#reset_preview_card! and LinkCrawlWorker); an edit that keeps the text keeps
the card. Each text version gets exactly one outcome, whatever the order, restarts or races."""

from __future__ import annotations

import asyncio

import psycopg

from api.cards.worker import CARDS_APPLICATION, CardWorker
from commands import cards as commands
from commands.cards import Outcome
from domain.card import PUBLISHED, Preview, StatusCard
from domain.status import Draft, Status
from tests.api.cards.world import SETTINGS, World
from tests.link_pages import Site
from tests.support import TEST_URLS


def card_outcome_counts(world: World) -> dict[tuple[str, str], int]:
    with psycopg.connect(world.url) as conn:
        rows = conn.execute("SELECT kind, outcome, count FROM tootlog_card_outcomes").fetchall()
    return {(kind, outcome): count for kind, outcome, count in rows}


def test_an_edit_changing_the_link_resets_the_card_and_gets_the_new_links(
    world: World, site: Site
) -> None:
    status_id = world.post(f"read {site.url('/og?edit-link')}")
    world.run_cards()
    assert world.card(status_id)["title"] == "Café & crème"
    before = site.hits["/title"]

    version = world.edit(status_id, Draft(f"no, read {site.url('/title?edit-link')}"))
    world.projection.catch_up()
    assert world.card(status_id) is None  # at once, before the new fetch

    world.run_cards()
    card = world.card(status_id)
    assert card["title"] == "Just a title" and card["url"] == site.url("/title?edit-link")
    assert site.hits["/title"] - before == 1
    assert isinstance(world.outcome(status_id, PUBLISHED), StatusCard.Fetched)
    new = world.outcome(status_id, version)
    assert isinstance(new, StatusCard.Fetched) and new.text_version == version == 2
    assert new.link == site.url("/title?edit-link")
    with psycopg.connect(world.url) as conn:
        row = conn.execute(
            "SELECT text_version, url, doc FROM tootlog_cards WHERE status_id = %s", (status_id,)
        ).fetchone()
    assert row == (version, site.url("/title?edit-link"), card)
    assert card_outcome_counts(world)[("status", "card")] == 2  # one per text version


def test_an_edit_changing_the_text_but_not_the_link_resets_and_reattaches_the_card(
    world: World, site: Site
) -> None:
    link = site.url("/title?same-link")
    status_id = world.post(f"one {link}")
    world.run_cards()
    card = world.card(status_id)
    hits = site.hits["/title"]

    version = world.edit(status_id, Draft(f"two {link}"))
    world.projection.catch_up()
    assert world.card(status_id) is None  # Mastodon clears it whenever the text changed
    world.run_cards()
    # Crawled again; the page fetched less than a period ago is not fetched again.
    assert world.card(status_id) == card
    assert isinstance(world.outcome(status_id, version), StatusCard.Fetched)
    assert site.hits["/title"] == hits


def test_an_edit_keeping_the_text_keeps_the_card(world: World, site: Site) -> None:
    link = site.url("/title?kept")
    status_id = world.post(f"same {link}")
    world.run_cards()
    card = world.card(status_id)
    events = world.total_events()

    version = world.edit(status_id, Draft(f"same {link}", spoiler_text="a warning"))
    world.projection.catch_up()
    assert world.card(status_id) == card
    world.run_cards()
    assert world.card(status_id) == card
    edited = list(world.app.events.get(Status.create_id(status_id)))[-1]
    assert isinstance(edited, Status.Edited) and not edited.text_changed
    assert world.events(status_id, version) == []
    assert world.total_events() == events + 1  # the edit only


def test_an_edit_to_a_text_without_links_leaves_no_card(world: World, site: Site) -> None:
    status_id = world.post(f"with {site.url('/title?unlinked')}")
    world.run_cards()
    assert world.card(status_id) is not None

    version = world.edit(status_id, Draft("without a link now"))
    world.run_cards()
    assert world.card(status_id) is None
    assert world.events(status_id, version) == []
    with psycopg.connect(world.url) as conn:
        row = conn.execute(
            "SELECT text_version, url, doc FROM tootlog_cards WHERE status_id = %s", (status_id,)
        ).fetchone()
    assert row == (version, None, None)


def test_a_status_edited_twice_quickly_ends_with_the_card_of_its_last_text(
    world: World, site: Site
) -> None:
    hits = site.hits["/latin1"]
    status_id = world.post(f"first {site.url('/og?twice')}")
    middle = world.edit(status_id, Draft(f"second {site.url('/latin1?twice')}"))
    last = world.edit(status_id, Draft(f"third {site.url('/articles/one?twice')}"))
    world.run_cards()
    assert world.card(status_id)["title"] == "Relative"
    # The texts an edit replaced before their turn are not fetched (the crawl reads the text
    # as it is then): only the last one has an outcome.
    assert world.events(status_id, PUBLISHED) == [] and world.events(status_id, middle) == []
    assert isinstance(world.outcome(status_id, last), StatusCard.Fetched)
    assert site.hits["/latin1"] == hits


def test_an_outcome_recorded_after_a_newer_edit_is_not_shown(world: World, site: Site) -> None:
    # A worker that read the first text, fetched slowly and recorded its outcome after the
    # edit: the log has the old text's card after the edit, and the status must not show it.
    status_id = world.post(f"old {site.url('/og?late')}")
    version = world.edit(status_id, Draft("new text, no link"))
    old = Preview(url=site.url("/og?late"), title="Stale card")
    assert commands.record(
        world.app, status_id, site.url("/og?late"), Outcome(old, None, 1.0e9), new_fetch=False
    )
    world.projection.catch_up()
    assert world.card(status_id) is None
    with psycopg.connect(world.url) as conn:
        row = conn.execute(
            "SELECT text_version, doc FROM tootlog_cards WHERE status_id = %s", (status_id,)
        ).fetchone()
    assert row == (version, None)
    assert card_outcome_counts(world)[("status", "card")] == 1  # recorded, counted, not shown


def test_a_restarted_worker_records_no_edit_twice(world: World, site: Site) -> None:
    status_id = world.post(f"a {site.url('/title?edit-restart')}")
    world.run_cards()
    version = world.edit(status_id, Draft(f"b {site.url('/og?edit-restart')}"))
    world.run_cards()
    events, hits = world.total_events(), dict(site.hits)
    # As if it had died before saving its position: every text is read again.
    with psycopg.connect(world.url, autocommit=True) as conn:
        conn.execute(
            "DELETE FROM tootlog_tracking WHERE application_name = %s", (CARDS_APPLICATION,)
        )
    world.run_cards()
    assert world.total_events() == events
    assert site.hits == hits
    assert len(world.events(status_id, PUBLISHED)) == 2
    assert len(world.events(status_id, version)) == 2
    assert world.card(status_id)["title"] == "Café & crème"


def test_two_racing_workers_record_one_outcome_per_text_version(world: World, site: Site) -> None:
    ids = [world.post(f"race {site.url(f'/title?race{n}')}") for n in range(3)]
    versions = [
        world.edit(i, Draft(f"edited {site.url(f'/og?race{n}')}")) for n, i in enumerate(ids)
    ]

    async def both() -> None:
        workers = [CardWorker(world.url, TEST_URLS, SETTINGS) for _ in range(2)]
        try:
            await asyncio.gather(*(worker.catch_up() for worker in workers))
        finally:
            await asyncio.gather(*(worker.close() for worker in workers))

    asyncio.run(both())
    world.projection.catch_up()
    for status_id, version in zip(ids, versions, strict=True):
        assert world.events(status_id, PUBLISHED) == []  # replaced before its turn
        assert len(world.events(status_id, version)) == 2
        assert world.card(status_id)["title"] == "Café & crème"
    recorded = card_outcome_counts(world)
    assert recorded[("status", "card")] == len(ids)
