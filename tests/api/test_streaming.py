"""The streaming API (docs/mastodon-api.md, "Streaming"): SSE and WebSocket, each stream, who
hears what (the visibility policy and the home feed's rules), deletes and edits, and the
refusals Mastodon's streaming server answers."""

from __future__ import annotations

import time

import httpx
import orjson
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from commands.accounts import revoke_token
from tests.api.stream_clients import WAIT, SSEStream, next_message, open_websocket, quiet
from tests.support import Directory, LiveServer, User


def follow(api, follower: User, followee: User) -> None:  # noqa: ANN001
    api.ok(api.call(follower, "POST", f"/api/v1/accounts/{followee.id}/follow"))


def expect_update(stream: SSEStream, status_id: str) -> dict:
    event, data = stream.next()
    assert event == "update", (event, data)
    status = orjson.loads(data)
    assert status["id"] == status_id
    return status


# --- health and SSE basics ---------------------------------------------------------------


def test_health_answers_ok(live_server: LiveServer) -> None:
    answer = httpx.get(f"{live_server.base_url}/api/v1/streaming/health")
    assert answer.status_code == 200 and answer.text == "OK"


def connections(server: LiveServer) -> dict[str, float]:
    """tootlog_streaming_connections by kind, from /metrics."""
    text = httpx.get(f"{server.base_url}/metrics").text
    found = {}
    for line in text.splitlines():
        if line.startswith("tootlog_streaming_connections{"):
            labels, _, value = line.rpartition(" ")
            found[labels.split('"')[1]] = float(value)
    return found


def test_metrics_count_the_open_connections(live_server: LiveServer, alice: User) -> None:
    before = connections(live_server)
    with (
        SSEStream(live_server, "/api/v1/streaming/public", alice.token),
        open_websocket(live_server, alice.token),
    ):
        during = connections(live_server)
    assert during["sse"] == before.get("sse", 0) + 1
    assert during["websocket"] == before.get("websocket", 0) + 1
    # Closed by the client: the server notices and forgets them.
    deadline = time.monotonic() + WAIT
    while connections(live_server) != {
        **during,
        "sse": during["sse"] - 1,
        "websocket": during["websocket"] - 1,
    }:
        assert time.monotonic() < deadline, connections(live_server)
        time.sleep(0.05)


def test_sse_user_stream_gets_a_followed_accounts_post_once_readable(
    live_server: LiveServer, api, alice, bob, post
) -> None:
    follow(api, bob, alice)
    with SSEStream(live_server, "/api/v1/streaming/user", bob.token) as stream:
        assert stream.response.headers["content-type"].startswith("text/event-stream")
        assert stream.response.headers["cache-control"] == "no-store"
        assert stream.comments[0] == ":)"
        created = post(alice, status="hello followers")
        status = expect_update(stream, created["id"])
        # Rendered for this viewer: the per-viewer keys of a user are there.
        assert status["favourited"] is False and status["account"]["id"] == alice.id
        # Never before the read model has the row: it is readable at once.
        assert api.get(bob, f"/api/v1/statuses/{created['id']}").status_code == 200
        # Bob's own post reaches his own stream too.
        own = post(bob, status="mine")
        expect_update(stream, own["id"])


def test_sse_public_local_and_hashtag_streams(live_server: LiveServer, alice, bob, post) -> None:
    path = "/api/v1/streaming"
    with (
        SSEStream(live_server, f"{path}/public", bob.token) as public,
        SSEStream(live_server, f"{path}/public/local", bob.token) as local,
        SSEStream(live_server, f"{path}/hashtag", bob.token, tag="Streamtest") as tag,
        SSEStream(live_server, f"{path}/public", bob.token, only_media="true") as media,
    ):
        post(alice, status="unlisted #streamtest", visibility="unlisted")
        root = post(alice, status="root")
        post(bob, status=f"@{alice.username} a reply to someone else", in_reply_to_id=root["id"])
        tagged = post(alice, status="public #StreamTest")
        for stream in (public, local):
            expect_update(stream, root["id"])
            expect_update(stream, tagged["id"])
        expect_update(tag, tagged["id"])  # the unlisted one never reaches a public stream
        assert media.silent()  # no media in any of them
        assert public.silent(0.1) and local.silent(0.1) and tag.silent(0.1)


def test_delete_and_edit_reach_public_and_user_streams(
    live_server: LiveServer, api, alice, bob, post
) -> None:
    follow(api, bob, alice)
    with (
        SSEStream(live_server, "/api/v1/streaming/public", bob.token) as public,
        SSEStream(live_server, "/api/v1/streaming/user", bob.token) as user,
    ):
        created = post(alice, status="first #edits")
        for stream in (public, user):
            expect_update(stream, created["id"])
        edited = api.call(alice, "PUT", f"/api/v1/statuses/{created['id']}", status="second")
        api.ok(edited)
        for stream in (public, user):
            event, data = stream.next()
            assert event == "status.update"
            assert orjson.loads(data)["content"] == "<p>second</p>"
        api.ok(api.call(alice, "DELETE", f"/api/v1/statuses/{created['id']}"))
        for stream in (public, user):
            assert stream.next() == ("delete", created["id"])


def test_unreblog_deletes_the_boost_from_followers_streams(
    live_server: LiveServer, api, alice, bob, carol, post
) -> None:
    follow(api, carol, bob)
    original = post(alice, status="boost me")
    with SSEStream(live_server, "/api/v1/streaming/user", carol.token) as stream:
        boost = api.ok(api.act(bob, original["id"], "reblog"))
        status = expect_update(stream, boost["id"])
        assert status["reblog"]["id"] == original["id"]
        api.ok(api.act(bob, original["id"], "unreblog"))
        assert stream.next() == ("delete", boost["id"])


# --- visibility --------------------------------------------------------------------------


def test_private_status_never_reaches_a_non_followers_connection(
    live_server: LiveServer, api, alice, bob, carol, post
) -> None:
    follow(api, bob, alice)
    with (
        SSEStream(live_server, "/api/v1/streaming/user", bob.token) as follower,
        SSEStream(live_server, "/api/v1/streaming/user", carol.token) as stranger,
        SSEStream(live_server, "/api/v1/streaming/public", carol.token) as public,
    ):
        private = post(alice, status="followers only", visibility="private")
        expect_update(follower, private["id"])
        marker = post(carol, status="after the private one")
        # Carol's next event is her own post: the private one was never sent to her.
        expect_update(stranger, marker["id"])
        expect_update(public, marker["id"])
        api.ok(api.call(alice, "DELETE", f"/api/v1/statuses/{private['id']}"))
        assert follower.next() == ("delete", private["id"])
        assert stranger.silent() and public.silent(0.1)


def test_direct_status_reaches_only_mentioned_accounts(
    live_server: LiveServer, api, directory: Directory, alice, bob, carol, post
) -> None:
    dave = directory.user()
    for follower in (bob, carol):
        follow(api, follower, alice)
    with (
        SSEStream(live_server, "/api/v1/streaming/user", bob.token) as mentioned,
        SSEStream(live_server, "/api/v1/streaming/user", carol.token) as other,
        SSEStream(live_server, "/api/v1/streaming/public", dave.token) as public,
    ):
        direct = post(alice, status=f"@{bob.username} psst", visibility="direct")
        # The mention's notification and the status reach bob's user stream in either order
        # (the notification as the read models commit, the status once the home feeds have).
        first = mentioned.next()
        if first[0] == "notification":
            notification = orjson.loads(first[1])
            assert notification["type"] == "mention"
            assert notification["status"]["id"] == direct["id"]
            status = expect_update(mentioned, direct["id"])
        else:
            assert first[0] == "update", first
            status = orjson.loads(first[1])
            assert status["id"] == direct["id"]
        assert status["visibility"] == "direct"
        assert other.silent() and public.silent(0.1)


# --- WebSocket ---------------------------------------------------------------------------


def test_websocket_stream_parameter_subscribe_and_unsubscribe(
    live_server: LiveServer, api, alice, bob, post
) -> None:
    follow(api, bob, alice)
    with open_websocket(live_server, bob.token, stream="user") as ws:
        created = post(alice, status="over a websocket")
        message = next_message(ws)
        assert message["stream"] == ["user"] and message["event"] == "update"
        assert isinstance(message["payload"], str)  # a JSON string, as Mastodon sends it
        assert orjson.loads(message["payload"])["id"] == created["id"]
        ws.send(orjson.dumps({"type": "subscribe", "stream": "hashtag", "tag": "WsTag"}).decode())
        ws.send(orjson.dumps({"type": "subscribe", "stream": "public:local"}).decode())
        ws.send(orjson.dumps({"type": "subscribe", "stream": "public:local"}).decode())
        assert quiet(ws, 0.3)  # subscriptions are not answered
        tagged = post(alice, status="#wstag")
        got = sorted((tuple(m["stream"]), m["event"]) for m in [next_message(ws) for _ in "123"])
        assert got == [
            (("hashtag", "WsTag"), "update"),
            (("public:local",), "update"),
            (("user",), "update"),
        ]
        assert quiet(ws)  # subscribing twice to one stream sends each event once
        ws.send(orjson.dumps({"type": "unsubscribe", "stream": "public:local"}).decode())
        ws.send(orjson.dumps({"type": "unsubscribe", "stream": "user"}).decode())
        ws.send(orjson.dumps({"type": "unsubscribe", "stream": "hashtag", "tag": "wstag"}).decode())
        assert quiet(ws, 0.3)
        api.ok(api.call(alice, "DELETE", f"/api/v1/statuses/{tagged['id']}"))
        post(alice, status="#wstag again")
        assert quiet(ws)


def test_websocket_token_by_query_or_subprotocol(live_server: LiveServer, alice, post) -> None:
    with open_websocket(live_server, access_token=alice.token, stream="public") as ws:
        created = post(alice, status="query token")
        assert orjson.loads(next_message(ws)["payload"])["id"] == created["id"]
    with open_websocket(live_server, protocol=alice.token, stream="public") as ws:
        assert ws.subprotocol == alice.token  # accepted as offered, as Mastodon's ws library
        created = post(alice, status="subprotocol token")
        assert orjson.loads(next_message(ws)["payload"])["id"] == created["id"]


@pytest.mark.parametrize(
    ("token", "message"),
    [(None, "Missing access token"), ("not-a-token", "Invalid access token")],
)
def test_websocket_without_a_valid_token_is_refused_at_the_upgrade(
    live_server: LiveServer, token: str | None, message: str
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        open_websocket(live_server, token, stream="public")
    assert refused.value.response.status_code == 401
    assert refused.value.response.headers["X-Error-Message"] == message


def test_websocket_refusals_are_messages(live_server: LiveServer, directory: Directory, alice):
    write_only = directory.token(alice.account_id, "write")
    with open_websocket(live_server, write_only) as ws:
        ws.send(orjson.dumps({"type": "subscribe", "stream": "user"}).decode())
        assert next_message(ws) == {
            "error": "Access token does not have the required scopes",
            "status": 401,
        }
        ws.send(orjson.dumps({"type": "subscribe", "stream": "public"}).decode())
        assert quiet(ws, 0.3)  # public streams need no scope
    with open_websocket(live_server, alice.token) as ws:
        for request, answer in [
            ({"stream": "nope"}, {"error": "Unknown stream type", "status": 400}),
            ({"stream": "hashtag"}, {"error": "Missing tag name parameter", "status": 400}),
            ({"stream": "list"}, {"error": "Missing list name parameter", "status": 400}),
            (
                {"stream": "list", "list": "1"},
                {"error": "Not authorized to stream this list", "status": 401},
            ),
        ]:
            ws.send(orjson.dumps({"type": "subscribe", **request}).decode())
            assert next_message(ws) == answer
        ws.send(orjson.dumps({"type": "unsubscribe", "stream": "nope"}).decode())
        assert next_message(ws) == {"error": "Error unsubscribing from channel"}
        ws.send("not json")
        ws.send(orjson.dumps({"type": "dance"}).decode())
        assert quiet(ws, 0.3)  # ignored, as Mastodon does


# --- SSE refusals --------------------------------------------------------------------------


SCOPES = "Access token does not have the required scopes"


@pytest.mark.parametrize(
    ("path", "token", "params", "status", "message"),
    [
        ("user", None, {}, 401, "Missing access token"),
        ("public", "nope", {}, 401, "Invalid access token"),
        ("nope", "read", {}, 400, "Unknown channel requested"),
        ("direct", "read", {}, 400, "Unknown channel requested"),
        ("", "read", {}, 400, "Unknown channel requested"),
        ("hashtag", "read", {}, 400, "Missing tag name parameter"),
        ("hashtag", "read", {"tag": "#"}, 400, "Missing tag name parameter"),
        ("list", "read", {}, 400, "Missing list name parameter"),
        ("list", "read", {"list": "7"}, 401, "Not authorized to stream this list"),
        ("user", "write", {}, 401, SCOPES),
        ("user/notification", "read:statuses", {}, 401, SCOPES),
        ("user", "app", {}, 401, "Invalid access token"),
    ],
)
def test_sse_refusals_as_mastodon(
    live_server: LiveServer,
    directory: Directory,
    alice: User,
    path: str,
    token: str | None,
    params: dict,
    status: int,
    message: str,
) -> None:
    """`token`: None, a string that is no token, or the scopes of a token to make ("app": an
    app-only token, which Mastodon's streaming server does not know either)."""
    if token in ("read", "write", "read:statuses"):
        token = directory.token(alice.account_id, token)
    elif token == "app":
        token = directory.token(None, "read")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = f"{live_server.base_url}/api/v1/streaming" + (f"/{path}" if path else "")
    answer = httpx.get(url, params=params, headers=headers)
    assert answer.status_code == status
    assert answer.json() == {"error": message}


def test_granular_scopes_open_their_streams(live_server: LiveServer, directory, alice) -> None:
    statuses_only = directory.token(alice.account_id, "read:statuses")
    notifications_only = directory.token(alice.account_id, "read:notifications")
    for path, token in [
        ("/api/v1/streaming/user", statuses_only),
        ("/api/v1/streaming/user/notification", notifications_only),
        ("/api/v1/streaming/public", directory.token(alice.account_id, "write")),
    ]:
        with SSEStream(live_server, path, token) as stream:
            assert stream.response.status_code == 200


def test_a_revoked_token_ends_its_streams(live_server: LiveServer, directory, alice) -> None:
    token = directory.token(alice.account_id, "read")
    with (
        SSEStream(live_server, "/api/v1/streaming/public", token) as stream,
        open_websocket(live_server, token, stream="public") as ws,
    ):
        directory.wait_for(revoke_token(directory.write_model, token).position)
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=WAIT)
        assert stream.ended.wait(WAIT)
