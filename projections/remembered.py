"""A bounded memory for what the projector has written and would otherwise read back in the
middle of a batch (a read waits for every statement sent before it, and in a rebuild for the
previous batch's commit): recent statuses' facts (projections/status_facts.py), authors'
usernames (projections/projector.py). Bounded, so that a projector's memory stays flat however
many statuses and accounts the log holds; what it has forgotten is read again when needed.
"""

from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Remembered(Generic[K, V]):
    """At most `limit` entries. When full, the least recently used half is forgotten: a dict
    keeps insertion order, and an entry is put back at the end whenever it is used."""

    __slots__ = ("limit", "_entries")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._entries: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        value = self._entries.pop(key, None)
        if value is not None:
            self._entries[key] = value  # used: the last to be forgotten
        return value

    def put(self, key: K, value: V) -> None:
        if len(self._entries) >= self.limit and key not in self._entries:
            for old in list(self._entries)[: self.limit // 2]:
                del self._entries[old]
        self._entries[key] = value

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
