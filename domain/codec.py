"""How domain events are encoded in the event store, shared by the write and read sides.

Importing this module registers every aggregate and event topic, so stored events can be decoded
wherever it is imported.
"""

from __future__ import annotations

from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    UUIDAsHex,
)

from domain import (  # noqa: F401  (importing registers the topics)
    account,
    bookmark,
    card,
    conversation_mute,
    favourite,
    follow,
    idempotency,
    marker,
    media,
    oauth,
    pins,
    reblog,
    status,
    token,
)


def make_transcoder() -> JSONTranscoder:
    """The JSON transcoder with the transcodings our events use."""
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
        transcoder.register(transcoding)
    return transcoder


def make_mapper() -> Mapper:
    """A mapper that turns stored events back into domain events."""
    return Mapper(transcoder=make_transcoder())
