"""Fixtures shared by the integration and end-to-end tests (unit tests need none of them)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.link_pages import Site, running_site
from tests.support import Directory, LiveServer, scratch_database, server_database_url


@pytest.fixture(scope="session")
def server_url() -> str:
    return server_database_url()


@pytest.fixture(scope="session")
def database_url(server_url: str) -> Iterator[str]:
    """One database shared by the tests of this run that tolerate each other's data."""
    with scratch_database(server_url) as url:
        yield url


@pytest.fixture
def fresh_database_url(server_url: str) -> Iterator[str]:
    """A database of this test's own."""
    with scratch_database(server_url) as url:
        yield url


@pytest.fixture(scope="session")
def read_model_database_url(server_url: str, database_url: str) -> Iterator[str]:
    """The shared server's read models' database: the shared database itself, or, with
    TOOTLOG_TEST_READ_MODEL_DATABASE=1 in the environment, a second one (the server runs with
    TOOTLOG_READ_MODEL_DATABASE_URL), so the tests of the API run against the split."""
    if os.environ.get("TOOTLOG_TEST_READ_MODEL_DATABASE", "") in ("", "0"):
        yield database_url
        return
    with scratch_database(server_url) as url:
        yield url


@pytest.fixture(scope="session")
def live_server(database_url: str, read_model_database_url: str) -> Iterator[LiveServer]:
    server = LiveServer(database_url, read_model_url=read_model_database_url)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def directory(
    database_url: str, read_model_database_url: str, live_server: LiveServer
) -> Iterator[Directory]:
    directory = Directory(database_url, read_model_database_url)
    yield directory
    directory.close()


@pytest.fixture(scope="session")
def site() -> Iterator[Site]:
    """The local web site the link card tests fetch (reachable by name through /etc/hosts)."""
    with running_site() as running:
        yield running
