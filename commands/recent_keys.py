"""What this process has recently learnt about Idempotency-Keys, so a client's retry is answered
without touching the event store.

A key names one status for the whole retention window (it can only be used again once it has
expired), so a remembered (key -> status) stays true until its `used_at` plus the retention, also
with other processes writing: an entry is used only inside that window. What a miss costs is the
event store's own path (try to create the key; on a conflict, load it).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

DEFAULT_CAPACITY = 10_000  # keys are at most 255 bytes: a few MB at most


@dataclass(frozen=True)
class KeyUse:
    """A key's status, when the key was used, and a position at which the status is readable."""

    status_id: int
    used_at: float
    position: int


class RecentKeys:
    """A bounded, thread-safe map (account, key) -> KeyUse, least recently used dropped first."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._uses: OrderedDict[tuple[int, str], KeyUse] = OrderedDict()
        self._lock = threading.Lock()

    def live(self, account_id: int, key: str, now: float, retention: float) -> KeyUse | None:
        """The remembered use of this key if it has not expired, else None."""
        with self._lock:
            use = self._uses.get((account_id, key))
            if use is None:
                return None
            if now - use.used_at >= retention:
                del self._uses[(account_id, key)]
                return None
            self._uses.move_to_end((account_id, key))
            return use

    def remember(self, account_id: int, key: str, use: KeyUse) -> None:
        with self._lock:
            self._uses[(account_id, key)] = use
            self._uses.move_to_end((account_id, key))
            while len(self._uses) > self.capacity:
                self._uses.popitem(last=False)
