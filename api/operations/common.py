"""What every command of the `tootlog` CLI shares: the settings, the database it uses, and the
parsing of times and positions given on the command line."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime

from psycopg.conninfo import conninfo_to_dict

from api.config import Settings, log_format
from api.database import resolve_database_url


def database(port: int = 8000) -> tuple[Settings, str, bool]:
    """The settings, the database URL and whether it is the embedded PostgreSQL; says which
    database on standard error (a command must never use another one silently)."""
    try:
        settings = Settings.from_env(port)
    except ValueError as error:  # a setting's value: one line, as any other command error
        raise CommandError(str(error)) from None
    url, embedded = resolve_database_url(settings.database_url, settings.data_dir)
    if embedded:
        where = f"the embedded PostgreSQL in {(settings.data_dir / 'postgres').resolve()}"
    else:
        where = _named(url)
    read_model_url = settings.read_model_url(url)
    if read_model_url != url:
        where += f" for the event store, {_named(read_model_url)} for the read models"
    say(f"using {where}")
    return settings, url, embedded


def _named(url: str) -> str:
    parts = conninfo_to_dict(url)
    return f"database {parts.get('dbname', '?')} on {parts.get('host', 'localhost')}"


def say(message: str) -> None:
    """Tell the operator something: a line on stderr, or a log record when the logs are JSON
    (TOOTLOG_LOG_FORMAT=json, where every line of output must be JSON)."""
    if log_format() == "json":
        for line in message.splitlines():
            if line.strip():
                logging.getLogger("tootlog").info(line)
    else:
        print(f"tootlog: {message}", file=sys.stderr, flush=True)


def moment(raw: str) -> datetime:
    """An ISO 8601 time (`2026-12-05T10:00:00Z`, with an offset, or a date); UTC if it names no
    zone."""
    text = raw.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{raw!r} is not an ISO 8601 time (e.g. 2026-12-05T10:00:00Z)"
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def positive(raw: str) -> int:
    """A position or a count: a whole number of 1 or more."""
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number of 1 or more")
    return value


class CommandError(Exception):
    """A failure to report in one line (and exit 1), such as an unknown id."""
