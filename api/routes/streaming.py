"""Mastodon's streaming API: server-sent events under /api/v1/streaming/, a WebSocket at
/api/v1/streaming, and /api/v1/streaming/health (docs/mastodon-api.md, "Streaming").

Connections only hold a queue; api/streaming/hub.py fills them from the projection's batches.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import orjson
from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from api.errors import error_response
from api.streaming.channels import (
    INVALID_TOKEN,
    MISSING_TOKEN,
    SSE_PATHS,
    Channel,
    StreamError,
    channel,
    check_scopes,
    first,
    sse_channel_name,
)
from api.streaming.hub import StreamHub
from api.streaming.subscriber import Subscriber
from domain.token import hash_token

log = logging.getLogger("tootlog.streaming")

PREFIX = "/api/v1/streaming"
SSE_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
UNSUBSCRIBE_FAILED = "Error unsubscribing from channel"
BINARY_REFUSED = "The mastodon streaming server does not support binary messages"


def _hub(connection: HTTPConnection) -> StreamHub:
    return connection.app.state.streams


def _token(connection: HTTPConnection) -> tuple[str | None, str | None]:
    """Mastodon's accountFromRequest: the Authorization header (its `Bearer ` prefix taken
    off), else `access_token`, else the Sec-WebSocket-Protocol header; and the subprotocol a
    WebSocket must then be accepted with."""
    authorization = connection.headers.get("authorization")
    if authorization:
        return authorization.removeprefix("Bearer "), None
    token = connection.query_params.get("access_token")
    if token:
        return token, None
    protocol = connection.headers.get("sec-websocket-protocol")
    if protocol:
        return protocol, protocol.split(",")[0].strip()
    return None, None


async def _subscriber(connection: HTTPConnection, token: str | None) -> Subscriber:
    """The connection's viewer: 401 unless the token is a live token of a user."""
    if not token:
        raise StreamError(401, MISSING_TOKEN)
    token_hash = hash_token(token)
    row = await connection.app.state.services.queries.token(token_hash)
    if row is None or row.revoked or row.account_id is None:
        raise StreamError(401, INVALID_TOKEN)
    return Subscriber(row.account_id, token_hash, list(row.scopes))


async def health(request: Request) -> Response:
    return PlainTextResponse("OK")


async def event_stream(request: Request) -> Response:
    """An SSE stream: the path names it (`only_media`, `tag`, `list` as query parameters);
    any other path under /api/v1/streaming (a plain GET of the WebSocket's own included) is
    400 `Unknown channel requested`, as Mastodon answers."""
    rest = request.url.path.removeprefix(PREFIX)
    try:
        name = sse_channel_name(rest, request.query_params.get("only_media"))
        subscriber = await _subscriber(request, _token(request)[0])
        check_scopes(subscriber.scopes, name)
        wanted = channel(name, request.query_params)
    except StreamError as error:
        return error_response(error.status, error.message)
    hub = _hub(request)
    hub.connect(subscriber, heartbeats=True)
    hub.subscribe(subscriber, wanted)
    return StreamingResponse(
        _sse_body(request, hub, subscriber), media_type="text/event-stream", headers=SSE_HEADERS
    )


async def _sse_body(
    request: Request, hub: StreamHub, subscriber: Subscriber
) -> AsyncIterator[bytes]:
    """`:)`, then each event (and the hub's `:thump` heartbeats) as it comes, until the client
    goes away or the hub closes the connection."""
    watcher = asyncio.create_task(_on_disconnect(request, hub, subscriber))
    try:
        yield b":)\n"
        while (event := await subscriber.queue.get()) is not None:
            yield event.sse()
    finally:
        watcher.cancel()
        hub.disconnect(subscriber)


async def _on_disconnect(request: Request, hub: StreamHub, subscriber: Subscriber) -> None:
    """Forget the connection as soon as the client closes it (as Mastodon's `req.on('close')`),
    not at the next write, whatever the server's ASGI version (Starlette stops listening for
    the disconnect itself from spec 2.4 on)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass
    hub.disconnect(subscriber)


async def websocket_stream(websocket: WebSocket) -> None:
    """One WebSocket, any number of streams: `stream=` at connection time, then
    `{"type": "subscribe"|"unsubscribe", "stream": ..., "tag": ...}` messages."""
    token, subprotocol = _token(websocket)
    try:
        subscriber = await _subscriber(websocket, token)
    except StreamError as error:
        # Mastodon refuses the upgrade itself: the status, no body, the reason in a header.
        await websocket.send_denial_response(
            Response(
                status_code=error.status,
                headers={"X-Error-Message": error.message, "Connection": "close"},
                media_type="text/plain",
            )
        )
        return
    await websocket.accept(subprotocol=subprotocol)
    hub = _hub(websocket)
    hub.connect(subscriber)
    writer = asyncio.create_task(_ws_writer(websocket, subscriber))
    try:
        stream = first(websocket.query_params.getlist("stream") or None)
        if stream is not None:
            await _subscribe(websocket, hub, subscriber, stream, dict(websocket.query_params))
        await _ws_reader(websocket, hub, subscriber)
    finally:
        hub.disconnect(subscriber)
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await writer


async def _ws_reader(websocket: WebSocket, hub: StreamHub, subscriber: Subscriber) -> None:
    while not subscriber.closed:
        try:
            message = await websocket.receive()
        except (WebSocketDisconnect, RuntimeError):
            return
        if message["type"] == "websocket.disconnect":
            return
        if message.get("bytes") is not None:
            await websocket.close(1003, BINARY_REFUSED)
            return
        try:
            request = orjson.loads(message.get("text") or "")
        except orjson.JSONDecodeError:
            continue  # Mastodon logs it and carries on
        if not isinstance(request, dict):
            continue
        kind, stream = request.get("type"), first(request.get("stream"))
        if kind == "subscribe":
            await _subscribe(websocket, hub, subscriber, stream, request)
        elif kind == "unsubscribe":
            try:
                hub.unsubscribe(subscriber, channel(stream, request))
            except StreamError:
                await _send_error(websocket, {"error": UNSUBSCRIBE_FAILED})


async def _subscribe(
    websocket: WebSocket, hub: StreamHub, subscriber: Subscriber, stream: object, params: dict
) -> None:
    try:
        check_scopes(subscriber.scopes, stream if isinstance(stream, str) else "")
        wanted: Channel = channel(stream, params)
    except StreamError as error:
        await _send_error(websocket, {"error": error.message, "status": error.status})
        return
    hub.subscribe(subscriber, wanted)


async def _send_error(websocket: WebSocket, body: dict) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        await websocket.send_text(orjson.dumps(body).decode())


async def _ws_writer(websocket: WebSocket, subscriber: Subscriber) -> None:
    while True:
        event = await subscriber.queue.get()
        if event is None:
            # Closed by the hub (a revoked token, a client that stopped reading).
            with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                await websocket.close(1000)
            return
        try:
            await websocket.send_text(event.websocket())
        except (WebSocketDisconnect, RuntimeError):
            return


routes = [
    Route(f"{PREFIX}/health", health, methods=["GET"]),
    *(Route(f"{PREFIX}/{path}", event_stream, methods=["GET"]) for path in SSE_PATHS),
    Route(PREFIX, event_stream, methods=["GET"]),
    Route(PREFIX + "/{rest:path}", event_stream, methods=["GET"]),
    WebSocketRoute(PREFIX, websocket_stream),
]
