"""Cards after edits in the log: `replay --status` shows the card events of each text version,
`--as-of` shows the card the status had then, and a rebuild reproduces the card of the last text
without touching the network (verify passes)."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime

import httpx

from api.cards.worker import CardWorker
from tests.api.cards.world import SETTINGS
from tests.link_pages import Site
from tests.operations.conftest import Served, tootlog
from tests.support import TEST_URLS


def run_cards(url: str) -> None:
    async def go() -> None:
        worker = CardWorker(url, TEST_URLS, SETTINGS)
        try:
            await worker.catch_up()
        finally:
            await worker.close()

    asyncio.run(go())


def card_of(client: httpx.Client, status_id: str, title: str | None) -> dict | None:
    """The status's card once the projection shows the one titled `title` (None: no card)."""
    deadline = time.monotonic() + 10
    while True:
        card = client.get(f"/api/v1/statuses/{status_id}").json()["card"]
        if (card and card["title"]) == title or time.monotonic() > deadline:
            return card
        time.sleep(0.05)


def now() -> datetime:
    time.sleep(0.05)
    moment = datetime.now(UTC)
    time.sleep(0.05)
    return moment


def test_cards_of_each_text_version_are_replayed_and_rebuilt(served: Served, site: Site) -> None:
    server, alice = served.server, served.directory.user()
    first, second = site.url("/og?ops-edit"), site.url("/title?ops-edit")
    with server.client(alice.token) as a, server.client() as anon:
        status = a.post("/api/v1/statuses", data={"status": f"see {first}"}).json()["id"]
        run_cards(served.url)
        assert card_of(anon, status, "Café & crème")["url"] == first
        times, answers = {"t0": now()}, {"t0": anon.get(f"/api/v1/statuses/{status}").text}
        edited = a.put(f"/api/v1/statuses/{status}", data={"status": f"see {second}"})
        assert edited.status_code == 200 and edited.json()["card"] is None
        assert anon.get(f"/api/v1/statuses/{status}/card").json() == {}
        times["t1"], answers["t1"] = now(), anon.get(f"/api/v1/statuses/{status}").text
        run_cards(served.url)
        assert card_of(anon, status, "Just a title")["url"] == second
        times["t2"], answers["t2"] = now(), anon.get(f"/api/v1/statuses/{status}").text
        assert anon.get(f"/api/v1/statuses/{status}/card").json()["url"] == second
    assert json.loads(answers["t1"])["card"] is None

    replayed = tootlog(served.url, "replay", "--status", status)
    assert replayed.returncode == 0, replayed.stderr
    events = [json.loads(line) for line in replayed.stdout.splitlines()]
    cards = [
        (e["topic"], e["payload"].get("text_version", 1), e["payload"]["link"])
        for e in events
        if e["topic"].startswith("tootlog.card.") and "link" in e["payload"]
    ]
    assert cards == [
        ("tootlog.card.opened.v1", 1, first),
        ("tootlog.card.fetched.v1", 1, first),
        ("tootlog.card.opened.v1", 2, second),
        ("tootlog.card.fetched.v1", 2, second),
    ]
    edit = next(e for e in events if e["topic"] == "tootlog.status.edited.v1")
    assert edit["payload"]["text_changed"] is True

    for mark in ("t0", "t1", "t2"):
        result = tootlog(
            served.url, "replay", "--as-of", times[mark].isoformat(), "--status", status
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == answers[mark], mark

    hits = dict(site.hits)
    rebuilt = tootlog(served.url, "rebuild", timeout=300)
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    with server.client() as anon:
        assert anon.get(f"/api/v1/statuses/{status}").text == answers["t2"]
    verified = tootlog(served.url, "verify", timeout=300)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "tootlog_cards" in verified.stdout
    assert site.hits == hits  # neither touched the network
