"""What a client follows from the JSON it gets: every account's avatar and header URL answers an
image, and the OAuth metadata leads a client to a password login."""

from __future__ import annotations

from io import BytesIO

import httpx
from PIL import Image

from tests.e2e.clients import mastodon_py
from tests.support import Directory, LiveServer


def test_every_account_points_at_images_that_load(
    reachable_server: LiveServer, reachable_directory: Directory
) -> None:
    user = reachable_directory.user()
    with reachable_server.client(user.token) as client:
        account = client.get("/api/v1/accounts/verify_credentials").json()
    for field in ("avatar", "avatar_static", "header", "header_static"):
        answer = httpx.get(account[field], timeout=10)
        assert answer.status_code == 200, (field, account[field])
        Image.open(BytesIO(answer.content)).verify()


def test_a_server_on_plain_http_serves_no_oauth_metadata_and_clients_log_in(
    reachable_server: LiveServer, reachable_directory: Directory
) -> None:
    """Mastodon.py refuses OAuth endpoints on http that the metadata names: a server on http
    (this one) serves none (an https one does: tests/api/test_openapi_conformance.py)."""
    metadata = httpx.get(f"{reachable_server.base_url}/.well-known/oauth-authorization-server")
    assert metadata.status_code == 404
    user = reachable_directory.user()
    api = mastodon_py(reachable_server, user, "discovery test")
    assert api.account_verify_credentials()["username"] == user.username
