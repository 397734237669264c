"""The projector's memories are bounded: however many statuses and accounts the log holds, it
remembers at most so many, forgetting the least recently used half when full, and reads back
what it forgot (projections/remembered.py)."""

from __future__ import annotations

import psycopg
import pytest

from commands.accounts import register_account
from commands.app import TootlogApplication
from commands.statuses import Publishing, publish
from domain.status import Author, Draft
from projections import projector as projector_module
from projections.remembered import Remembered
from projections.worker import ProjectionWorker
from tests.support import TEST_URLS


def test_a_full_memory_forgets_its_least_recently_used_half() -> None:
    memory: Remembered[int, str] = Remembered(4)
    for key in (1, 2, 3, 4):
        memory.put(key, f"v{key}")
    assert memory.get(1) == "v1"  # used: now the most recent
    memory.put(5, "v5")
    assert len(memory) == 3
    assert [memory.get(key) for key in (1, 2, 3, 4, 5)] == ["v1", None, None, "v4", "v5"]
    memory.put(4, "again")  # already there: nothing forgotten
    assert len(memory) == 3 and memory.get(4) == "again"


def test_authors_usernames_stay_bounded_and_forgotten_ones_are_read_back(
    fresh_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(projector_module, "USERNAMES_REMEMBERED", 2)
    app = TootlogApplication(fresh_database_url, pool_size=1)
    try:
        names = [f"author{n}" for n in range(6)]
        ids = [register_account(app, name).id for name in names]
        for account_id, name in zip(ids, names, strict=True):
            draft = Draft(text=f"by {name}", visibility="public")
            publish(app, Publishing(TEST_URLS), author=Author(account_id), draft=draft)
    finally:
        app.close()
    worker = ProjectionWorker(fresh_database_url, TEST_URLS, batch_size=3)
    try:
        worker.create_tables()
        worker.catch_up()
        assert len(worker.projector._usernames) <= 2
    finally:
        worker.close()
    with psycopg.connect(fresh_database_url) as conn:
        rows = conn.execute("SELECT id, account_id, doc->>'url' FROM tootlog_statuses").fetchall()
    # Each status's URL is made of its own author's username.
    username = dict(zip(ids, names, strict=True))
    assert sorted(account_id for _, account_id, _ in rows) == sorted(ids)
    for status_id, account_id, url in rows:
        assert url == TEST_URLS.status_url(username[account_id], status_id)
