"""Progress of a long job (rebuild, verify) on stderr: a bar with events/s and the time left on a
terminal (tqdm), plain lines every few seconds otherwise (logs, CI)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from tqdm import tqdm

PLAIN_EVERY = 2.0  # seconds between plain progress lines


class Progress:
    """Called with (events applied, position reached, position aimed at) after each batch."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.applied = 0
        self._bar: tqdm | None = None
        self._printed = self.started
        self._start_position: int | None = None

    def __call__(self, applied: int, position: int, target: int) -> None:
        self.applied = applied
        if self._start_position is None:
            self._start_position = 0
        if self.stream.isatty():
            if self._bar is None:
                self._bar = tqdm(
                    total=target,
                    desc=self.label,
                    unit=" positions",
                    unit_scale=True,
                    file=self.stream,
                    dynamic_ncols=True,
                )
            self._bar.total = max(target, position)
            self._bar.update(position - self._bar.n)
            self._bar.set_postfix_str(f"{self.rate:,.0f} events/s", refresh=False)
            return
        now = time.monotonic()
        if now - self._printed >= PLAIN_EVERY:
            self._printed = now
            done = position / target if target else 1.0
            left = (now - self.started) * (1 - done) / done if done else 0.0
            print(
                f"{self.label}: position {position:,} of {target:,} ({done:.0%}),"
                f" {applied:,} events, {self.rate:,.0f} events/s, about {left:,.0f} s left",
                file=self.stream,
                flush=True,
            )

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def rate(self) -> float:
        return self.applied / self.elapsed if self.elapsed > 0 else 0.0

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
