"""What the projector has written of recent statuses, so that applying a deletion or an unreblog
needs no read in the middle of a batch (a read waits for every statement sent before it, and in a
rebuild for the previous batch's commit).

Facts of a status never change once written, except `deleted`, which only the projector sets. A
failed batch rolls back what it wrote, so the projector forgets everything it remembers then; so
it does when another worker may have moved the position. What is not remembered (a status older
than the oldest remembered, one of another worker) is read from the read model as before.
"""

from __future__ import annotations

from dataclasses import dataclass

from projections.remembered import Remembered

REMEMBERED = 200_000  # statuses; about 150 bytes each


@dataclass(slots=True)
class Facts:
    account_id: int
    visibility: str
    in_reply_to_id: int | None
    reblog_of_id: int | None
    depth: int | None  # None when not known (its parent was not remembered)
    created: int  # the position of the event that wrote it
    deleted: int | None = None  # the position of the event that deleted it


class StatusFacts:
    def __init__(self, remembered: int = REMEMBERED) -> None:
        self._facts: Remembered[int, Facts] = Remembered(remembered)

    def add(self, status_id: int, facts: Facts) -> None:
        self._facts.put(status_id, facts)

    def get(self, status_id: int | None) -> Facts | None:
        return None if status_id is None else self._facts.get(status_id)

    def depth_below(self, parent_id: int | None) -> int | None:
        """The depth of a new status under `parent_id` (0 for none), or None if not known."""
        if parent_id is None:
            return 0
        parent = self.get(parent_id)
        return None if parent is None or parent.depth is None else parent.depth + 1

    def forget(self) -> None:
        self._facts.clear()
