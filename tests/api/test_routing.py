"""IndexedRouter picks the route Starlette's own loop would, for every route of the app."""

from __future__ import annotations

import re

import pytest
from starlette.routing import Match, Route, WebSocketRoute

from api.app import create_app
from api.config import Settings
from api.routing import IndexedRouter

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _router() -> IndexedRouter:
    app = create_app(Settings.from_env(), "postgresql://unused")  # no lifespan: no connection
    router = app.app.router
    assert isinstance(router, IndexedRouter)
    return router


def _paths(router: IndexedRouter) -> list[str]:
    """Each route's path with its parameters filled in, and some no route serves."""
    paths = {"/", "/nowhere", "/api/v1/statuses/abc/nothing", "/api/v1/", "/@", "/api/v2/x"}
    for route in router.routes:
        if isinstance(route, Route | WebSocketRoute):
            paths.add(re.sub(r"\{[^}]*\}", "117733713826316028", route.path))
            paths.add(re.sub(r"\{[^}]*\}", "name", route.path))
    return sorted(paths)


def _first_match(routes, scope):  # noqa: ANN001, ANN202 - Starlette's loop, as Router.app
    partial = None
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return route
        if match is Match.PARTIAL and partial is None:
            partial = route
    return partial


@pytest.mark.parametrize("kind", ["http", "websocket"])
def test_every_path_and_method_goes_where_starlette_sends_it(kind: str) -> None:
    router = _router()
    checked = 0
    for path in _paths(router):
        for method in METHODS if kind == "http" else ("GET",):
            scope = {"type": kind, "path": path, "root_path": "", "method": method}
            expected = _first_match(router.routes, dict(scope))
            assert _first_match(router.candidates(path), dict(scope)) is expected, (method, path)
            checked += expected is not None
    # Not only misses compared: every route of the kind was found for its own path.
    kinds = Route if kind == "http" else WebSocketRoute
    assert checked >= sum(isinstance(route, kinds) for route in router.routes)


def test_candidates_keep_the_order_of_the_routes() -> None:
    router = _router()
    path = "/api/v1/statuses/117733713826316028"
    found = router.candidates(path)
    positions = [router.routes.index(route) for route in found]
    assert positions == sorted(positions)
    assert len(found) < len(router.routes) / 4  # the point: few routes are asked
