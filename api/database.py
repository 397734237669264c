"""Which PostgreSQL to use: DATABASE_URL, or an embedded server under the data directory."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

log = logging.getLogger("tootlog.database")


def embedded_database_url(data_dir: Path) -> str:
    """Start (or join) the embedded PostgreSQL of `data_dir` and return its URL."""
    try:
        import pgserver
    except ImportError as error:  # pragma: no cover - depends on the install
        raise SystemExit(
            "DATABASE_URL is not set and the embedded PostgreSQL is not installed: "
            "pip install 'tootlog[embedded]' or set DATABASE_URL"
        ) from error
    pgdata = (data_dir / "postgres").resolve()
    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    return server.get_uri()


def resolve_database_url(database_url: str | None, data_dir: Path) -> tuple[str, bool]:
    """The URL to use and whether it is the embedded server."""
    if database_url:
        return database_url, False
    return embedded_database_url(data_dir), True


# A comma starts the next URL only before a scheme: one URL may name several hosts
# (postgresql://a,b/db), libpq's failover list.
_NEXT_URL = re.compile(r",\s*(?=postgres(?:ql)?://)")


def read_database_urls(raw: str) -> tuple[str, ...]:
    """TOOTLOG_READ_DATABASE_URL: the replicas' libpq URLs, comma-separated (empty: none)."""
    urls = tuple(url.strip() for url in _NEXT_URL.split(raw.strip()) if url.strip())
    for url in urls:
        if not url.startswith(("postgres://", "postgresql://")):
            raise ValueError(
                f"TOOTLOG_READ_DATABASE_URL must be postgresql:// URLs separated by commas,"
                f" not {url!r}"
            )
        try:
            conninfo_to_dict(url)
        except psycopg.ProgrammingError as error:
            message = f"TOOTLOG_READ_DATABASE_URL: {url!r} is not a valid URL: {error}"
            raise ValueError(message) from None
    return urls


def database_name(url: str) -> str:
    """host:port/dbname of a libpq URL, without its user or password (for logs and metrics)."""
    parts = conninfo_to_dict(url)
    return f"{parts.get('host', 'localhost')}:{parts.get('port', '5432')}/{parts.get('dbname', '')}"
