"""Link cards through `tootlog serve` (its card worker process) and real clients: the card shows
up within seconds of posting, everywhere a status is rendered, and at the legacy /card route."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from mastodon import Mastodon
from prometheus_client.parser import text_string_to_metric_families

from api.cards.worker import card_worker_is_running
from tests.api.openapi_checker import Conformance, Document
from tests.link_pages import SITE_HOST, Site
from tests.support import TEST_DOMAIN, Directory, LiveServer, User, serving

CARD_ENV = {
    "TOOTLOG_CARDS": "1",
    "TOOTLOG_CARD_ALLOWED_HOSTS": SITE_HOST,
    "TOOTLOG_CARD_OEMBED_PROVIDERS": SITE_HOST,
    "TOOTLOG_CARD_TIMEOUT": "4",
    "TOOTLOG_DB_POOL_SIZE": "2",  # the PostgreSQL server is shared
}


@pytest.fixture(scope="module")
def server(server_url: str, site: Site) -> Iterator[LiveServer]:
    with serving(server_url, CARD_ENV) as live:
        # Up before anyone posts, as on a real server (the card process starts beside serve).
        deadline = time.monotonic() + 30
        while not card_worker_is_running(live.database_url):
            assert time.monotonic() < deadline, "the card worker did not start"
            time.sleep(0.05)
        yield live


@pytest.fixture(scope="module")
def people(server: LiveServer) -> Iterator[Directory]:
    made = Directory(server.database_url)
    yield made
    made.close()


@pytest.fixture(scope="module")
def alice(people: Directory) -> User:
    return people.user()


def post(server: LiveServer, user: User, text: str, **params: str) -> dict:
    with server.client(user.token) as client:
        response = client.post("/api/v1/statuses", data={"status": text, **params})
    assert response.status_code == 200, response.text
    return response.json()


def poll(read, timeout: float = 5.0):  # noqa: ANN001, ANN201
    """Call `read` until it gives something truthy, as a client polls for a card."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def test_mastodon_py_sees_the_card_within_5_seconds(
    server: LiveServer, site: Site, alice: User
) -> None:
    api = Mastodon(access_token=alice.token, api_base_url=server.base_url)
    posted_at = time.monotonic()
    status = api.status_post(f"Reading {site.url('/og?mastodon-py')}")
    assert status.card is None
    card = poll(lambda: api.status(status.id).card)
    assert card is not None, "no card within 5 s"
    assert time.monotonic() - posted_at < 5.0
    assert card.title == "Café & crème"
    assert card.image == site.url("/img/cup.png")
    assert api.status_card(status.id).title == "Café & crème"


def test_mastodon_py_sees_the_card_reset_by_an_edit_and_the_new_texts_card(
    server: LiveServer, site: Site, alice: User
) -> None:
    api = Mastodon(access_token=alice.token, api_base_url=server.base_url)
    status = api.status_post(f"Reading {site.url('/og?edited')}")
    assert poll(lambda: api.status(status.id).card) is not None
    kept = api.status_update(status.id, f"Reading {site.url('/og?edited')}", sensitive=True)
    assert kept.card is not None and kept.card.title == "Café & crème"  # text kept
    edited = api.status_update(status.id, f"Now reading {site.url('/articles/one?edited')}")
    assert edited.card is None  # reset at once, as UpdateStatusService does
    card = poll(lambda: api.status(status.id).card)
    assert card is not None, "no card for the new text within 5 s"
    assert card.title == "Relative" and card.url == site.url("/articles/one?edited")
    assert api.status_card(status.id).title == "Relative"
    api.status_update(status.id, "No link any more")
    time.sleep(1.0)  # the card worker's turn: nothing to fetch
    assert api.status(status.id).card is None


def test_the_card_route_answers_as_mastodon_2_9(
    server: LiveServer, site: Site, alice: User, people: Directory
) -> None:
    with_card = post(server, alice, f"see {site.url('/title?route')}")
    plain = post(server, alice, "no link here")
    private = post(server, alice, f"{site.url('/title?private')}", visibility="private")
    no_read = people.token(alice.account_id, "write")
    with httpx.Client(base_url=server.base_url) as anonymous:
        card = poll(lambda: anonymous.get(f"/api/v1/statuses/{with_card['id']}/card").json())
        assert card["title"] == "Just a title"
        assert card["url"] == site.url("/title?route")
        assert anonymous.get(f"/api/v1/statuses/{plain['id']}/card").json() == {}
        for missing in ("1", "nope", private["id"]):
            response = anonymous.get(f"/api/v1/statuses/{missing}/card")
            status = anonymous.get(f"/api/v1/statuses/{missing}")
            assert (response.status_code, response.json()) == (404, status.json())
        forbidden = anonymous.get(
            f"/api/v1/statuses/{plain['id']}/card", headers={"Authorization": f"Bearer {no_read}"}
        )
        assert forbidden.status_code == 403
    with server.client(alice.token) as owner:
        owned = poll(lambda: owner.get(f"/api/v1/statuses/{private['id']}/card").json())
        assert owned["title"] == "Just a title"


def card_outcomes(server: LiveServer) -> dict[tuple[str, str], float]:
    """The card counters of /metrics, parsed by the client library: (family, outcome) -> n."""
    with httpx.Client(base_url=server.base_url) as client:
        text = client.get("/metrics").text
    return {
        (family.name, sample.labels["outcome"]): sample.value
        for family in text_string_to_metric_families(text)
        if family.name in ("tootlog_card_fetches", "tootlog_status_cards")
        for sample in family.samples
        if sample.name.endswith("_total")
    }


def test_metrics_count_card_fetch_outcomes_of_the_card_worker_process(
    server: LiveServer, site: Site, alice: User
) -> None:
    before = card_outcomes(server)
    first = post(server, alice, f"one {site.url('/title?metrics')}")
    gone = post(server, alice, f"two {site.url('/missing?metrics')}")
    expected = {
        ("tootlog_card_fetches", "card"): 1,
        ("tootlog_card_fetches", "none"): 1,
        ("tootlog_status_cards", "card"): 2,
        ("tootlog_status_cards", "none"): 1,
    }

    def grown() -> dict:
        now = card_outcomes(server)
        return {key: now.get(key, 0) - before.get(key, 0) for key in expected}

    with httpx.Client(base_url=server.base_url) as client:
        assert poll(lambda: client.get(f"/api/v1/statuses/{first['id']}/card").json())
        # The same link again: its fetch is shared, so only the status counter moves.
        post(server, alice, f"three {site.url('/title?metrics')}")
    assert poll(lambda: grown() == expected), grown()
    assert gone["id"]  # its outcome (none) is among the counts above


def test_the_card_is_in_every_rendering_of_the_status(
    server: LiveServer, site: Site, alice: User, people: Directory
) -> None:
    bob = people.user()
    root = post(server, alice, f"thread {site.url('/video?everywhere')}")
    reply = post(server, bob, "a reply", in_reply_to_id=root["id"])
    with server.client(bob.token) as client:
        card = poll(lambda: client.get(f"/api/v1/statuses/{root['id']}").json()["card"])
        assert card["type"] == "video" and card["html"].startswith("<iframe")
        reblog = client.post(f"/api/v1/statuses/{root['id']}/reblog").json()
        assert reblog["card"] is None and reblog["reblog"]["card"] == card
        wrapper = client.get(f"/api/v1/statuses/{reblog['id']}").json()
        assert wrapper["reblog"]["card"] == card
        context = client.get(f"/api/v1/statuses/{reply['id']}/context").json()
        assert context["ancestors"][0]["card"] == card
        listed = client.get(f"/api/v1/accounts/{alice.id}/statuses").json()
        assert next(s for s in listed if s["id"] == root["id"])["card"] == card


def test_a_page_that_never_finishes_blocks_neither_the_api_nor_other_cards(
    server: LiveServer, site: Site, alice: User
) -> None:
    stuck = post(server, alice, f"stuck {site.url('/never?blocking')}")
    started = time.monotonic()
    quick = post(server, alice, f"quick {site.url('/title?unblocked')}")
    other = post(server, alice, "plain")
    assert time.monotonic() - started < 2.0
    with server.client(alice.token) as client:
        card = poll(lambda: client.get(f"/api/v1/statuses/{quick['id']}").json()["card"], 3.0)
        assert card is not None and card["title"] == "Just a title"
        # The stuck page has not timed out yet (4 s), and gives no card once it has.
        assert client.get(f"/api/v1/statuses/{stuck['id']}").json()["card"] is None
        assert client.get(f"/api/v1/statuses/{other['id']}").status_code == 200


def test_cards_match_the_openapi_document(server: LiveServer, site: Site, alice: User) -> None:
    with server.client() as client:
        check = Conformance(server, Document(client.get("/openapi.json").json()))
    for page in ("/og?schema", "/video?schema", "/articles/one?schema"):
        status = post(server, alice, site.url(page))
        path = {"id": status["id"]}
        card = poll(lambda path=path: check.json("GET /api/v1/statuses/{id}/card", path=path))
        assert card and check.json("GET /api/v1/statuses/{id}", path=path)["card"] == card


def test_tootlog_cards_runs_alone_and_stops_on_sigterm(
    live_server: LiveServer, directory: Directory, site: Site
) -> None:
    # The shared test server runs no card worker (tests/support.py): `tootlog cards` does it.
    user = directory.user()
    status = post(live_server, user, f"alone {site.url('/title?alone')}")
    worker = None
    try:
        with live_server.client(user.token) as client:
            time.sleep(0.5)
            assert client.get(f"/api/v1/statuses/{status['id']}").json()["card"] is None
            worker = subprocess.Popen(
                [sys.executable, "-m", "api.cli", "cards"],
                env={**os.environ, **CARD_ENV, "DATABASE_URL": live_server.database_url},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            card = poll(lambda: client.get(f"/api/v1/statuses/{status['id']}").json()["card"], 15)
            assert card is not None and card["title"] == "Just a title"
        worker.terminate()
        assert worker.wait(timeout=10) == 0
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()


def test_replay_shows_what_was_fetched_and_a_rebuild_keeps_the_card(
    server: LiveServer, site: Site, alice: User
) -> None:
    """The card is data from outside entering the log: `tootlog replay --status` shows the
    fetch, and the online rebuild and verify (which never fetch) reproduce the card."""
    status = post(server, alice, f"replayed {site.url('/og?replay')}")
    with httpx.Client(base_url=server.base_url) as anonymous:
        card = poll(lambda: anonymous.get(f"/api/v1/statuses/{status['id']}/card").json())
    assert card["title"] == "Café & crème"
    env = {**os.environ, "DATABASE_URL": server.database_url, "TOOTLOG_DOMAIN": TEST_DOMAIN}

    def tootlog(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "api.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    replayed = tootlog("replay", "--status", status["id"], "--topic", "card.*")
    assert replayed.returncode == 0, replayed.stderr
    events = [json.loads(line) for line in replayed.stdout.splitlines()]
    fetched = [e for e in events if e["topic"] == "tootlog.card.fetched.v1"]
    assert len(fetched) == 1 and fetched[0]["payload"]["title"] == "Café & crème"
    rebuilt = tootlog("rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    with httpx.Client(base_url=server.base_url) as anonymous:
        assert anonymous.get(f"/api/v1/statuses/{status['id']}/card").json() == card
    checked = tootlog("verify")
    assert checked.returncode == 0, checked.stdout + checked.stderr
