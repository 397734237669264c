"""ReadModel.batch: rows, position and NOTIFY commit together, and a position never goes back."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError

from projections.datastore import datastore_for
from projections.readmodel import ReadModel


@pytest.fixture
def view(fresh_database_url: str) -> Iterator[ReadModel]:
    view = ReadModel(datastore_for(fresh_database_url))
    view.create_table()
    yield view
    view.datastore.close()


def token_hashes(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {row[0] for row in conn.execute("SELECT token_hash FROM tootlog_tokens")}


def test_a_batch_commits_its_rows_with_its_position(
    view: ReadModel, fresh_database_url: str
) -> None:
    with view.batch(0, 7) as curs:
        view.insert_token(curs, "first", 1, None, ["read"])
    assert view.position() == 7
    assert token_hashes(fresh_database_url) == {"first"}


@pytest.mark.parametrize("previous", [0, 3, 8])
def test_a_batch_read_after_another_position_commits_nothing(
    view: ReadModel, fresh_database_url: str, previous: int
) -> None:
    """Exactly once: a batch whose events follow a position the tracking row no longer holds
    (behind it, or ahead of it) fails whole, even when its last position is further on."""
    with view.batch(0, 7) as curs:
        view.insert_token(curs, "first", 1, None, ["read"])
    with pytest.raises(IntegrityError), view.batch(previous, 20) as curs:
        view.insert_token(curs, "again", 1, None, ["read"])
    assert view.position() == 7
    assert token_hashes(fresh_database_url) == {"first"}
    with view.batch(7, 8) as curs:  # the connection is usable again
        view.insert_token(curs, "next", 1, None, ["read"])
    assert token_hashes(fresh_database_url) == {"first", "next"}


def test_a_failing_row_rolls_back_the_batch(view: ReadModel, fresh_database_url: str) -> None:
    with view.batch(0, 1) as curs:
        view.insert_token(curs, "first", 1, None, ["read"])
    with pytest.raises(IntegrityError), view.batch(1, 2) as curs:
        view.insert_token(curs, "second", 1, None, ["read"])
        view.insert_token(curs, "first", 1, None, ["read"])  # duplicate key
    assert view.position() == 1
    assert token_hashes(fresh_database_url) == {"first"}
