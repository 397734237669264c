"""The event store: configuration from DATABASE_URL, stable topics, atomic multi-aggregate saves."""

from __future__ import annotations

import inspect
import re
import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from commands.accounts import register_account
from commands.app import TootlogApplication, event_store_env
from domain import account, favourite, follow, idempotency, oauth, pins, reblog, status, token
from domain.errors import ValidationFailed

TOPIC = re.compile(r"^tootlog\.[a-z_]+\.[a-z_]+\.v\d+$")


def test_database_url_is_split_into_the_librarys_settings() -> None:
    env = event_store_env("postgresql://bob:s3cret@db.internal:6543/tootlog")
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"], env["POSTGRES_DBNAME"]) == (
        "db.internal",
        "6543",
        "tootlog",
    )
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"]) == ("bob", "s3cret")
    socket = event_store_env("postgresql://postgres:@/postgres?host=/tmp/pg")
    assert socket["POSTGRES_HOST"] == "/tmp/pg" and socket["POSTGRES_PASSWORD"] == ""


def _aggregates() -> Iterator[type[Aggregate]]:
    for module in (account, favourite, follow, idempotency, oauth, pins, reblog, status, token):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, Aggregate)
                and cls is not Aggregate
                and cls.__module__ == module.__name__
            ):
                yield cls


def test_every_event_has_a_stable_versioned_topic() -> None:
    seen = set()
    for aggregate in _aggregates():
        assert aggregate.TOPIC.startswith("tootlog.")
        for name, member in vars(aggregate).items():
            if isinstance(member, type) and issubclass(member, Aggregate.Event) and name != "Event":
                assert TOPIC.match(member.TOPIC), (aggregate, name, member.TOPIC)
                assert member.TOPIC not in seen
                seen.add(member.TOPIC)
    assert "tootlog.status.published.v1" in seen


@pytest.fixture
def write_model(fresh_database_url: str) -> Iterator[TootlogApplication]:
    app = TootlogApplication(fresh_database_url, pool_size=2)
    yield app
    app.close()


def test_stored_rows_name_events_by_topic_not_by_module(
    write_model: TootlogApplication, fresh_database_url: str
) -> None:
    register_account(write_model, "erin")
    with psycopg.connect(fresh_database_url) as conn:
        rows = conn.execute(
            "SELECT topic, state FROM tootlog_events ORDER BY notification_id"
        ).fetchall()
    assert [topic for topic, _ in rows] == [
        "tootlog.account.registered.v1",
        "tootlog.username.claimed.v1",
    ]
    assert b'"originator_topic":"tootlog.account"' in bytes(rows[0][1])
    assert b"domain." not in bytes(rows[0][1])


def test_a_username_is_claimed_once_and_the_loser_writes_nothing(
    write_model: TootlogApplication, fresh_database_url: str
) -> None:
    register_account(write_model, "frank")
    with pytest.raises(ValidationFailed, match="Username has already been taken"):
        register_account(write_model, "FRANK")
    with psycopg.connect(fresh_database_url) as conn:
        assert conn.execute("SELECT count(*) FROM tootlog_events").fetchone()[0] == 2


def test_a_second_create_of_one_id_fails_atomically(write_model: TootlogApplication) -> None:
    first = account.Username(username="gina", account_id=1)
    second = account.Username(username="gina", account_id=2)
    other = account.Username(username="harry", account_id=3)
    write_model.save(first)
    with pytest.raises(IntegrityError):
        write_model.save(other, second)
    assert write_model.get_or_none(account.Username.create_id("harry"), account.Username) is None


def test_a_save_returns_each_events_notification_id_in_order(
    write_model: TootlogApplication, fresh_database_url: str
) -> None:
    claims = [account.Username(username=f"ida{n}", account_id=n) for n in range(5)]
    recordings = write_model.save(*claims)
    with psycopg.connect(fresh_database_url) as conn:
        stored = conn.execute(
            "SELECT notification_id, originator_id FROM tootlog_events ORDER BY notification_id"
        ).fetchall()
    assert [(r.notification.id, r.domain_event.originator_id) for r in recordings] == stored


def test_a_save_waits_for_writers_that_hold_the_table(
    write_model: TootlogApplication, fresh_database_url: str
) -> None:
    """Saves take the table's EXCLUSIVE lock, so ids commit in order and readers skip none."""
    write_model.save(account.Username(username="jack", account_id=1))
    saved = threading.Event()
    with psycopg.connect(fresh_database_url) as holder:
        # What any plain INSERT holds until commit; EXCLUSIVE conflicts with it.
        holder.execute("LOCK TABLE tootlog_events IN ROW EXCLUSIVE MODE")
        thread = threading.Thread(
            target=lambda: (
                write_model.save(account.Username(username="kate", account_id=2)),
                saved.set(),
            )
        )
        thread.start()
        with psycopg.connect(fresh_database_url, autocommit=True) as observer:
            deadline = time.monotonic() + 30
            while not observer.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                " WHERE c.relname = 'tootlog_events' AND l.mode = 'ExclusiveLock'"
                " AND NOT l.granted"
            ).fetchone()[0]:
                assert not saved.is_set(), "the save did not wait for the table lock"
                assert time.monotonic() < deadline
                time.sleep(0.01)
        holder.commit()
    thread.join(timeout=30)
    assert saved.is_set()
