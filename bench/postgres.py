"""The PostgreSQL of a bench run: a scratch database on DATABASE_URL's server or an embedded one."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo


@contextlib.contextmanager
def server_url() -> Iterator[str]:
    """DATABASE_URL if set, else an embedded PostgreSQL (pgserver) that lives as long as the run."""
    url = os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    import pgserver  # the `embedded` extra; only needed without DATABASE_URL

    with tempfile.TemporaryDirectory(prefix="tootlog-bench-") as tmp:
        server = pgserver.get_server(Path(tmp) / "pgdata", cleanup_mode="stop")
        try:
            yield server.get_uri()
        finally:
            server.cleanup()


@contextlib.contextmanager
def scratch_database(server: str) -> Iterator[str]:
    """A fresh database on `server` for one run; dropped on exit, connections and all."""
    name = f"tootlog_bench_{secrets.token_hex(4)}"
    _execute(server, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_conninfo(server, dbname=name)
    finally:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        _execute(server, drop.format(sql.Identifier(name)))


def execute(url: str, query: str, params: tuple[object, ...]) -> None:
    """Run one statement on `url` in its own transaction."""
    with psycopg.connect(url) as conn:
        conn.execute(query, params)


def vacuum_analyze(url: str) -> None:
    """VACUUM ANALYZE the whole database (outside a transaction, as VACUUM must be)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def execute_many(url: str, query: str, rows: list[tuple[object, ...]]) -> None:
    """Run one statement for each row, in one transaction."""
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        cursor.executemany(query, rows)


def fetch_all(url: str, query: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
    """The rows of one query."""
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchall()


def backend_pids(url: str) -> list[int]:
    """The server processes of the other connections to this database."""
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return [pid for (pid,) in rows]


def _execute(url: str, statement: sql.Composed) -> None:
    """Run a statement that cannot run inside a transaction (CREATE/DROP DATABASE)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement)
