"""Operations of the streaming API: the SSE streams, the WebSocket's upgrade and the health
check (docs/mastodon-api.md, "Streaming").

Streaming refuses as Mastodon's streaming server does, not as its REST API: every refusal of a
token (missing, unknown, revoked, app-only, without the scope) is 401 with a message of its own,
and no answer carries WWW-Authenticate; so the token is described by a scheme of its own.
"""

from __future__ import annotations

from api.openapi.parts import (
    RAILS_BOOLEAN,
    STRING,
    Schema,
    headers,
    json_body,
    operation,
    query,
    ref,
)
from api.streaming.channels import SSE_PATHS

TAG = "streaming"
STREAMING_TOKEN = "StreamingToken"
EVENT_STREAM = "text/event-stream"
SECURITY_SCHEMES: dict[str, Schema] = {
    STREAMING_TOKEN: {
        "type": "http",
        "scheme": "bearer",
        "description": "A user's token as `Authorization: Bearer <token>`, the `access_token` "
        "query parameter, or (WebSocket) the Sec-WebSocket-Protocol header. Public streams "
        "take any scope; `user` needs `read` or `read:statuses`, `user:notification` `read` or "
        "`read:notifications`. There is no anonymous streaming, as in Mastodon.",
    }
}
_SECURITY = [{STREAMING_TOKEN: []}]
_REFUSED = {
    "400": json_body(
        ref("Error"),
        "`Unknown channel requested` (no such stream path), `Missing tag name parameter`, "
        "`Missing list name parameter`.",
    ),
    "401": json_body(
        ref("Error"),
        "`Missing access token`, `Invalid access token` (unknown, revoked or app-only), "
        "`Access token does not have the required scopes`, `Not authorized to stream this "
        "list` (no list exists here).",
    ),
}
_EVENTS = {
    "description": "Server-sent events, kept open: first the comment line `:)`, then for each "
    "event `event: <name>` and `data: <payload>` and a blank line, and the comment `:thump` "
    "every 15 s. Events: `update` and `status.update` (data: the Status JSON), "
    "`delete` (data: the status id), `notification` (data: the Notification JSON).",
    "headers": headers(),
    "content": {EVENT_STREAM: {"schema": STRING}},
}
_STREAMS = {
    "user": ("streamUser", "The viewer's home feed (and notifications with their scope)"),
    "user/notification": ("streamNotifications", "The viewer's notifications"),
    "public": ("streamPublic", "Public statuses (no boosts, no replies to others)"),
    "public/local": ("streamPublicLocal", "Local public statuses (every status is local)"),
    "public/remote": ("streamPublicRemote", "Remote public statuses (always silent here)"),
    "hashtag": ("streamHashtag", "Public statuses with a hashtag"),
    "hashtag/local": ("streamHashtagLocal", "Local public statuses with a hashtag"),
    "list": ("streamList", "A list: always refused, as no list exists here"),
}
assert set(_STREAMS) == set(SSE_PATHS)


def _parameters(path: str) -> list[Schema]:
    if path.startswith("public"):
        return [query("only_media", RAILS_BOOLEAN, "Only statuses with media attachments.")]
    if path.startswith("hashtag"):
        return [query("tag", STRING, "The hashtag, with or without `#`; normalized.")]
    if path == "list":
        return [query("list", STRING, "The list's id.")]
    return []


def _stream(path: str) -> Schema:
    operation_id, summary = _STREAMS[path]
    ok = {} if path == "list" else {"200": _EVENTS}
    return operation(
        operation_id,
        summary,
        tag=TAG,
        security=_SECURITY,
        parameters=_parameters(path),
        responses={**ok, **_REFUSED},
    )


PATHS: dict[str, dict[str, Schema]] = {
    **{f"/api/v1/streaming/{path}": {"get": _stream(path)} for path in SSE_PATHS},
    "/api/v1/streaming/health": {
        "get": operation(
            "getStreamingHealth",
            "The streaming API is up",
            tag=TAG,
            responses={
                "200": {
                    "description": "`OK`, as Mastodon's streaming server.",
                    "headers": headers(),
                    "content": {"text/plain": {"schema": {"const": "OK"}}},
                }
            },
        )
    },
    "/api/v1/streaming": {
        "get": operation(
            "streamWebSocket",
            "A WebSocket carrying any number of streams",
            tag=TAG,
            security=_SECURITY,
            parameters=[
                query("stream", STRING, "A stream to subscribe to at once (`user`, `public`..."),
                query("tag", STRING, "The hashtag of a `hashtag` stream."),
            ],
            responses={
                "101": {
                    "description": 'Upgraded. Send `{"type": "subscribe"|"unsubscribe", '
                    '"stream": <name>, "tag": ...}`; each event arrives as `{"stream": [<name>'
                    '(, <tag>)], "event": <name>, "payload": <text>}` (the payload is the JSON '
                    'text Mastodon sends, not an object); a refused subscription as `{"error": '
                    '<message>, "status": 400|401}`. Pings every 30 s.'
                },
                "400": json_body(
                    ref("Error"),
                    "A plain GET (no upgrade): `Unknown channel requested`, as Mastodon.",
                ),
                "401": {
                    "description": "The upgrade refused: no body, the reason in X-Error-Message "
                    "(`Missing access token`, `Invalid access token`).",
                    "headers": {"X-Error-Message": {"schema": STRING, "required": True}},
                },
            },
        )
    },
    "/api/v1/streaming/{rest}": {
        "get": operation(
            "streamUnknown",
            "Any other path under /api/v1/streaming",
            tag=TAG,
            parameters=[
                {"name": "rest", "in": "path", "required": True, "schema": STRING},
            ],
            responses={"400": _REFUSED["400"]},
        )
    },
}
