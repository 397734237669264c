"""The planner's statistics of the live read models, refreshed as the log grows.

The read pool plans each statement once per connection (projections/queries.py), for the
tables as they are then, and keeps the plan: on a new server, with an account and a few
statuses, those plans reached the statuses through the account and walked all of its statuses
on every later read. An ANALYZE makes every connection plan again, for the tables as they have
grown; autovacuum's comes only after its next look (a minute), and then only for tables grown
by a tenth. So the projection worker ANALYZEs every read model each time the log's length
doubles from START events (at positions 1,024, 2,048, 4,096...), from a thread of its own:
about 10 times in a store's first million events, and never again from the same log.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from projections.schema import READ_MODEL_TABLES

if TYPE_CHECKING:
    from projections.readmodel import ReadModel

log = logging.getLogger("tootlog.projection")

START = 1024
# How long closing waits for an ANALYZE in flight: a SIGTERM's drain should not wait on the
# statistics of a large store, and an ANALYZE cut short by its closed connection changes nothing.
CLOSE_WAIT = 5.0


def doubled(previous: int, position: int, start: int) -> bool:
    """Whether the log's length doubled (or reached `start`) between the two positions."""
    return (position // start).bit_length() > (previous // start).bit_length()


class GrowthStatistics:
    """ANALYZEs the read models of `view` when a batch takes the log past a doubling."""

    def __init__(self, view: ReadModel, start: int = START) -> None:
        self.view = view
        self.start = start
        self._running: threading.Thread | None = None

    def applied(self, previous: int, last: int) -> None:
        """A batch moved the position from `previous` to `last`."""
        if doubled(previous, last, self.start):
            self._analyze_soon()

    def _analyze_soon(self) -> None:
        """ANALYZE every read model from a thread of its own (projecting goes on meanwhile),
        unless one still runs."""
        if self._running is not None and self._running.is_alive():
            return

        def analyze() -> None:
            try:
                self.view.analyze(READ_MODEL_TABLES)
            except Exception as error:  # statistics refresh later (autovacuum) anyway
                log.warning("could not ANALYZE the read models: %s", error)

        self._running = threading.Thread(target=analyze, name="analyze", daemon=True)
        self._running.start()

    def close(self) -> None:
        if self._running is not None:
            self._running.join(timeout=CLOSE_WAIT)
