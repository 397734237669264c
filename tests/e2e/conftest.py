"""A server for the real clients: its JSON names the address it listens on, so every URL a client
is given (statuses, media files, `Link` pages) leads back to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import Directory, LiveServer, free_port, scratch_database


@pytest.fixture(scope="session")
def reachable_server(server_url: str) -> Iterator[LiveServer]:
    """`tootlog serve` on a database of its own, with TOOTLOG_DOMAIN set to its own address."""
    with scratch_database(server_url) as database_url:
        port = free_port()
        address = {"TOOTLOG_DOMAIN": f"127.0.0.1:{port}", "TOOTLOG_SCHEME": "http"}
        server = LiveServer(database_url, address, port=port)
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture(scope="session")
def reachable_directory(reachable_server: LiveServer) -> Iterator[Directory]:
    directory = Directory(reachable_server.database_url)
    yield directory
    directory.close()
