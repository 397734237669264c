"""A PostgreSQL primary and a streaming replica of it, made for a test or a bench run: two clusters
in a temporary directory, on free ports of 127.0.0.1, with the server binaries of
/usr/lib/postgresql/15/bin (initdb, pg_basebackup -R, pg_ctl). Nothing touches any other server.

As root (initdb refuses root) the binaries run as the `postgres` user, which owns the directory.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg

from bench.servers import free_port

PG_BIN = Path(os.environ.get("TOOTLOG_PG_BIN", "/usr/lib/postgresql/15/bin"))
DATABASE = "tootlog"
# Small and quick: these clusters hold a test's or a bench run's data only.
SETTINGS = """
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
wal_level = replica
max_wal_senders = 4
hot_standby = on
max_connections = 100
shared_buffers = 64MB
fsync = off
full_page_writes = off
"""


def missing() -> str | None:
    """Why clusters cannot be made here (None: they can)."""
    for tool in ("initdb", "pg_ctl", "pg_basebackup", "postgres"):
        if not (PG_BIN / tool).exists():
            return f"the PostgreSQL server binaries are not installed ({PG_BIN / tool} missing)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no `postgres` user to run initdb as"
    return None


@dataclass
class Cluster:
    """One PostgreSQL cluster of ours: its data directory and port."""

    directory: Path
    port: int

    def url(self, dbname: str = DATABASE) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def start(self) -> None:
        _run("pg_ctl", "-D", self.directory, "-l", self.directory / "server.log", "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        _run("pg_ctl", "-D", self.directory, "-m", mode, "-w", "stop")

    def execute(self, query: str, dbname: str = DATABASE) -> list[tuple]:
        with psycopg.connect(self.url(dbname), autocommit=True) as conn:
            cursor = conn.execute(query)
            return cursor.fetchall() if cursor.description else []


@dataclass
class Replicated:
    """A primary, a replica streaming from it, and the database `tootlog` on both."""

    primary: Cluster
    replica: Cluster

    def pause_replay(self) -> None:
        self.replica.execute("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        self.replica.execute("SELECT pg_wal_replay_resume()")

    def wait_for_replay(self, timeout: float = 10.0) -> None:
        """Until the replica has replayed everything the primary has written by now."""
        ((target,),) = self.primary.execute("SELECT pg_current_wal_lsn()::text")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ((done,),) = self.replica.execute(
                f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"
            )
            if done:
                return
            time.sleep(0.05)
        raise TimeoutError(f"the replica did not replay up to {target} in {timeout} s")


@contextlib.contextmanager
def primary_and_replica() -> Iterator[Replicated]:
    """Make, start, and at the end stop and delete both clusters."""
    reason = missing()
    if reason:
        raise RuntimeError(reason)
    root = Path(tempfile.mkdtemp(prefix="tootlog-clusters-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    primary = Cluster(root / "primary", free_port())
    replica = Cluster(root / "replica", free_port())
    started: list[Cluster] = []
    try:
        _run("initdb", "-D", primary.directory, "-U", "postgres", "-A", "trust", "--no-sync")
        _configure(primary, SETTINGS)
        primary.start()
        started.append(primary)
        primary.execute(f"CREATE DATABASE {DATABASE}", dbname="postgres")
        _run(
            "pg_basebackup",
            "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
            "-D", replica.directory, "-R", "-X", "stream", "-c", "fast", "--no-sync",
        )  # fmt: skip
        _configure(replica, "")
        replica.start()
        started.append(replica)
        yield Replicated(primary, replica)
    finally:
        for cluster in reversed(started):
            with contextlib.suppress(subprocess.CalledProcessError):
                cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


def _configure(cluster: Cluster, settings: str) -> None:
    conf = cluster.directory / "postgresql.conf"
    with conf.open("a") as file:
        file.write(f"{settings}\nport = {cluster.port}\n")


def _run(tool: str, *args: object) -> None:
    command = [str(PG_BIN / tool), *map(str, args)]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    finished = subprocess.run(command, capture_output=True, text=True, cwd="/", timeout=120)
    if finished.returncode != 0:
        raise subprocess.CalledProcessError(
            finished.returncode, command, finished.stdout, finished.stderr
        )
