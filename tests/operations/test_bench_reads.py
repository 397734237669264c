"""The log bench's read speeds (bench/log_bench.py): the raw read is the rebuild's own reader,
which reads every event in pages, and so do the decoded read and the library's page query."""

from __future__ import annotations

import psycopg

from bench import log_bench
from bench.eventlog import generate
from projections.schema import EVENTS_TABLE
from tests.support import scratch_database


def test_every_reader_reads_every_event_across_pages(server_url: str, monkeypatch) -> None:
    with scratch_database(server_url) as url:
        generate(url, 2_500)
        with psycopg.connect(url) as conn:
            stored = conn.execute(f"SELECT count(*) FROM {EVENTS_TABLE}").fetchone()[0]
        # Pages smaller than the log, and not dividing it: the last page is a short one.
        monkeypatch.setattr(log_bench, "READ_PAGE", 300)
        assert stored % 300 != 0

        raw, raw_rate = log_bench.read_speed(url, decode=False)
        decoded, decoded_rate = log_bench.read_speed(url, decode=True)
        library, library_rate = log_bench.library_read_speed(url)

        assert raw == decoded == library == stored
        assert raw_rate > 0 and decoded_rate > 0 and library_rate > 0
