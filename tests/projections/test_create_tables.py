"""Creating the read models' tables (every start of serve, api, project and the CLI does) beside a
projection batch that is writing: it waits for the batch, never deadlocks with it."""

from __future__ import annotations

import threading
import time

import psycopg

from projections.datastore import datastore_for
from projections.tables import ReadModelTables


def _someone_waits_for_a_lock(conn: psycopg.Connection) -> bool:
    row = conn.execute(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    ).fetchone()
    return bool(row and row[0])


def test_creating_the_tables_beside_a_writing_batch_does_not_deadlock(
    fresh_database_url: str,
) -> None:
    url = fresh_database_url
    datastore = datastore_for(url)
    tables = ReadModelTables(datastore)
    tables.create_table()

    # A batch in flight, as the worker's: it has written the home feeds (their index is created
    # after the statuses' ones) and will write a status next.
    batch = psycopg.connect(url)
    batch.execute(
        "INSERT INTO tootlog_home_feed (account_id, status_id, author_id, shown_id)"
        " VALUES (1, 1, 1, 1)"
    )

    # Meanwhile another process starts and creates the tables (all there: IF NOT EXISTS).
    errors: list[BaseException] = []

    def create() -> None:
        try:
            tables.create_table()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    creating = threading.Thread(target=create)
    creating.start()
    with psycopg.connect(url, autocommit=True) as watcher:
        deadline = time.monotonic() + 10
        while not _someone_waits_for_a_lock(watcher):
            assert time.monotonic() < deadline, "the creation never reached the batch's table"
            time.sleep(0.02)

    # The batch goes on to the statuses, whose indexes the creation has already checked.
    batch.execute("UPDATE tootlog_statuses SET replies_count = replies_count + 1 WHERE id = 1")
    batch.commit()
    batch.close()
    creating.join(timeout=20)
    datastore.close()

    assert not creating.is_alive()
    assert errors == []
