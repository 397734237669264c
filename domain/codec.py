"""How domain events are encoded in the event store, shared by the write and read sides.

Importing this module registers every aggregate and event topic, so stored events can be decoded
wherever it is imported.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    StoredEvent,
    UUIDAsHex,
    find_id_convertor,
)
from eventsourcing.utils import resolve_topic

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
    notification,
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


def make_mapper() -> EventMapper:
    """A mapper that turns stored events back into domain events."""
    return EventMapper(transcoder=make_transcoder())


class EventMapper(Mapper):
    """The library's mapper, decoding faster: the stored JSON is parsed by orjson and only the
    objects that hold a transcoded value (`{"_type_": ..., "_data_": ...}`, such as every event's
    timestamp) are revived, with the transcoder's own transcodings. The domain event is built as
    the library builds it (same class, same attributes; upcast if its class version is newer).
    What orjson refuses (JSON the standard library accepts, such as a lone surrogate escape or a
    number beyond 64 bits) is decoded by the library's path."""

    def __init__(self, transcoder: JSONTranscoder) -> None:
        super().__init__(transcoder=transcoder)
        self._names = transcoder.names
        self._classes: dict[str, tuple[type, int]] = {}

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        return self.decode(
            stored_event.topic,
            stored_event.state,
            stored_event.originator_id,
            stored_event.originator_version,
        )

    def decode(
        self, topic: str, state: bytes, originator_id: UUID | str, originator_version: int
    ) -> Any:
        """The domain event stored as `state` under `topic` (to_domain_event without a
        StoredEvent)."""
        found = self._classes.get(topic)
        if found is None:
            cls = resolve_topic(topic)
            found = self._classes[topic] = (cls, getattr(cls, "class_version", 1))
        if self.cipher or self.compressor:
            return super().to_domain_event(
                StoredEvent(originator_id, originator_version, topic, state)
            )
        cls, class_version = found
        try:
            event_state = orjson.loads(state)
        except orjson.JSONDecodeError:
            return super().to_domain_event(
                StoredEvent(originator_id, originator_version, topic, bytes(state))
            )
        if type(event_state) is not dict:
            event_state = self.transcoder.decode(bytes(state))
        else:
            # Most events hold one transcoded value, their timestamp: revive only that one
            # when it is the only key named so (a quote inside a string is escaped, so a
            # string never counts here).
            typed = state.count(b'"_type_"')
            stamp = event_state.get("timestamp")
            if typed == 1 and type(stamp) is dict and len(stamp) == 2 and "_type_" in stamp:
                event_state["timestamp"] = self.transcoder._decode_obj(stamp)  # noqa: SLF001
            elif typed:
                event_state = self._revive(event_state)
        event_state["originator_id"] = find_id_convertor(cls, type(originator_id))(originator_id)
        event_state["originator_version"] = originator_version
        from_version = event_state.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(event_state)
            from_version += 1
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", event_state)
        return event

    def _revive(self, value: dict) -> Any:
        """`value` with its transcoded objects decoded, innermost first (as the library's
        object_hook does)."""
        for key, item in value.items():
            kind = type(item)
            if kind is dict or kind is list:
                value[key] = self._revive(item) if kind is dict else self._revive_list(item)
        if len(value) == 2 and "_type_" in value and "_data_" in value:
            return self.transcoder._decode_obj(value)  # noqa: SLF001 - the library's own rule
        return value

    def _revive_list(self, items: list) -> list:
        for index, item in enumerate(items):
            kind = type(item)
            if kind is dict or kind is list:
                items[index] = self._revive(item) if kind is dict else self._revive_list(item)
        return items
