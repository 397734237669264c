"""Read models an older tootlog built are dropped and rebuilt from the event store on start."""

from __future__ import annotations

import psycopg

from projections.schema import READ_MODEL_VERSION, TRACKED_APPLICATION, VERSION_TABLE
from projections.worker import ProjectionWorker
from tests.projections.test_worker import assert_projected_exactly_once, seed
from tests.support import TEST_URLS


def _position(url: str) -> int | None:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT notification_id FROM tootlog_tracking WHERE application_name = %s",
            (TRACKED_APPLICATION,),
        ).fetchone()
    return None if row is None else row[0]


def _projected(url: str) -> tuple[ProjectionWorker, list[int], int]:
    worker = ProjectionWorker(url, TEST_URLS)
    worker.create_tables()
    accounts, position = seed(url, accounts=2, statuses_each=5)
    worker.catch_up()
    assert _position(url) == position
    return worker, accounts, position


def test_read_models_of_the_first_schema_are_rebuilt_from_the_events(
    fresh_database_url: str,
) -> None:
    url = fresh_database_url
    worker, accounts, position = _projected(url)
    worker.close()
    # What a tootlog before the recorded version left: no version table, no thread_key column.
    with psycopg.connect(url) as conn:
        conn.execute(f"DROP TABLE {VERSION_TABLE}")
        conn.execute("ALTER TABLE tootlog_statuses DROP COLUMN thread_key")

    upgraded = ProjectionWorker(url, TEST_URLS)
    upgraded.create_tables()
    assert _position(url) is None  # the tracking position went with the tables
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM tootlog_statuses").fetchone()[0] == 0
        assert conn.execute(f"SELECT version FROM {VERSION_TABLE}").fetchall() == [
            (READ_MODEL_VERSION,)
        ]
    assert upgraded.catch_up() == position
    upgraded.close()
    assert_projected_exactly_once(url, accounts, 5)
    with psycopg.connect(url) as conn:
        keys = conn.execute("SELECT count(thread_key) FROM tootlog_statuses").fetchone()[0]
    assert keys == len(accounts) * 5


def test_read_models_of_another_recorded_version_are_rebuilt(fresh_database_url: str) -> None:
    url = fresh_database_url
    worker, accounts, position = _projected(url)
    worker.close()
    with psycopg.connect(url) as conn:
        conn.execute(f"UPDATE {VERSION_TABLE} SET version = %s", (READ_MODEL_VERSION + 1,))

    again = ProjectionWorker(url, TEST_URLS)
    again.create_tables()
    assert _position(url) is None
    assert again.catch_up() == position
    again.close()
    assert_projected_exactly_once(url, accounts, 5)


def test_read_models_of_this_version_are_kept(fresh_database_url: str) -> None:
    url = fresh_database_url
    worker, accounts, position = _projected(url)
    worker.close()

    restarted = ProjectionWorker(url, TEST_URLS)
    restarted.create_tables()
    assert _position(url) == position
    assert restarted.catch_up() == 0
    restarted.close()
    assert_projected_exactly_once(url, accounts, 5)


def test_an_upgrade_builds_the_new_read_models_before_switching_to_them(
    fresh_database_url: str,
) -> None:
    """`prepare` (what serve, project and every CLI command run first): read models of an older
    version are replaced by complete new ones, never by empty ones being filled."""
    from projections.rebuild import prepare

    url = fresh_database_url
    worker, accounts, position = _projected(url)
    worker.close()
    with psycopg.connect(url) as conn:
        conn.execute(f"UPDATE {VERSION_TABLE} SET version = %s", (READ_MODEL_VERSION - 1,))
        conn.execute("ALTER TABLE tootlog_statuses DROP COLUMN thread_key")
        conn.execute("DROP TABLE tootlog_event_index")  # a table the older version lacked

    prepare(url, TEST_URLS)
    assert _position(url) == position  # complete when switched in
    with psycopg.connect(url) as conn:
        assert conn.execute(f"SELECT version FROM {VERSION_TABLE}").fetchall() == [
            (READ_MODEL_VERSION,)
        ]
        keys = conn.execute("SELECT count(thread_key) FROM tootlog_statuses").fetchone()[0]
        schemas = conn.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'tootlog_%'"
        ).fetchone()[0]
    assert keys == len(accounts) * 5
    assert schemas == 0
    assert_projected_exactly_once(url, accounts, 5)
