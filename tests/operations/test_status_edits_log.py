"""Edits in the log: `replay --status` shows them, `--as-of` renders the status as it was after
the edits up to a moment, and a rebuild reproduces the histories exactly (verify passes)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import psycopg

from tests.images import image_bytes
from tests.operations.conftest import Served, tootlog


def now() -> datetime:
    time.sleep(0.05)
    moment = datetime.now(UTC)
    time.sleep(0.05)
    return moment


def test_edits_are_replayed_rendered_as_of_and_rebuilt_exactly(served: Served) -> None:
    server, directory = served.server, served.directory
    alice, bob = directory.user(), directory.user()
    files = {"file": ("a.png", image_bytes(), "image/png")}
    with server.client(alice.token) as a, server.client(bob.token) as b, server.client() as anon:
        media = a.post("/api/v2/media", files=files, data={"description": "red"}).json()
        status = a.post(
            "/api/v1/statuses", data={"status": "one", "media_ids[]": [media["id"]]}
        ).json()["id"]
        assert b.post(f"/api/v1/statuses/{status}/favourite").status_code == 200
        answers = {"t0": anon.get(f"/api/v1/statuses/{status}").text}
        times = {"t0": now()}
        edit = {"status": "two", "media_ids": [media["id"]]}
        edit["media_attributes"] = [{"id": media["id"], "description": "blue"}]
        assert a.put(f"/api/v1/statuses/{status}", json=edit).status_code == 200
        answers["t1"] = anon.get(f"/api/v1/statuses/{status}").text
        times["t1"] = now()
        assert a.put(f"/api/v1/statuses/{status}", data={"status": "three"}).status_code == 200
        answers["t2"] = anon.get(f"/api/v1/statuses/{status}").text
        times["t2"] = now()
        history = anon.get(f"/api/v1/statuses/{status}/history").json()
    assert [json.loads(answers[t])["content"] for t in answers] == [
        "<p>one</p>",
        "<p>two</p>",
        "<p>three</p>",
    ]
    assert [v["content"] for v in history] == ["<p>one</p>", "<p>two</p>", "<p>three</p>"]

    replayed = tootlog(served.url, "replay", "--status", status)
    assert replayed.returncode == 0, replayed.stderr
    events = [json.loads(line) for line in replayed.stdout.splitlines()]
    topics = [e["topic"] for e in events]
    assert topics.count("tootlog.status.edited.v1") == 2
    assert "tootlog.media.revised.v1" in topics
    first_edit = next(e for e in events if e["topic"] == "tootlog.status.edited.v1")
    assert first_edit["payload"]["text"] == "two"
    assert first_edit["payload"]["previous"]["text"] == "one"
    by_author = tootlog(served.url, "replay", "--account", str(alice.id))
    assert by_author.stdout.count("tootlog.status.edited.v1") == 2

    for mark in ("t0", "t1", "t2"):
        result = tootlog(
            served.url, "replay", "--as-of", times[mark].isoformat(), "--status", status
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == answers[mark], mark

    rebuilt = tootlog(served.url, "rebuild", timeout=300)
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    with server.client() as anon:
        assert anon.get(f"/api/v1/statuses/{status}/history").json() == history
        assert anon.get(f"/api/v1/statuses/{status}").text == answers["t2"]
    verified = tootlog(served.url, "verify", timeout=300)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "tootlog_status_edits" in verified.stdout
    with psycopg.connect(served.url) as conn:
        rows = conn.execute("SELECT count(*) FROM tootlog_status_edits").fetchone()[0]
    assert rows >= 3  # this status's three versions, and the seeded edits'
