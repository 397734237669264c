"""GET /openapi.json: a valid OpenAPI 3.1 document that describes every route and nothing else,
with schemas strict enough to notice a key that appears or disappears."""

from __future__ import annotations

import asyncio
import copy
import re
from pathlib import Path

import httpx
import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute

from api.app import OPERATOR_PATHS, create_app
from api.config import Settings
from api.openapi import openapi_document
from api.ratelimit import RateLimit, ip_key
from api.shared_counts import SharedThrottle
from domain.urls import Urls
from tests.api.openapi_checker import Document
from tests.support import TEST_URLS, LiveServer

VERSION = Settings(None, Path("."), TEST_URLS).version
DOCUMENT = openapi_document(TEST_URLS.base, VERSION)


def documented_operations() -> set[str]:
    return Document(DOCUMENT).operations()


def served_operations() -> set[str]:
    """Every method and path the application routes, HEAD only where it was asked for."""
    app = create_app(Settings(None, Path("."), Urls("example.com")), "postgresql://unused")
    starlette_app = app.app  # inside IgnoreTrailingSlash
    assert isinstance(starlette_app, Starlette)
    operations = set()
    for route in starlette_app.routes:
        if isinstance(route, WebSocketRoute):
            continue  # described as the upgrade of the GET at its path (checked below)
        assert isinstance(route, Route), f"{route!r} is not a plain route"
        path = re.sub(r"{(\w+):\w+}", r"{\1}", route.path)  # {key:path} -> {key}
        methods = route.methods or set()
        # Starlette answers HEAD for every GET; the document lists it where it matters.
        methods = methods - {"HEAD"} if "GET" in methods else methods
        operations |= {f"{method} {path}" for method in methods}
    return operations


def test_each_websocket_is_documented_as_the_upgrade_of_its_get() -> None:
    app = create_app(Settings(None, Path("."), Urls("example.com")), "postgresql://unused")
    sockets = [route for route in app.app.routes if isinstance(route, WebSocketRoute)]
    assert [route.path for route in sockets] == ["/api/v1/streaming"]
    upgrade = DOCUMENT["paths"]["/api/v1/streaming"]["get"]["responses"]
    assert "101" in upgrade


def test_the_document_is_valid_openapi_3_1() -> None:
    validate(DOCUMENT)
    for schema in DOCUMENT["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_the_validator_notices_an_invalid_document() -> None:
    broken = copy.deepcopy(DOCUMENT)
    del broken["paths"]["/api/v1/statuses"]["post"]["responses"]["200"]["description"]
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


def test_every_route_is_documented_and_every_operation_is_routed() -> None:
    served, documented = served_operations(), documented_operations()
    assert served - documented == set(), "routes missing from api/openapi"
    assert documented - served == set(), "documented operations that no route serves"


def test_operation_ids_are_unique() -> None:
    ids = [
        op["operationId"]
        for item in DOCUMENT["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    ]
    assert len(ids) == len(set(ids)) == len(documented_operations())


def test_every_operation_can_answer_429_and_authenticated_ones_401() -> None:
    for path, item in DOCUMENT["paths"].items():
        for method, op in item.items():
            never_throttled = path in OPERATOR_PATHS
            assert ("429" in op["responses"]) != never_throttled, f"{method} {path}"
            scopes = [s for requirement in op["security"] for s in requirement.values()]
            if scopes and {} not in op["security"]:
                assert "401" in op["responses"], f"{method} {path}"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda s: s.update(quotes_count=0), id="a key appears"),
        pytest.param(lambda s: s.pop("card"), id="a key disappears"),
        pytest.param(lambda s: s.update(id=1), id="an id becomes a number"),
        pytest.param(lambda s: s.update(visibility="limited"), id="an unknown visibility"),
        pytest.param(lambda s: s["account"].pop("acct"), id="the account loses a key"),
        pytest.param(lambda s: s.pop("muted"), id="some per-viewer keys only"),
        pytest.param(lambda s: s.update(created_at="2023-06-10 12:00"), id="another date form"),
        pytest.param(lambda s: s.update(reblog=copy.deepcopy(s)), id="a reblog nests a wrapper"),
    ],
)
def test_status_schema_refuses_drift(change) -> None:  # noqa: ANN001
    document = Document(DOCUMENT)
    wrapper = copy.deepcopy(STATUS)
    wrapper["reblog"] = copy.deepcopy(STATUS)
    assert document.errors(wrapper, "/components/schemas/Status") == []
    status = copy.deepcopy(wrapper)
    change(status)
    assert document.errors(status, "/components/schemas/Status") != []


def test_throttled_answers_match_the_document() -> None:
    """The rate limiter's 429 (a middleware answer) is what the document says."""

    async def hello(request) -> PlainTextResponse:  # noqa: ANN001
        return PlainTextResponse("")

    throttle = SharedThrottle(None, 1, 3600)  # counted in this process: no pool
    app = RateLimit(Starlette(routes=[Route("/", hello)]), key=_ip, throttle=lambda _: throttle)

    async def twice() -> httpx.Response:
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            await client.get("/")
            return await client.get("/")

    throttled = asyncio.run(twice())
    assert throttled.status_code == 429
    Document(DOCUMENT).check_response("GET /api/v1/statuses/{id}", throttled)


async def _ip(scope) -> str:  # noqa: ANN001
    return ip_key(scope)


def test_served_with_or_without_a_trailing_slash_for_anyone_and_cacheable(
    live_server: LiveServer,
) -> None:
    with live_server.client("not-a-token") as client:
        plain = client.get("/openapi.json")
        slashed = client.get("/openapi.json/")
        unchanged = client.get("/openapi.json", headers={"If-None-Match": plain.headers["etag"]})
        changed = client.get("/openapi.json", headers={"If-None-Match": '"something else"'})
    assert plain.status_code == slashed.status_code == changed.status_code == 200
    assert plain.json() == slashed.json() == DOCUMENT
    assert plain.headers["content-type"] == "application/json; charset=utf-8"
    assert plain.headers["cache-control"] == "public, max-age=300"
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["etag"] == plain.headers["etag"]
    for answer in (plain, unchanged):
        Document(DOCUMENT).check_response("GET /openapi.json", answer)


# A reblog wrapper as tootlog renders it for its author (mastodon-api.md §3.1), the base of the
# drift cases above.
ACCOUNT = {
    "id": "110519569612800010",
    "username": "alice",
    "acct": "alice",
    "display_name": "",
    "locked": False,
    "bot": False,
    "discoverable": None,
    "indexable": False,
    "group": False,
    "created_at": "2023-06-10T00:00:00.000Z",
    "note": "",
    "url": "https://example.com/@alice",
    "uri": "https://example.com/users/alice",
    "avatar": "https://example.com/avatars/original/missing.png",
    "avatar_static": "https://example.com/avatars/original/missing.png",
    "header": "https://example.com/headers/original/missing.png",
    "header_static": "https://example.com/headers/original/missing.png",
    "hide_collections": None,
    "noindex": False,
    "emojis": [],
    "roles": [],
    "fields": [],
    "followers_count": 0,
    "following_count": 0,
    "statuses_count": 1,
    "last_status_at": "2023-06-10",
}
STATUS = {
    "id": "110519805542400017",
    "created_at": "2023-06-10T12:00:00.000Z",
    "in_reply_to_id": None,
    "in_reply_to_account_id": None,
    "sensitive": False,
    "spoiler_text": "",
    "visibility": "public",
    "language": "en",
    "uri": "https://example.com/users/alice/statuses/110519805542400017",
    "url": "https://example.com/@alice/110519805542400017",
    "replies_count": 0,
    "reblogs_count": 0,
    "favourites_count": 0,
    "edited_at": None,
    "favourited": False,
    "reblogged": False,
    "muted": False,
    "bookmarked": False,
    "filtered": [],
    "content": "<p>Hi</p>",
    "reblog": None,
    "application": None,
    "account": ACCOUNT,
    "media_attachments": [],
    "mentions": [],
    "tags": [],
    "emojis": [],
    "card": None,
    "poll": None,
}
