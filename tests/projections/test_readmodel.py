"""The read model's batch: reads in the middle of a pipelined batch get their own answers."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from projections.datastore import datastore_for
from projections.readmodel import ReadModel
from projections.writes import Writes

# Enough answers to fill the server's 8 kB output buffer several times, each computed more slowly
# than the client queues the next statement: answers then arrive while later statements are sent.
SLOW_STATEMENTS = 400


@pytest.fixture
def view(fresh_database_url: str) -> Iterator[ReadModel]:
    view = ReadModel(datastore_for(fresh_database_url))
    view.create_table()
    yield view
    view.datastore.close()


def fall_behind(writes: Writes) -> None:
    """Queue statements the server answers after the client has moved on (with no rows, like
    the batch's writes), and let the answers reach the client before the next statement."""
    for _ in range(SLOW_STATEMENTS):
        writes.curs.execute("SELECT FROM pg_sleep(0.0001) WHERE random() < 0")
    time.sleep(0.5)


def test_a_read_after_many_writes_in_a_batch_gets_its_own_row(view: ReadModel) -> None:
    with view.batch(0, 1) as curs:
        view.insert_account(curs, 7, "alice", None, False, {"id": "7"})
    with view.batch(1, 2) as curs:
        fall_behind(curs)
        assert view.username_of(curs, 7) == "alice"
        fall_behind(curs)
        assert view.mark_status_deleted(curs, 99) is None  # no such status
    assert view.position() == 2


def test_the_tracking_row_is_recorded_after_many_writes_in_a_batch(view: ReadModel) -> None:
    with view.batch(0, 1) as curs:
        fall_behind(curs)
    assert view.position() == 1


def test_media_documents_after_many_writes_in_a_batch_are_their_own(view: ReadModel) -> None:
    with view.batch(0, 1) as curs:
        view.insert_media(curs, 11, 7, {"id": "11", "type": "image"})
    with view.batch(1, 2) as curs:
        fall_behind(curs)
        assert view.media_documents(curs, [11]) == [{"id": "11", "type": "image"}]
