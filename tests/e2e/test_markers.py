"""Mastodon.py's read markers (`markers_set`, `markers_get`) against `tootlog serve`."""

from __future__ import annotations

import pytest

from tests.e2e.clients import mastodon_py
from tests.support import Directory, LiveServer

pytestmark = [
    pytest.mark.filterwarnings("error::mastodon.errors.MastodonWarning"),
    pytest.mark.filterwarnings("error::UserWarning"),
]


def test_two_clients_of_one_user_share_their_read_positions(
    reachable_server: LiveServer, reachable_directory: Directory
) -> None:
    user = reachable_directory.user()
    phone = mastodon_py(reachable_server, user, "phone")
    laptop = mastodon_py(reachable_server, user, "laptop")
    status = phone.status_post("read up to here")
    saved = phone.markers_set(["home", "notifications"], [status, 12345])
    assert saved.home.last_read_id == status.id
    assert saved.home.version == 1
    seen = laptop.markers_get(["home", "notifications"])
    assert seen.home.last_read_id == status.id
    assert str(seen.notifications.last_read_id) == "12345"
    moved = laptop.markers_set("home", 99999999)
    assert moved.home.version == 2
    assert str(phone.markers_get().home.last_read_id) == "99999999"
