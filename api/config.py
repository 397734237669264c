"""Configuration from the environment; every setting has a default that makes `make run` work."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from api.database import read_database_urls
from domain.media import IMAGE_SIZE_LIMIT
from domain.urls import Urls

# An upload's body holds the file and an optional thumbnail, each up to the image limit.
DEFAULT_MAX_MEDIA_BODY = 2 * IMAGE_SIZE_LIMIT + 1024 * 1024
# Request line and headers; nginx's and Puma's defaults are 8-112 KiB.
DEFAULT_MAX_HEAD_BYTES = 16 * 1024


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "")
    return float(raw) if raw.strip() else default


def _registrations_open() -> bool:
    raw = os.environ.get("TOOTLOG_REGISTRATIONS", "").strip().lower()
    if raw in ("", "open"):
        return True
    if raw == "closed":
        return False
    raise ValueError(f"TOOTLOG_REGISTRATIONS must be 'open' or 'closed', not {raw!r}")


def log_format() -> str:
    """TOOTLOG_LOG_FORMAT: "text" (the default) or "json"."""
    raw = os.environ.get("TOOTLOG_LOG_FORMAT", "").strip().lower() or "text"
    if raw not in ("text", "json"):
        raise ValueError(f"TOOTLOG_LOG_FORMAT must be 'text' or 'json', not {raw!r}")
    return raw


def default_data_dir() -> Path:
    """One place whatever the working directory: $XDG_DATA_HOME/tootlog, or
    ~/.local/share/tootlog (a relative default made a second, empty database wherever tootlog
    was started)."""
    base = os.environ.get("XDG_DATA_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".local" / "share") / "tootlog"


@dataclass(frozen=True)
class Settings:
    """Everything tootlog reads from the environment."""

    database_url: str | None
    data_dir: Path
    urls: Urls
    # TOOTLOG_READ_MODEL_DATABASE_URL: the read models and their tracking position in another
    # PostgreSQL database than the event store (None: DATABASE_URL's).
    read_model_database_url: str | None = None
    write_wait_timeout: float = 5.0
    idempotency_retention: float = 3600.0
    max_body_bytes: int = 1024 * 1024
    max_header_bytes: int = DEFAULT_MAX_HEAD_BYTES
    max_media_body_bytes: int = DEFAULT_MAX_MEDIA_BODY
    run_worker: bool = True
    db_pool_size: int = 10
    projection_batch_size: int = 1000
    version: str = "4.3.0"
    title: str = "tootlog"
    registrations_open: bool = True
    rate_limit: int = 300
    rate_limit_period: float = 300.0
    # Statuses published and edits recorded per account and window (api/status_limit.py).
    statuses_limit: int = 300
    statuses_limit_period: float = 10800.0
    ready_max_lag: float = 30.0
    metrics_token: str | None = None
    log_format: str = "text"
    # For tests only: the shortest poll (Mastodon: 300 s) and the soonest a status may be
    # scheduled (Mastodon: 300 s); the scheduler's idle wait between looks at what is due.
    poll_min_expiration: int = 300
    schedule_min_offset: float = 300.0
    scheduler_interval: float = 1.0
    run_scheduler: bool = True
    # Read replicas (api/replicas.py): their URLs, and the lag past which one is skipped.
    read_database_urls: tuple[str, ...] = ()
    read_max_lag: float = 5.0

    @classmethod
    def from_env(cls, port: int = 8000) -> Settings:
        domain = os.environ.get("TOOTLOG_DOMAIN", "").strip()
        scheme = os.environ.get("TOOTLOG_SCHEME", "").strip()
        if not domain:
            domain, scheme = f"localhost:{port}", scheme or "http"
        return cls(
            database_url=os.environ.get("DATABASE_URL") or None,
            read_model_database_url=os.environ.get("TOOTLOG_READ_MODEL_DATABASE_URL") or None,
            data_dir=Path(os.environ.get("TOOTLOG_DATA_DIR") or default_data_dir()),
            urls=Urls(domain=domain, scheme=scheme or "https"),
            write_wait_timeout=_float("TOOTLOG_WRITE_WAIT_TIMEOUT", 5.0),
            idempotency_retention=_float("TOOTLOG_IDEMPOTENCY_RETENTION", 3600.0),
            max_body_bytes=int(_float("TOOTLOG_MAX_BODY_BYTES", 1024 * 1024)),
            max_header_bytes=int(_float("TOOTLOG_MAX_HEADER_BYTES", DEFAULT_MAX_HEAD_BYTES)),
            max_media_body_bytes=int(
                _float("TOOTLOG_MAX_MEDIA_BODY_BYTES", DEFAULT_MAX_MEDIA_BODY)
            ),
            run_worker=os.environ.get("TOOTLOG_WORKER", "1").strip().lower()
            not in ("0", "false", "no", "off"),
            db_pool_size=int(_float("TOOTLOG_DB_POOL_SIZE", 10)),
            projection_batch_size=int(_float("TOOTLOG_PROJECTION_BATCH", 1000)),
            version=os.environ.get("TOOTLOG_VERSION", "").strip() or "4.3.0",
            title=os.environ.get("TOOTLOG_TITLE", "").strip() or "tootlog",
            registrations_open=_registrations_open(),
            rate_limit=int(_float("TOOTLOG_RATE_LIMIT", 300)),
            rate_limit_period=_float("TOOTLOG_RATE_LIMIT_PERIOD", 300.0),
            statuses_limit=int(_float("TOOTLOG_STATUSES_LIMIT", 300)),
            statuses_limit_period=_float("TOOTLOG_STATUSES_LIMIT_PERIOD", 10800.0),
            ready_max_lag=_float("TOOTLOG_READY_MAX_LAG", 30.0),
            metrics_token=os.environ.get("TOOTLOG_METRICS_TOKEN", "").strip() or None,
            log_format=log_format(),
            poll_min_expiration=int(_float("TOOTLOG_POLL_MIN_EXPIRATION", 300)),
            schedule_min_offset=_float("TOOTLOG_SCHEDULE_MIN_OFFSET", 300.0),
            scheduler_interval=_float("TOOTLOG_SCHEDULER_INTERVAL", 1.0),
            run_scheduler=os.environ.get("TOOTLOG_SCHEDULER", "1").strip().lower()
            not in ("0", "false", "no", "off"),
            read_database_urls=read_database_urls(os.environ.get("TOOTLOG_READ_DATABASE_URL", "")),
            read_max_lag=_float("TOOTLOG_READ_MAX_LAG", 5.0),
        )

    def read_model_url(self, database_url: str) -> str:
        """The database of the read models (and their position): TOOTLOG_READ_MODEL_DATABASE_URL,
        or the event store's, `database_url` (DATABASE_URL or the embedded PostgreSQL's)."""
        return self.read_model_database_url or database_url

    @property
    def media_dir(self) -> Path:
        """Where uploaded files are stored."""
        return self.data_dir / "media"
