"""The operator's commands, run as an operator runs them: `tootlog ...` in a subprocess, against a
server's database."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.operations.seeding import social_history
from tests.support import TEST_DOMAIN, Directory, LiveServer, scratch_database

ROOT = Path(__file__).resolve().parents[2]


def tootlog(
    database_url: str, *args: str, timeout: float = 120.0, read_model_url: str | None = None
) -> subprocess.CompletedProcess:
    """`tootlog ARGS` with the server's settings (and its read models' database, when they have
    one of their own); stdout and stderr captured as text."""
    env = {**os.environ, "DATABASE_URL": database_url, "TOOTLOG_DOMAIN": TEST_DOMAIN}
    if read_model_url is not None:
        env["TOOTLOG_READ_MODEL_DATABASE_URL"] = read_model_url
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@dataclass
class Served:
    """A server on a database of its own, with a social history written through its API."""

    url: str
    server: LiveServer
    directory: Directory
    statuses: list[str]


@pytest.fixture
def served(server_url: str) -> Iterator[Served]:
    with scratch_database(server_url) as url:
        server = LiveServer(url)
        directory = Directory(url)
        served = Served(url, server, directory, [])
        try:
            served.statuses = social_history(server, directory, 40)
            yield served
        finally:
            served.server.stop()  # a test may have started another
            directory.close()
