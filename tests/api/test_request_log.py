"""The request log line: written straight to the one stderr handler tootlog's commands set up,
exactly as that handler's formatter would write it, and through `logging` otherwise."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from api import request_log
from api.log_format import TEXT_FORMAT, JsonFormatter, current_request_id
from api.request_log import write_request_line

CREATED = 1_764_950_400.0625  # a fixed moment, with milliseconds


@pytest.fixture
def root_handler(monkeypatch: pytest.MonkeyPatch) -> Iterator[logging.StreamHandler]:
    """A StreamHandler on a buffer, for `only` to make the root logger's one handler."""
    handler = logging.StreamHandler(io.StringIO())
    monkeypatch.setattr(logging.root, "level", logging.INFO)
    monkeypatch.setattr(request_log, "_now", lambda: CREATED)
    yield handler


def only(handler: logging.StreamHandler, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `handler` the root's only one, as api/cli.py sets it up (pytest adds a capturing
    handler of its own when a test starts, so this runs in the test)."""
    monkeypatch.setattr(logging.root, "handlers", [handler])
    assert request_log._only_handler() is handler


def record(message: str, fields: dict) -> logging.LogRecord:
    made = logging.LogRecord("tootlog.request", logging.INFO, "", 0, message, (), None)
    made.created = CREATED
    made.msecs = int((CREATED - int(CREATED)) * 1000) + 0.0
    made.fields = fields
    return made


def written(handler: logging.StreamHandler) -> str:
    return handler.stream.getvalue()


def test_a_text_line_is_what_the_text_formatter_writes(root_handler, monkeypatch) -> None:
    root_handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    only(root_handler, monkeypatch)
    write_request_line("GET", "/api/v1/statuses/{id}", 200, 3.46, "rid-1")
    expected = logging.Formatter(TEXT_FORMAT).format(
        record("GET /api/v1/statuses/{id} 200 3.5ms rid-1", {})
    )
    assert written(root_handler) == expected + "\n"
    assert ",062 tootlog.request GET" in expected  # the milliseconds as logging writes them


def test_a_json_line_is_what_the_json_formatter_writes(root_handler, monkeypatch) -> None:
    root_handler.setFormatter(JsonFormatter())
    only(root_handler, monkeypatch)
    write_request_line("POST", "/api/v1/statuses", 422, 12.3456, "rid-2")
    fields = {
        "method": "POST",
        "route": "/api/v1/statuses",
        "status": 422,
        "duration_ms": 12.346,
        "request_id": "rid-2",
    }
    token = current_request_id.set("rid-2")
    try:
        expected = JsonFormatter().format(record("POST /api/v1/statuses 422 12.3ms rid-2", fields))
    finally:
        current_request_id.reset(token)
    assert written(root_handler) == expected + "\n"
    assert json.loads(expected)["request_id"] == "rid-2"


def test_any_other_logging_setup_gets_a_log_record(
    root_handler, monkeypatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A second handler (here pytest's capture) or another formatter: the line goes through
    logging, as a record with the request's fields, and each handler formats it."""
    root_handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    only(root_handler, monkeypatch)
    logging.root.addHandler(caplog.handler)
    assert request_log._only_handler() is None
    with caplog.at_level(logging.INFO, logger="tootlog.request"):
        write_request_line("GET", "/health", 200, 0.2, "rid-3")
    (captured,) = [r for r in caplog.records if r.name == "tootlog.request"]
    assert captured.getMessage() == "GET /health 200 0.2ms rid-3"
    assert captured.fields["route"] == "/health"
    assert written(root_handler).endswith(" tootlog.request GET /health 200 0.2ms rid-3\n")
    only(root_handler, monkeypatch)
    root_handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    assert request_log._only_handler() is None


def test_a_request_log_switched_off_writes_nothing(root_handler, monkeypatch) -> None:
    root_handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    only(root_handler, monkeypatch)
    monkeypatch.setattr(request_log.log, "level", logging.WARNING)
    request_log.log.manager._clear_cache()
    try:
        write_request_line("GET", "/health", 200, 0.2, "rid-4")
    finally:
        monkeypatch.undo()
        request_log.log.manager._clear_cache()
    assert written(root_handler) == ""
