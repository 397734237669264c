"""Real clients as a user starts them: an app registered, then a password login."""

from __future__ import annotations

from mastodon import Mastodon

from tests.support import LiveServer, User


def mastodon_py(server: LiveServer, user: User, app_name: str = "tootlog e2e") -> Mastodon:
    """Mastodon.py logged in as `user` (e-mail and password), as its documentation does it."""
    client_id, client_secret = Mastodon.create_app(app_name, api_base_url=server.base_url)
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server.base_url)
    api.log_in(f"{user.username}@example.org", "secret-pw")
    return api
