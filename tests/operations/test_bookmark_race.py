"""A bookmark that races the deletion of its status can be stored after it (the aggregates do
not share a version): its row is projected the same in any batches, and no read shows it."""

from __future__ import annotations

import psycopg

from commands.accounts import issue_token
from commands.app import TootlogApplication
from domain.account import Account
from domain.bookmark import Bookmark
from domain.ids import snowflakes
from tests.operations.conftest import tootlog
from tests.support import LiveServer, new_status, scratch_database


def test_a_bookmark_recorded_after_its_status_was_deleted(server_url: str) -> None:
    with scratch_database(server_url) as url:
        app = TootlogApplication(url, pool_size=1)
        try:
            author, reader = (
                Account(
                    account_id=snowflakes.next_id(),
                    username=name,
                    email=None,
                    password_hash=None,
                    display_name="",
                )
                for name in ("author", "reader")
            )
            kept, gone = new_status(author.account_id, "kept"), new_status(author.account_id, "x")
            app.save(author, reader, kept, gone)
            early = Bookmark(account_id=reader.account_id, status_id=gone.status_id)
            early.bookmark(snowflakes.next_id())
            app.save(early)  # taken by the deletion
            gone.delete(False)
            app.save(gone)
            late = Bookmark(account_id=reader.account_id, status_id=kept.status_id)
            late.bookmark(snowflakes.next_id())
            raced = Bookmark.create_id(reader.account_id, gone.status_id)
            stale = app.repository.get(raced)
            stale.unbookmark()
            stale.bookmark(snowflakes.next_id())  # after the deletion: a row for a deleted status
            app.save(late, stale)
            token, _ = issue_token(app, reader.account_id, "read")
        finally:
            app.close()
        assert tootlog(url, "migrate").returncode == 0
        for batch in ("1", "5000"):
            result = tootlog(url, "rebuild", "--offline", "--batch-size", batch)
            assert result.returncode == 0, result.stdout + result.stderr
            check = tootlog(url, "verify")
            assert check.returncode == 0, check.stdout + check.stderr
        with psycopg.connect(url) as conn:
            rows = conn.execute(
                "SELECT count(*) FROM tootlog_bookmarks WHERE status_id = %s", (gone.status_id,)
            ).fetchone()[0]
        assert rows == 1  # the late one's row, which the reads must leave out
        server = LiveServer(url)
        try:
            with server.client(token) as client:
                listed = client.get("/api/v1/bookmarks").json()
                assert [s["id"] for s in listed] == [str(kept.status_id)]
                assert client.get(f"/api/v1/statuses/{gone.status_id}").status_code == 404
        finally:
            server.stop()
