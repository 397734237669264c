"""Search's indexes are part of the read models: an online rebuild builds them in the new copy,
search answers the same from it, and verify finds the models equal."""

from __future__ import annotations

import uuid

import psycopg

from projections.schema import LIVE_SCHEMA
from tests.operations.conftest import Served, tootlog

SEARCH_INDEXES = {
    "tootlog_accounts_username_prefix",
    "tootlog_accounts_display_name_words",
    "tootlog_status_tags_prefix",
    "tootlog_statuses_search",
}


def live_search_indexes(url: str) -> set[str]:
    """The search indexes of the live schema that PostgreSQL can use."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND i.indisvalid AND c.relname = ANY(%s)",
            (LIVE_SCHEMA, list(SEARCH_INDEXES)),
        )
        return {row[0] for row in rows}


def test_search_answers_the_same_after_an_online_rebuild_and_verify_agrees(
    served: Served,
) -> None:
    user = served.directory.user()
    term = f"r{uuid.uuid4().hex[:10]}"
    with served.server.client(user.token) as client:
        posted = client.post("/api/v1/statuses", data={"status": f"#{term} before {term}"})
        assert posted.status_code == 200, posted.text
        before = client.get("/api/v2/search", params={"q": term})
    assert before.status_code == 200
    assert [s["id"] for s in before.json()["statuses"]] == [posted.json()["id"]]
    assert live_search_indexes(served.url) == SEARCH_INDEXES

    rebuilt = tootlog(served.url, "rebuild", "--batch-size", "25")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert live_search_indexes(served.url) == SEARCH_INDEXES
    with served.server.client(user.token) as client:
        after = client.get("/api/v2/search", params={"q": term})
        by_name = client.get("/api/v2/search", params={"q": user.username, "type": "accounts"})
    assert after.json() == before.json()
    assert [a["id"] for a in by_name.json()["accounts"]] == [user.id]

    verified = tootlog(served.url, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
