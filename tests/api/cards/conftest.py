"""The card tests' fixtures: a world of its own per test (tests/api/cards/world.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from commands.accounts import register_account
from commands.app import TootlogApplication
from domain.status import Author
from projections.worker import ProjectionWorker
from tests.api.cards.world import World
from tests.support import TEST_URLS


@pytest.fixture
def world(fresh_database_url: str) -> Iterator[World]:
    app = TootlogApplication(fresh_database_url, pool_size=2)
    projection = ProjectionWorker(fresh_database_url, TEST_URLS)
    projection.create_tables()
    account = register_account(app, "writer")
    try:
        yield World(fresh_database_url, app, projection, Author(account.id))
    finally:
        projection.close()
        app.close()
