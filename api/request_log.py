"""One log line per request (method, route template, status, duration, request id), the request
metrics and the X-Request-Id header; in the log format of api/log_format.py.

The request id is the client's `X-Request-Id` when it is a short token, else a new one; it is
sent back, and every log line written while the request runs carries it.
"""

from __future__ import annotations

import itertools
import logging
import re
import secrets
import time

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.log_format import TEXT_FORMAT, JsonFormatter, current_request_id, json_object
from api.metrics import record_request

log = logging.getLogger("tootlog.request")

UNMATCHED = "unmatched"  # the route label of a path no route serves (any path: unbounded)
_CLIENT_ID = re.compile(rb"^[A-Za-z0-9._-]{1,128}$")
# New ids: this process's random prefix and a counter (no system call per request).
_PROCESS_PREFIX = secrets.token_hex(8)
_sequence = itertools.count(1)


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
        token = current_request_id.set(request_id)
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
            write_request_line(method, template, status, seconds * 1000, request_id)
            current_request_id.reset(token)


def _request_id_of(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id" and _CLIENT_ID.match(value):
            return value.decode()
    return f"{_PROCESS_PREFIX}{next(_sequence):016x}"


def write_request_line(
    method: str, route: str, status: int, duration_ms: float, request_id: str
) -> None:
    """Log one request's line. Through `logging`, unless the only place it would go is the
    stderr handler tootlog's commands set up: then the line is formatted as that handler's
    formatter would and written straight to its stream, without a LogRecord and a Formatter:
    16 instead of 27 us of CPU a request in the API process under load, where the whole line
    cost 14% of `make bench`'s GET throughput (docs/benchmarks.md, "The request log line")."""
    message = f"{method} {route} {status} {duration_ms:.1f}ms {request_id}"

    def fields() -> dict[str, object]:
        return {
            "method": method,
            "route": route,
            "status": status,
            "duration_ms": round(duration_ms, 3),
            "request_id": request_id,
        }

    handler = _only_handler()
    if handler is not None:
        created = _now()
        formatter = handler.formatter
        if isinstance(formatter, JsonFormatter):
            line = orjson.dumps(
                json_object(created, "INFO", log.name, message, request_id, fields()),
                default=str,
            ).decode()
        else:
            line = f"{_asctime(created)} {log.name} {message}"
        handler.acquire()
        try:
            handler.stream.write(line + handler.terminator)
            handler.flush()
            return
        except Exception:  # noqa: BLE001 - logged below, as logging would handle it
            pass
        finally:
            handler.release()
    log.info(message, extra={"fields": fields()})


def _only_handler() -> logging.StreamHandler | None:
    """The root's one StreamHandler, when the request log's records would reach it alone,
    unfiltered, formatted by TEXT_FORMAT or JsonFormatter (None otherwise: a test's capture,
    an operator's own logging setup)."""
    if log.handlers or log.filters or not log.isEnabledFor(logging.INFO):
        return None
    root = logging.root
    if len(root.handlers) != 1 or root.filters:
        return None
    (handler,) = root.handlers
    if type(handler) is not logging.StreamHandler or handler.filters:
        return None
    if handler.level > logging.INFO:
        return None
    formatter = handler.formatter
    if isinstance(formatter, JsonFormatter) or (
        type(formatter) is logging.Formatter
        and formatter._fmt == TEXT_FORMAT  # noqa: SLF001 - the format it was made with
        and formatter.datefmt is None
    ):
        return handler
    return None


_now = time.time  # the clock of the lines written directly (a test sets its own)
_second: list = [None, ""]  # the last whole second formatted by _asctime, and its text


def _asctime(created: float) -> str:
    """`created` as logging.Formatter writes %(asctime)s by default (local time, msecs)."""
    whole = int(created)
    if whole != _second[0]:
        _second[0] = whole
        _second[1] = time.strftime(logging.Formatter.default_time_format, time.localtime(whole))
    return logging.Formatter.default_msec_format % (_second[1], int((created - whole) * 1000))
