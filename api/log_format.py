"""The log format of every tootlog process (`TOOTLOG_LOG_FORMAT`: text or json), and the id of
the request being served, which a JSON line carries (api/request_log.py sets it). A module of its
own, so that the operator's commands set up their logging without the server's imports."""

from __future__ import annotations

import contextvars
import logging
from datetime import UTC, datetime

import orjson

# The text format of every tootlog process's log lines (api/cli.py).
TEXT_FORMAT = "%(asctime)s %(name)s %(message)s"
# The request being served, if any (api/request_log.py).
current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request id if any, and the
    record's `fields` (extra={"fields": {...}}), plus the traceback of an exception."""

    def format(self, record: logging.LogRecord) -> str:
        line = json_object(
            record.created,
            record.levelname,
            record.name,
            record.getMessage(),
            current_request_id.get(),
            getattr(record, "fields", {}),
        )
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


def json_object(
    created: float,
    level: str,
    logger: str,
    message: str,
    request_id: str | None,
    fields: dict[str, object],
) -> dict[str, object]:
    line: dict[str, object] = {
        "time": datetime.fromtimestamp(created, tz=UTC).isoformat(),
        "level": level,
        "logger": logger,
        "message": message,
    }
    if request_id is not None:
        line["request_id"] = request_id
    line.update(fields)
    return line


def use_log_format(log_format: str) -> None:
    """Give every handler of the root and uvicorn loggers the chosen format."""
    # Neither format shows the caller's file and line, the thread or the process, so records
    # do not collect them (the logging HOWTO's "Optimization"): finding the caller walks the
    # stack on every line, and a line is written per request.
    logging._srcfile = None  # noqa: SLF001 - the documented switch
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    if log_format != "json":
        return
    formatter = JsonFormatter()
    for name in ("", "uvicorn", "uvicorn.error", "uvicorn.access"):
        for handler in logging.getLogger(name).handlers:
            handler.setFormatter(formatter)
