"""Group commit: the saves of concurrent commands share one event-store transaction.

Every insert into the event store takes its table lock, so single-event transactions queue
behind each other. One writer thread takes whatever saves are waiting and stores them in one
transaction; if that fails on a conflict, it stores them one by one so that only the save that
really conflicts fails (and its command reloads and decides again).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from eventsourcing.application import Recording
from eventsourcing.persistence import IntegrityError

MAX_BATCH = 100


@dataclass
class _PendingSave:
    events: list
    done: threading.Event = field(default_factory=threading.Event)
    recordings: list[Recording] = field(default_factory=list)
    error: BaseException | None = None

    def finish(self, recordings: list[Recording] | None, error: BaseException | None) -> None:
        self.recordings = recordings or []
        self.error = error
        self.done.set()


class GroupCommitter:
    """Funnels `save(events)` calls from many threads into few transactions."""

    def __init__(self, store_events: Callable[[list], list[Recording]]) -> None:
        self._store_events = store_events
        self._queue: queue.SimpleQueue[_PendingSave | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)
        self._thread.start()

    def save(self, events: list) -> list[Recording]:
        """Store `events` atomically, possibly with other callers' events; block until done."""
        pending = _PendingSave(events)
        self._queue.put(pending)
        pending.done.wait()
        if pending.error is not None:
            raise pending.error
        return pending.recordings

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)
                    break
                batch.append(item)
            self._store(batch)

    def _store(self, batch: list[_PendingSave]) -> None:
        if len(batch) > 1:
            try:
                recordings = self._store_events([e for p in batch for e in p.events])
            except IntegrityError:
                pass  # someone in the batch conflicts: find out who, one by one
            except BaseException as error:  # noqa: BLE001 - handed to every waiting caller
                for pending in batch:
                    pending.finish(None, error)
                return
            else:
                start = 0
                for pending in batch:
                    pending.finish(recordings[start : start + len(pending.events)], None)
                    start += len(pending.events)
                return
        for pending in batch:
            try:
                pending.finish(self._store_events(pending.events), None)
            except BaseException as error:  # noqa: BLE001
                pending.finish(None, error)
