"""Notifications pushed by the streaming API (docs/mastodon-api.md §19.5): each new
notification reaches its account's `user` and `user:notification` streams as a `notification`
event, rendered as GET /api/v1/notifications/:id renders it, and no one else's."""

from __future__ import annotations

import orjson

from tests.api.stream_clients import SSEStream
from tests.support import Directory, LiveServer


def test_a_new_notification_reaches_its_accounts_streams(
    live_server: LiveServer, directory: Directory, api, alice, bob, post
) -> None:
    mine = post(alice, status="stream my notifications")
    only_notifications = directory.token(alice.account_id, "read:notifications")
    with (
        SSEStream(live_server, "/api/v1/streaming/user", alice.token) as user,
        SSEStream(live_server, "/api/v1/streaming/user/notification", only_notifications) as notes,
        SSEStream(live_server, "/api/v1/streaming/user/notification", bob.token) as others,
    ):
        api.ok(api.act(bob, mine["id"], "favourite"))
        [listed] = api.ok(api.get(alice, "/api/v1/notifications"))
        for stream in (notes, user):
            event, data = stream.next()
            assert event == "notification", (event, data)
            assert orjson.loads(data) == listed
        assert listed["type"] == "favourite" and listed["status"]["id"] == mine["id"]
        # Bob's own action tells him nothing.
        assert others.silent()
