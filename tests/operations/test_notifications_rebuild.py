"""Notifications are derived from the log: a rebuild, in batches of any size, gives every
account the same notifications (ids, groups and dates included), and verify proves the live
table equal to a replay."""

from __future__ import annotations

import psycopg

from tests.operations.conftest import Served, tootlog

ROWS = (
    "SELECT account_id, id, type, from_account_id, status_id, group_prefix, bucket, created_at"
    " FROM tootlog_notifications ORDER BY account_id, id"
)


def _rows(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(ROWS).fetchall()


def _answers(served: Served, tokens: list[str]) -> list[object]:
    answers = []
    for token in tokens:
        with served.server.client(token) as client:
            answers.append(client.get("/api/v1/notifications", params={"limit": 80}).json())
            answers.append(client.get("/api/v2/notifications").json())
    return answers


def test_a_rebuild_reproduces_every_notification_in_any_batches(served: Served) -> None:
    with psycopg.connect(served.url) as conn:
        kinds = {row[0] for row in conn.execute("SELECT DISTINCT type FROM tootlog_notifications")}
    assert kinds == {"mention", "status", "reblog", "favourite", "follow", "poll", "update"}
    before = _rows(served.url)
    assert len(before) > 20
    tokens = [served.directory.token(account, "read") for account in _accounts(served.url)]
    answers = _answers(served, tokens)
    for batch in ("1", "7", "5000"):
        result = tootlog(served.url, "rebuild", "--batch-size", batch)
        assert result.returncode == 0, result.stdout + result.stderr
        assert _rows(served.url) == before
        assert _answers(served, tokens) == answers
    check = tootlog(served.url, "verify")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "tootlog_notifications" in check.stdout


def _accounts(url: str) -> list[int]:
    with psycopg.connect(url) as conn:
        return [
            row[0] for row in conn.execute("SELECT DISTINCT account_id FROM tootlog_notifications")
        ]
