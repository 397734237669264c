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
