"""`tootlog verify`: equal read models pass; a corrupted counter, a missing row and an extra row
are each found and named; it works while the server is writing."""

from __future__ import annotations

import threading

import psycopg

from tests.operations.conftest import Served, tootlog


def test_equal_read_models_pass(served: Served) -> None:
    result = tootlog(served.url, "verify")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the live read models equal a fresh replay of the log" in result.stdout
    assert "tootlog_statuses" in result.stdout and "tootlog_event_index" in result.stdout
    with psycopg.connect(served.url) as conn:  # the scratch copy is gone
        assert conn.execute("SELECT to_regnamespace('tootlog_verify')").fetchone()[0] is None


def test_a_corrupted_counter_a_missing_row_and_an_extra_row_are_named(served: Served) -> None:
    status_id = int(served.statuses[0])
    with psycopg.connect(served.url, autocommit=True) as conn:
        counted = conn.execute(
            "UPDATE tootlog_statuses SET favourites_count = favourites_count + 5 WHERE id = %s"
            " RETURNING favourites_count",
            (status_id,),
        ).fetchone()[0]
        follower, followee = conn.execute(
            "DELETE FROM tootlog_follows WHERE ctid = (SELECT min(ctid) FROM tootlog_follows)"
            " RETURNING follower_id, followee_id"
        ).fetchone()
        conn.execute(
            "INSERT INTO tootlog_favourites (id, account_id, status_id) VALUES (42, 1, %s)",
            (status_id,),
        )
    result = tootlog(served.url, "verify")
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert (
        f"- tootlog_statuses  id={status_id}  favourites_count  live={counted}"
        f"  replayed={counted - 5}" in out
    )
    assert (
        f"- tootlog_follows  follower_id={follower}, followee_id={followee}  (row)"
        "  live='missing'  replayed='present'" in out
    )
    assert "- tootlog_favourites  id=42  (row)  live='present'  replayed='missing'" in out
    summary = {line.split()[0]: line for line in out.splitlines() if line.startswith("  tootlog_")}
    assert summary["tootlog_statuses"].endswith("1 differ")
    assert summary["tootlog_follows"].endswith("1 differ")
    assert summary["tootlog_favourites"].endswith("1 differ")
    assert summary["tootlog_accounts"].endswith("equal")


def test_a_value_the_primary_key_only_carries_is_named_as_a_column(served: Served) -> None:
    """A home feed row's shown id rides in its primary key's index (INCLUDE) but is not part of
    the key: a wrong one is that row's column differing, not one row missing and another extra."""
    with psycopg.connect(served.url, autocommit=True) as conn:
        account, status, shown = conn.execute(
            "UPDATE tootlog_home_feed SET shown_id = shown_id + 1"
            " WHERE (account_id, status_id) = (SELECT account_id, status_id FROM tootlog_home_feed"
            " ORDER BY account_id, status_id LIMIT 1) RETURNING account_id, status_id, shown_id"
        ).fetchone()
    result = tootlog(served.url, "verify")
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        f"- tootlog_home_feed  account_id={account}, status_id={status}  shown_id"
        f"  live={shown}  replayed={shown - 1}" in result.stdout
    )
    assert "(row)" not in result.stdout
    lines = result.stdout.splitlines()
    summary = {line.split()[0]: line for line in lines if line.startswith("  tootlog_")}
    assert summary["tootlog_home_feed"].endswith("1 differ")


def test_verify_while_the_server_is_writing(served: Served) -> None:
    user = served.directory.user()
    stop = threading.Event()
    answers: list[int] = []

    def write() -> None:
        with served.server.client(user.token) as client:
            while not stop.is_set():
                answers.append(client.post("/api/v1/statuses", data={"status": "busy"}).status_code)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        result = tootlog(served.url, "verify")
    finally:
        stop.set()
        writer.join()
    assert result.returncode == 0, result.stdout + result.stderr
    assert answers and set(answers) == {200}


def test_one_verify_or_rebuild_at_a_time(served: Served) -> None:
    with psycopg.connect(served.url, autocommit=True) as conn:
        from projections.schema import REBUILD_LOCK_KEY

        conn.execute("SELECT pg_advisory_lock(%s)", (REBUILD_LOCK_KEY,))
        for command in (["verify"], ["rebuild"]):
            result = tootlog(served.url, *command)
            assert result.returncode == 1
            assert result.stderr.splitlines()[-1].startswith(
                "tootlog: another rebuild or verify is running"
            )


def test_bookmarks_are_replayed_and_compared(served: Served) -> None:
    """The history's bookmarks (some undone, a deleted status's gone) replay to the same rows;
    a bookmark row the log does not explain is named."""
    with psycopg.connect(served.url, autocommit=True) as conn:
        (rows,) = conn.execute("SELECT count(*) FROM tootlog_bookmarks").fetchone()
        assert rows > 0
        equal = tootlog(served.url, "verify")
        assert equal.returncode == 0, equal.stdout + equal.stderr
        lines = {line.split()[0]: line for line in equal.stdout.splitlines() if "tootlog_" in line}
        assert lines["tootlog_bookmarks"].endswith("equal")
        conn.execute(
            "INSERT INTO tootlog_bookmarks (id, account_id, status_id) VALUES (43, 1, %s)",
            (int(served.statuses[0]),),
        )
    result = tootlog(served.url, "verify")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "- tootlog_bookmarks  id=43  (row)  live='present'  replayed='missing'" in result.stdout


def test_conversation_mutes_are_replayed_and_compared(served: Served) -> None:
    """The history's conversation mutes (some undone, one of a deleted status's thread) replay
    to the same rows; a mute row the log does not explain is named."""
    with psycopg.connect(served.url, autocommit=True) as conn:
        (rows,) = conn.execute("SELECT count(*) FROM tootlog_conversation_mutes").fetchone()
        assert rows > 0
        equal = tootlog(served.url, "verify")
        assert equal.returncode == 0, equal.stdout + equal.stderr
        lines = {line.split()[0]: line for line in equal.stdout.splitlines() if "tootlog_" in line}
        assert lines["tootlog_conversation_mutes"].endswith("equal")
        conn.execute(
            "INSERT INTO tootlog_conversation_mutes (account_id, root_id) VALUES (1, 43)",
        )
    result = tootlog(served.url, "verify")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "tootlog_conversation_mutes  account_id=1, root_id=43  (row)" in result.stdout
