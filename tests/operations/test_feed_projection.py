"""The home feeds are a projection of their own, committed after the main read models' batch
(projections/feed_projector.py): left behind by a crash between the two commits, they catch up
from their own position and end as a replay builds them."""

from __future__ import annotations

import logging
import time

import psycopg
import pytest

from bench.eventlog import generate
from domain.status import Status
from projections.history import events_after
from projections.worker import ProjectionWorker, start_in_thread
from tests.operations.conftest import tootlog
from tests.support import TEST_URLS, scratch_database


def feed_rows(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM tootlog_home_feed").fetchone()[0]


def test_feeds_left_behind_by_a_crash_catch_up_and_verify(server_url: str) -> None:
    with scratch_database(server_url) as url:
        generate(url, 2_000)
        worker = ProjectionWorker(url, TEST_URLS, batch_size=500)
        try:
            worker.create_tables()
            # The main read models commit every batch; the feeds' commits are "lost" (as in a
            # crash between the two).
            position = 0
            while True:
                with psycopg.connect(url) as conn:
                    rows = events_after(conn, position, 500)
                if not rows:
                    break
                with worker.view.batch(position, rows[-1][0]) as writes:
                    worker.projector.apply_rows(writes, rows)
                position = rows[-1][0]
            assert worker.view.position() == position
            assert worker.view.feed_position() == 0
            assert feed_rows(url) == 0
            # A worker starting there brings the feeds level before anything else.
            worker.projector.forget()
            worker._position = None
            assert worker.catch_up() == 0
            assert worker.view.feed_position() == position
            assert feed_rows(url) > 0
        finally:
            worker.close()
        check = tootlog(url, "verify")
        assert check.returncode == 0, check.stdout + check.stderr
        assert "tootlog_home_feed" in check.stdout


def test_verify_refuses_feeds_behind_the_read_models(server_url: str) -> None:
    """verify compares every table at one position: it says so when the feeds are not there."""
    with scratch_database(server_url) as url:
        generate(url, 300)
        assert tootlog(url, "migrate").returncode == 0
        worker = ProjectionWorker(url, TEST_URLS, batch_size=1000)
        try:
            worker.create_tables()
            with psycopg.connect(url) as conn:
                rows = events_after(conn, 0, 1000)
            with worker.view.batch(0, rows[-1][0]) as writes:
                worker.projector.apply_rows(writes, rows)
        finally:
            worker.close()
        check = tootlog(url, "verify", timeout=60)
        assert check.returncode == 1
        assert "the home feeds are behind the other read models" in check.stderr
        assert "Traceback" not in check.stderr


def test_a_feed_row_already_there_fails_its_batch_and_the_feeds_catch_up_past_it(
    server_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The feeds' inserts go without ON CONFLICT (a row is never written twice); should one be
    there anyway, its batch fails and the feeds catch up with inserts that skip it, instead of
    failing the same batch forever."""
    with scratch_database(server_url) as url:
        generate(url, 2_000)
        worker = ProjectionWorker(url, TEST_URLS, batch_size=500)
        try:
            worker.create_tables()
            with psycopg.connect(url) as conn:
                rows = events_after(conn, 600, 2_000)
                published = next(
                    event
                    for _, event in worker.projector.decode(rows)
                    if isinstance(event, Status.Published)
                )
                # The author's own feed row for a status of the second batch, there too early.
                conn.execute(
                    "INSERT INTO tootlog_home_feed (account_id, status_id, author_id, shown_id)"
                    " VALUES (%s, %s, %s, %s)",
                    (published.account_id, published.status_id) * 2,
                )
                head = conn.execute("SELECT max(notification_id) FROM tootlog_events").fetchone()
            caplog.set_level(logging.WARNING, logger="tootlog.projection")
            thread, stop = start_in_thread(worker)
            try:
                deadline = time.monotonic() + 60
                while worker.view.feed_position() < head[0]:
                    assert time.monotonic() < deadline, "the feeds did not get past the row"
                    time.sleep(0.05)
            finally:
                stop.set()
                thread.join(timeout=10)
            assert worker.view.position() == head[0]
            assert "home feeds at position" in caplog.text
        finally:
            worker.close()
        check = tootlog(url, "verify")
        assert check.returncode == 0, check.stdout + check.stderr
