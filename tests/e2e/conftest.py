"""A server for the real clients: its JSON names the address it listens on, so every URL a client
is given (statuses, media files, `Link` pages) leads back to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import Directory, LiveServer, User, free_port, serving


@pytest.fixture(scope="session")
def reachable_server(server_url: str) -> Iterator[LiveServer]:
    """`tootlog serve` on a database of its own, with TOOTLOG_DOMAIN set to its own address."""
    port = free_port()
    address = {"TOOTLOG_DOMAIN": f"127.0.0.1:{port}", "TOOTLOG_SCHEME": "http"}
    with serving(server_url, address, port=port) as server:
        yield server


@pytest.fixture(scope="session")
def reachable_directory(reachable_server: LiveServer) -> Iterator[Directory]:
    directory = Directory(reachable_server.database_url)
    yield directory
    directory.close()


# Two users of the reachable server, new in each test module that asks for them.
@pytest.fixture(scope="module")
def alice(reachable_directory: Directory) -> User:
    return reachable_directory.user()


@pytest.fixture(scope="module")
def bob(reachable_directory: Directory) -> User:
    return reachable_directory.user()
