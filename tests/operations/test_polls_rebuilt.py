"""Rebuilding the read models reproduces polls, their votes and scheduled statuses exactly (in
any batch size), and verify notices a poll's count that drifted."""

from __future__ import annotations

import psycopg

from tests.operations.conftest import Served, tootlog

POLL_ROWS = (
    "SELECT p.*, coalesce((SELECT json_agg(v ORDER BY v.account_id) FROM tootlog_poll_votes v"
    " WHERE v.poll_id = p.id), '[]') FROM tootlog_polls p ORDER BY p.id"
)


VERSION_POLLS = (
    "SELECT status_id, seq, poll_options FROM tootlog_status_edits"
    " WHERE poll_options IS NOT NULL ORDER BY status_id, seq"
)


def poll_rows(url: str) -> list:
    with psycopg.connect(url) as conn:
        polls = conn.execute(POLL_ROWS).fetchall()
        entries = conn.execute("SELECT * FROM tootlog_scheduled_statuses ORDER BY id").fetchall()
        versions = conn.execute(VERSION_POLLS).fetchall()
    return [*polls, *entries, *versions]


def test_polls_and_votes_are_rebuilt_exactly_and_verified(served: Served) -> None:
    before = poll_rows(served.url)
    # Two polls of the first three (one went with its status); of the edited ones, three
    # (one removed): kept, reset (a second generation), added.
    polls, entries, versions = before[:5], before[5:7], before[7:]
    assert len(polls) == 5
    assert any(row[-3] for row in polls)  # an expiry recorded (closed)
    assert sorted(row[-2] for row in polls) == [0, 0, 0, 0, 1]  # one reset by an edit
    assert all(row[-1] for row in polls)  # every poll has votes
    assert len(entries) == 2  # one cancelled, one published
    # Versions: kept (2), reset (2), removed (the original only), added (the edit only).
    assert [v[2] for v in versions].count(["a", "b"]) == 4
    assert ["a", "b", "c"] in [v[2] for v in versions] and ["p", "q"] in [v[2] for v in versions]
    assert entries[1][3]["poll"] == {"options": ["x", "y"], "expires_in": 600}
    served.server.stop()
    for batch in ("1", "7", "5000"):
        result = tootlog(served.url, "rebuild", "--offline", "--batch-size", batch)
        assert result.returncode == 0, result.stdout + result.stderr
        assert poll_rows(served.url) == before
    check = tootlog(served.url, "verify")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "tootlog_polls" in check.stdout and "tootlog_poll_votes" in check.stdout
    assert "tootlog_scheduled_statuses" in check.stdout
    with psycopg.connect(served.url, autocommit=True) as conn:
        poll_id = conn.execute(
            "UPDATE tootlog_polls SET voters_count = voters_count + 1"
            " WHERE id = (SELECT min(id) FROM tootlog_polls) RETURNING id"
        ).fetchone()[0]
    drifted = tootlog(served.url, "verify")
    assert drifted.returncode == 1
    assert f"- tootlog_polls  id={poll_id}  voters_count" in drifted.stdout
