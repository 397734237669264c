"""One log line per request (method, route template, status, duration, request id), the request
metrics, the X-Request-Id header, and the log format (`TOOTLOG_LOG_FORMAT`: text or json).

The request id is the client's `X-Request-Id` when it is a short token, else a new one; it is
sent back, and every log line written while the request runs carries it.
"""

from __future__ import annotations

import contextvars
import itertools
import logging
import re
import secrets
import time
from datetime import UTC, datetime

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.metrics import record_request

log = logging.getLogger("tootlog.request")

UNMATCHED = "unmatched"  # the route label of a path no route serves (any path: unbounded)
_CLIENT_ID = re.compile(rb"^[A-Za-z0-9._-]{1,128}$")
# New ids: this process's random prefix and a counter (no system call per request).
_PROCESS_PREFIX = secrets.token_hex(8)
_sequence = itertools.count(1)
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


class RequestLog:
    """ASGI middleware: times each request, logs it, counts it and tags it with an id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id_of(scope)
        token = _request_id.set(request_id)
        status = 500  # unless an answer starts: an error no handler answered

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", ()),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or UNMATCHED
            method = scope["method"]
            record_request(method, template, status, seconds)
            log.info(
                "%s %s %d %.1fms %s",
                method,
                template,
                status,
                seconds * 1000,
                request_id,
                extra={
                    "fields": {
                        "method": method,
                        "route": template,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 3),
                        "request_id": request_id,
                    }
                },
            )
            _request_id.reset(token)


def _request_id_of(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id" and _CLIENT_ID.match(value):
            return value.decode()
    return f"{_PROCESS_PREFIX}{next(_sequence):016x}"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request id if any, and the
    record's `fields` (extra={"fields": {...}}), plus the traceback of an exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = _request_id.get()
        if request_id is not None:
            line["request_id"] = request_id
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


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
