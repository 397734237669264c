"""The log bench's rate over each quarter of a rebuild, read from `tootlog rebuild`'s own plain
progress lines: a rebuild that slows down half-way shows it in its later quarters."""

from __future__ import annotations

import io
from collections.abc import Callable
from types import SimpleNamespace

import pytest

from api.operations import progress as progress_module
from bench.log_bench import quarter_rates


def _progress_text(
    monkeypatch: pytest.MonkeyPatch, seconds: float, events_at: Callable[[float], int]
) -> str:
    """What Progress prints for a rebuild whose events applied by time t are events_at(t),
    one batch every 0.25 s (on a clock of the test's own), a line every PLAIN_EVERY."""
    clock = SimpleNamespace(now=0.0)
    monkeypatch.setattr(progress_module, "time", SimpleNamespace(monotonic=lambda: clock.now))
    stream = io.StringIO()
    progress = progress_module.Progress("rebuild", stream)
    target = events_at(seconds)
    while clock.now < seconds:
        clock.now = min(seconds, clock.now + 0.25)
        applied = events_at(clock.now)
        progress(applied, applied, target)
    return stream.getvalue()


def test_a_rebuild_that_halves_its_rate_half_way_shows_it_in_its_later_quarters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 1,000 events/s for 50 s, then 500 events/s for 50 s: 75,000 events. The quarters end at
    # 18,750, 37,500, 56,250 and 75,000 events; the third straddles the change (12,500 events
    # in 12.5 s, then 6,250 in 12.5 s: 750 events/s).
    def events_at(t: float) -> int:
        return int(1000 * t) if t <= 50 else int(50_000 + 500 * (t - 50))

    text = _progress_text(monkeypatch, 100.0, events_at)
    assert text.count("\n") >= 40, text
    assert quarter_rates(text) == pytest.approx([1000, 1000, 750, 500], rel=0.05)


def test_lines_that_reach_half_the_log_give_two_quarters() -> None:
    assert quarter_rates("") == []
    lines = (
        "rebuild: position 250 of 1,000 (25%), 250 events, 250 events/s, about 3 s left\n"
        "rebuild: position 500 of 1,000 (50%), 500 events, 250 events/s, about 2 s left\n"
    )
    assert quarter_rates(lines) == pytest.approx([250, 250])
