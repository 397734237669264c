from __future__ import annotations

import pytest

from tests.support import Directory, LiveServer, User


@pytest.fixture
def alice(directory: Directory) -> User:
    return directory.user()


@pytest.fixture
def bob(directory: Directory) -> User:
    return directory.user()


@pytest.fixture
def post(live_server: LiveServer):  # noqa: ANN201
    """post(user, **params) -> the created status JSON (asserting 200)."""

    def _post(user: User, **params: object) -> dict:
        with live_server.client(user.token) as client:
            response = client.post("/api/v1/statuses", data=params)
        assert response.status_code == 200, response.text
        return response.json()

    return _post


@pytest.fixture
def carol(directory: Directory) -> User:
    return directory.user()


class Api:
    """Short calls for tests: `api.call(user, "POST", path, **params)` -> the httpx response."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server

    def call(self, user: User | None, method: str, path: str, **params: object):  # noqa: ANN201
        with self.server.client(user.token if user else None) as client:
            if method == "GET":
                return client.get(path, params=params)
            return client.request(method, path, data=params)

    def get(self, user: User | None, path: str, **params: object):  # noqa: ANN201
        return self.call(user, "GET", path, **params)

    def act(self, user: User | None, status_id: str, action: str, **params: object):  # noqa: ANN201
        """POST /api/v1/statuses/:id/<action>."""
        return self.call(user, "POST", f"/api/v1/statuses/{status_id}/{action}", **params)

    def ok(self, response) -> dict | list:  # noqa: ANN001
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def api(live_server: LiveServer) -> Api:
    return Api(live_server)
