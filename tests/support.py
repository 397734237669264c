"""Test support: real PostgreSQL databases, a live tootlog server, accounts and tokens."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from commands.accounts import issue_token, register_account
from commands.app import TootlogApplication
from domain.ids import snowflakes
from domain.status import Status
from domain.urls import Urls
from projections.datastore import datastore_for
from projections.readmodel import ReadModel

TEST_DOMAIN = "example.com"
# Each test server's connection pools (TOOTLOG_DB_POOL_SIZE), smaller than the default 10.
SERVER_POOL_SIZE = 4
TEST_URLS = Urls(TEST_DOMAIN, "https")


def server_database_url() -> str:
    """DATABASE_URL, or an embedded PostgreSQL started for this test run."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    import pgserver

    # A directory of this run's own, deleted with the server when the run ends.
    data = Path(tempfile.mkdtemp(prefix="tootlog-tests-"))
    return pgserver.get_server(data, cleanup_mode="delete").get_uri()


@contextmanager
def scratch_database(base_url: str) -> Iterator[str]:
    """A new, empty database on the server of `base_url`, dropped afterwards."""
    name = f"tootlog_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    params = conninfo_to_dict(base_url)
    params["dbname"] = name
    try:
        yield make_conninfo(**params)
    finally:
        with psycopg.connect(base_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def serving(
    server_url: str,
    env: dict[str, str],
    port: int | None = None,
    command: tuple[str, ...] = ("serve",),
) -> Iterator[LiveServer]:
    """`tootlog serve` (or `command`) with `env` on a scratch database of its own, stopped
    afterwards."""
    with scratch_database(server_url) as database_url:
        server = LiveServer(database_url, env, port=port, command=command)
        try:
            yield server
        finally:
            server.stop()


def eventually(check: Callable[[], object], timeout: float = 10.0, interval: float = 0.05) -> None:
    """Return once `check()` is true; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """`tootlog serve` in a subprocess, on a free port."""

    def __init__(
        self,
        database_url: str,
        extra_env: dict[str, str] | None = None,
        port: int | None = None,
        read_model_url: str | None = None,
        command: tuple[str, ...] = ("serve",),
    ) -> None:
        """`command` is `tootlog serve` by default; `("serve", "--workers", "2")` or `("api",)`
        name another layout of processes."""
        self.database_url = database_url
        # The read models' database (TOOTLOG_READ_MODEL_DATABASE_URL), when not the event store's.
        self.read_model_url = read_model_url or database_url
        # A caller that names the port can put it in the environment too (TOOTLOG_DOMAIN).
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        # Uploaded files go to a directory of this server's own, removed when it stops.
        self.data_dir = Path(tempfile.mkdtemp(prefix="tootlog-data-"))
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "TOOTLOG_DOMAIN": TEST_DOMAIN,
            "TOOTLOG_DATA_DIR": str(self.data_dir),
            # Tests share one client address and tokens: a limit they never reach.
            "TOOTLOG_RATE_LIMIT": "1000000",
            "TOOTLOG_STATUSES_LIMIT": "1000000",
            # No card worker process unless a test asks for one (tests/e2e/test_cards.py): it
            # would only add connections to a PostgreSQL whose 100 slots the test runs share.
            "TOOTLOG_CARDS": "0",
            # Nor a scheduler process (poll expiry, scheduled statuses), for the same reason,
            # unless a test asks for one (tests/api/test_scheduler.py).
            "TOOTLOG_SCHEDULER": "0",
            # Pools of 4 rather than 10 (each server opens its write pool in full at start): a
            # test run keeps several servers up at once on PostgreSQL's 100 connection slots.
            "TOOTLOG_DB_POOL_SIZE": str(SERVER_POOL_SIZE),
            **({"TOOTLOG_READ_MODEL_DATABASE_URL": read_model_url} if read_model_url else {}),
            **(extra_env or {}),
        }
        # A file, not a pipe: a server that logs a lot must never block on a full pipe.
        self.log = tempfile.NamedTemporaryFile(prefix="tootlog-serve-", suffix=".log")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", *command, "--port", str(self.port)],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_until_up()
        except BaseException:
            # A server that never came up (say, PostgreSQL had no connection slot left) must not
            # outlive the test: orphaned, it would hold its connections for the rest of the run.
            self.stop()
            raise

    def _wait_until_up(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"tootlog serve exited:\n{self.output()}")
            try:
                httpx.get(f"{self.base_url}/api/v1/statuses/1", timeout=1.0)
            except httpx.TransportError:
                time.sleep(0.1)
                continue
            self._wait_until_projected(deadline)
            return
        raise RuntimeError("tootlog serve did not start")

    def _wait_until_projected(self, deadline: float) -> None:
        """Events stored before the start (accounts, tokens) are readable once this returns."""
        datastore = datastore_for(self.read_model_url, pool_size=1)
        try:
            read_model = ReadModel(datastore)
            with psycopg.connect(self.database_url, autocommit=True) as conn:
                row = conn.execute("SELECT max(notification_id) FROM tootlog_events").fetchone()
            head = (row[0] if row else None) or 0
            while read_model.position() < head:
                if time.monotonic() > deadline:
                    raise RuntimeError("tootlog serve did not catch up with the event store")
                time.sleep(0.02)
        finally:
            datastore.close()

    def memory_kib(self, field: str = "VmRSS") -> int:
        """The server process's resident memory (`VmRSS`) or its peak (`VmHWM`), in KiB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith(field + ":"))
        return int(line.split()[1])

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30.0)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)


class Directory:
    """Creates accounts and tokens through the write model, then waits for the projection."""

    def __init__(self, database_url: str, read_model_url: str | None = None) -> None:
        self.write_model = TootlogApplication(database_url, pool_size=2)
        self.datastore = datastore_for(read_model_url or database_url)
        self.read_model = ReadModel(self.datastore)

    def user(self, username: str | None = None, scopes: str = "read write follow") -> User:
        username = username or f"u{uuid.uuid4().hex[:10]}"
        account = register_account(
            self.write_model, username, email=f"{username}@example.org", password="secret-pw"
        )
        token, written = issue_token(self.write_model, account.id, scopes)
        self.wait_for(written.position)
        return User(account.id, username, token)

    def users(self, count: int, scopes: str = "read write follow") -> list[User]:
        """`count` new accounts with tokens, quickly: no password to hash, one wait at the end."""
        made = []
        position = 0
        for _ in range(count):
            username = f"u{uuid.uuid4().hex[:10]}"
            account = register_account(self.write_model, username, email=f"{username}@example.org")
            token, written = issue_token(self.write_model, account.id, scopes)
            made.append(User(account.id, username, token))
            position = written.position
        self.wait_for(position)
        return made

    def token(self, account_id: int | None, scopes: str) -> str:
        token, written = issue_token(self.write_model, account_id, scopes)
        self.wait_for(written.position)
        return token

    def wait_for(self, position: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self.read_model.position() < position:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the projection did not reach {position}")
            time.sleep(0.005)

    def close(self) -> None:
        self.write_model.close()
        self.datastore.close()


def new_status(account_id: int, text: str = "t", **fields: object) -> Status:
    """A public status, made straight from the domain (for tests that write events in bulk)."""
    values: dict = {
        "status_id": snowflakes.next_id(),
        "account_id": account_id,
        "text": text,
        "content": f"<p>{text}</p>",
        "spoiler_text": "",
        "sensitive": False,
        "visibility": "public",
        "language": "en",
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "mentions": [],
        "tags": [],
        "media_ids": [],
        "application": None,
    }
    return Status(**{**values, **fields})


class User:
    def __init__(self, account_id: int, username: str, token: str) -> None:
        self.account_id = account_id
        self.id = str(account_id)
        self.username = username
        self.token = token
