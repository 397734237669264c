"""Mastodon.py's profile editing (`account_update_credentials`) against `tootlog serve`."""

from __future__ import annotations

import httpx
import pytest
from mastodon import Mastodon, MastodonAPIError

from tests.e2e.clients import mastodon_py
from tests.images import image_bytes, opened
from tests.support import Directory, LiveServer

pytestmark = [
    pytest.mark.filterwarnings("error::mastodon.errors.MastodonWarning"),
    pytest.mark.filterwarnings("error::UserWarning"),
]


def test_a_client_edits_its_profile_and_others_see_it(
    reachable_server: LiveServer, reachable_directory: Directory
) -> None:
    user = reachable_directory.user()
    api = mastodon_py(reachable_server, user, "profile e2e")

    me = api.account_update_credentials(
        display_name="Profile Person",
        note="I post about #events",
        bot=True,
        avatar=image_bytes("PNG", (500, 500)),
        avatar_mime_type="image/png",
    )
    assert me.display_name == "Profile Person"
    assert me.bot is True
    assert me.source.note == "I post about #events"
    assert opened(httpx.get(me.avatar).content).size == (400, 400)
    # Someone else (anonymous here) sees the same profile.
    seen = Mastodon(api_base_url=reachable_server.base_url).account(user.id)
    assert (seen.display_name, seen.avatar) == ("Profile Person", me.avatar)
    assert "#</span>" in seen.note or "/tags/events" in seen.note

    with pytest.raises(MastodonAPIError) as refused:
        api.account_update_credentials(display_name="x" * 31)
    assert refused.value.args[1] == 422
    assert api.me().display_name == "Profile Person"
