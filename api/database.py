"""Which PostgreSQL to use: DATABASE_URL, or an embedded server under the data directory."""

from __future__ import annotations

import logging
from pathlib import Path

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
