"""The streams a client can ask for, as Mastodon's streaming server names, checks and refuses
them (its `channelNameFromPath`, `checkScopes`, `channelNameToIds`).

Every failure is a StreamError with Mastodon's status and message: an SSE request answers it as
`{"error": ...}`, a WebSocket subscription as `{"error": ..., "status": ...}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from domain.entities import normalize_tag
from domain.scopes import allows

# Mastodon's PUBLIC_CHANNELS: no scope needed (a valid user token still is).
PUBLIC = frozenset(
    [
        "public",
        "public:media",
        "public:local",
        "public:local:media",
        "public:remote",
        "public:remote:media",
        "hashtag",
        "hashtag:local",
    ]
)
USER = "user"
NOTIFICATIONS = "user:notification"
LIST = "list"
KNOWN = PUBLIC | {USER, NOTIFICATIONS, LIST}
READ_NOTIFICATIONS = ("read", "read:notifications")
READ_STATUSES = ("read", "read:statuses")

# The SSE paths and the streams they name (Mastodon's channelNameFromPath); `only_media` turns
# the public ones into their :media streams. `direct` (conversations) is not built here.
SSE_PATHS = {
    "user": USER,
    "user/notification": NOTIFICATIONS,
    "public": "public",
    "public/local": "public:local",
    "public/remote": "public:remote",
    "hashtag": "hashtag",
    "hashtag/local": "hashtag:local",
    "list": LIST,
}
_FALSE = frozenset(["0", "f", "F", "false", "FALSE", "off", "OFF", ""])

MISSING_TOKEN = "Missing access token"
INVALID_TOKEN = "Invalid access token"
OUTSIDE_SCOPES = "Access token does not have the required scopes"
UNKNOWN_CHANNEL = "Unknown channel requested"
UNKNOWN_STREAM = "Unknown stream type"
MISSING_TAG = "Missing tag name parameter"
MISSING_LIST = "Missing list name parameter"
NO_SUCH_LIST = "Not authorized to stream this list"


class StreamError(Exception):
    """A refusal with Mastodon's status (400 for a bad request, 401 for authentication)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class Channel:
    """One stream a connection listens to."""

    name: str  # "user", "public:local:media", "hashtag"...
    tag: str | None = None  # normalized hashtag name
    label: tuple[str, ...] = ()  # the `stream` of its WebSocket messages: [name] or [name, tag]

    @property
    def key(self) -> str:
        """What the hub files subscribers under (and a connection de-duplicates by)."""
        return f"{self.name}#{self.tag}" if self.tag is not None else self.name


def sse_channel_name(rest: str, only_media: str | None) -> str:
    """The stream an SSE path names; 400 `Unknown channel requested` for any other path."""
    name = SSE_PATHS.get(rest.strip("/"))
    if name is None:
        raise StreamError(400, UNKNOWN_CHANNEL)
    if name.startswith("public") and only_media is not None and only_media not in _FALSE:
        name += ":media"
    return name


def check_scopes(scopes: list[str], name: str) -> None:
    """Mastodon's checkScopes: public streams need none; `user:notification` needs `read` or
    `read:notifications`, every other stream `read` or `read:statuses` (the name is not yet
    known to be valid here, as in Mastodon)."""
    if name in PUBLIC:
        return
    needed = READ_NOTIFICATIONS if name == NOTIFICATIONS else READ_STATUSES
    if not allows(scopes, needed):
        raise StreamError(401, OUTSIDE_SCOPES)


def channel(name: object, params: Mapping[str, object]) -> Channel:
    """The stream `name` with its parameters (`tag`, `list`), or Mastodon's refusal."""
    if not isinstance(name, str) or name not in KNOWN:
        raise StreamError(400, UNKNOWN_STREAM)
    if name.startswith("hashtag"):
        tag = params.get("tag")
        normalized = normalize_tag(tag) if isinstance(tag, str) else ""
        if not normalized:
            raise StreamError(400, MISSING_TAG)
        return Channel(name, normalized, (name, tag))  # type: ignore[arg-type]
    if name == LIST:
        # No lists exist here: every list is one the viewer may not stream, as Mastodon
        # answers for a list that is not the viewer's.
        if not params.get("list"):
            raise StreamError(400, MISSING_LIST)
        raise StreamError(401, NO_SUCH_LIST)
    return Channel(name, None, (name,))


def first(value: object) -> object:
    """Mastodon's firstParam: the first of a list, else the value."""
    if isinstance(value, list):
        return value[0] if value else None
    return value
