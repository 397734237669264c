"""The OpenAPI 3.1 description of tootlog's HTTP API, written as code.

Scopes, limits, enumerations and page sizes come from the constants the routes and the domain
enforce, so the document cannot drift from them; tests/api/test_openapi*.py check the rest
(every route is described, every answer matches its schema).
"""

from __future__ import annotations

import orjson

from api.openapi import (
    accounts,
    bookmarks,
    conversation_mutes,
    discovery,
    markers,
    media,
    notifications,
    oauth,
    operator,
    pages,
    polls,
    scheduled,
    search,
    server,
    status_edits,
    statuses,
    streaming,
    timelines,
)
from api.openapi.parts import HEADERS, PARAMETERS, RESPONSES, Schema, security_schemes
from api.openapi.schemas import SCHEMAS

OPENAPI_VERSION = "3.1.1"
TAGS = [
    {"name": "statuses", "description": "Publish, read, delete and act on statuses."},
    {"name": "streaming", "description": "Live events: server-sent events and a WebSocket."},
    {"name": "accounts", "description": "Sign-up, credentials, profiles and follows."},
    {"name": "media", "description": "Uploads and their files."},
    {"name": "markers", "description": "Where the viewer stopped reading, across its clients."},
    notifications.TAG_DESCRIPTION,
    {"name": "oauth", "description": "Client apps, tokens and the authorize page."},
    {"name": "instance", "description": "What a client reads to know the server."},
    {"name": "operator", "description": "Health, readiness and metrics; never throttled."},
    {"name": "pages", "description": "The HTML pages behind the URLs the API gives out."},
    {"name": "search", "description": "Accounts, statuses and hashtags by what they say."},
]


def openapi_document(base_url: str, version: str) -> Schema:
    """The document for the server at `base_url` that reports Mastodon `version`."""
    paths: dict[str, dict[str, Schema]] = {}
    modules = (
        statuses,
        streaming,
        status_edits,
        polls,
        scheduled,
        bookmarks,
        conversation_mutes,
        accounts,
        media,
        markers,
        notifications,
        oauth,
        server,
        operator,
        discovery,
        pages,
        timelines,
        search,
    )
    for module in modules:
        for path, operations in module.PATHS.items():
            described = paths.setdefault(path, {})
            assert not set(described) & set(operations), f"{path} is described twice"
            described.update(operations)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "tootlog",
            "version": version,
            "summary": "Mastodon's statuses API, served from an event log.",
            "description": "Every answer is JSON unless stated (the authorize page is HTML, "
            "media files are images). Parameters may come from the query string, a form, a "
            "JSON object or (uploads) a multipart body; unknown ones are ignored. A trailing "
            "slash on any path is ignored. Every answer carries X-Request-Id (the client's, when "
            "it sends a short one) and, except the operator routes, X-RateLimit-Limit, "
            "-Remaining and -Reset while the throttle is on; past the limit the answer is 429. "
            "A request whose line and headers exceed TOOTLOG_MAX_HEADER_BYTES (16 KiB by "
            "default) is answered 431 before any route sees it.",
        },
        "servers": [{"url": base_url}],
        "tags": TAGS,
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": {
                **SCHEMAS,
                **status_edits.SCHEMAS,
                **timelines.SCHEMAS,
                **notifications.SCHEMAS,
            },
            "parameters": PARAMETERS,
            "headers": HEADERS,
            "responses": RESPONSES,
            "securitySchemes": {**security_schemes(base_url), **streaming.SECURITY_SCHEMES},
        },
    }


def openapi_json(base_url: str, version: str) -> bytes:
    return orjson.dumps(openapi_document(base_url, version))
