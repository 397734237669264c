"""Mastodon.py's streaming, unpatched, against `tootlog serve`: it finds the streaming URL in the
instance document (it must lead back to the live server), opens the user stream, and its
StreamListener hears a live post, its edit and its deletion; logging out ends the stream. Its
WebSocket handle multiplexes hashtag and local streams, and hears the refusal of `direct`."""

from __future__ import annotations

import queue
import threading

import pytest
from mastodon import Mastodon, StreamListener

from tests.e2e.clients import mastodon_py
from tests.support import Directory, LiveServer, User

pytestmark = [
    pytest.mark.filterwarnings("error::mastodon.errors.MastodonWarning"),
    pytest.mark.filterwarnings("error::UserWarning"),
]
WAIT = 15.0


class Heard(StreamListener):
    """What the stream delivered, in order, as Mastodon.py decoded it."""

    def __init__(self) -> None:
        self.events: queue.Queue[tuple[str, object]] = queue.Queue()
        self.heartbeats = threading.Event()

    def on_update(self, status) -> None:  # noqa: ANN001
        self.events.put(("update", status))

    def on_status_update(self, status) -> None:  # noqa: ANN001
        self.events.put(("status.update", status))

    def on_delete(self, status_id) -> None:  # noqa: ANN001
        self.events.put(("delete", status_id))

    def handle_heartbeat(self) -> None:
        self.heartbeats.set()

    def next(self) -> tuple[str, object]:
        return self.events.get(timeout=WAIT)


@pytest.fixture(scope="module")
def users(reachable_directory: Directory) -> tuple[User, User]:
    return reachable_directory.user(), reachable_directory.user()


def test_stream_user_hears_a_followed_accounts_live_post(
    reachable_server: LiveServer, users: tuple[User, User]
) -> None:
    alice, bob = users
    poster: Mastodon = mastodon_py(reachable_server, alice)
    reader: Mastodon = mastodon_py(reachable_server, bob)
    streaming = reader.instance_v2().configuration.urls.streaming
    assert streaming == f"ws://127.0.0.1:{reachable_server.port}"
    reader.account_follow(alice.account_id)
    heard = Heard()
    handle = reader.stream_user(heard, run_async=True, reconnect_async=False)
    try:
        assert heard.heartbeats.wait(WAIT)  # the opening `:)` comment: the stream is open
        posted = poster.status_post("live from tootlog")
        kind, status = heard.next()
        assert kind == "update"
        assert status.id == posted.id and status.account.acct == alice.username
        assert status.content == "<p>live from tootlog</p>"
        poster.status_update(posted.id, "edited live")
        kind, status = heard.next()
        assert kind == "status.update" and status.content == "<p>edited live</p>"
        poster.status_delete(posted.id)
        assert heard.next() == ("delete", posted.id)
        # Logging out ends the stream at once, as Mastodon's `kill` system message does (the
        # client's own close would wait for the next heartbeat to unblock its reading thread).
        reader.revoke_access_token()
        handle.join(WAIT)
        assert not handle.is_alive()
    finally:
        handle.close()


class Multiplexed(Heard):
    """A WebSocket listener: each update with the stream it came on."""

    def on_update(self, status, for_stream=None) -> None:  # noqa: ANN001
        self.events.put(("update", (status, for_stream)))

    def on_websocket_error(self, error, for_stream=None) -> None:  # noqa: ANN001
        self.events.put(("error", (error, for_stream)))


def test_websocket_streams_multiplexed_by_mastodon_py(
    reachable_server: LiveServer, users: tuple[User, User]
) -> None:
    alice, bob = users
    poster: Mastodon = mastodon_py(reachable_server, alice)
    reader: Mastodon = mastodon_py(reachable_server, bob)
    assert reader.stream_healthy()
    heard = Multiplexed()
    handle = reader.stream_open_websocket(heard)
    try:
        handle.subscribe("hashtag", tag="LiveTag")
        handle.subscribe("public:local")
        handle.subscribe("direct")  # not built here: refused as an unknown stream
        kind, (error, _) = heard.next()
        assert kind == "error" and "Unknown stream type" in str(error)
        posted = poster.status_post("tagged #livetag")
        streams = set()
        for _ in range(2):
            kind, (status, stream) = heard.next()
            assert kind == "update" and status.id == posted.id
            streams.add(tuple(stream))
        assert streams == {("hashtag", "LiveTag"), ("public:local",)}
        handle.unsubscribe("hashtag", tag="LiveTag")
        handle.unsubscribe("public:local")
        poster.status_post("nobody hears #livetag")
        with pytest.raises(queue.Empty):
            heard.events.get(timeout=1.0)
    finally:
        handle.close()
