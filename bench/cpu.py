"""CPU time per request: the server process's and its PostgreSQL backends', from /proc.

Throughput ratios move with whatever else runs on a shared machine (the two targets are loaded
one after the other); CPU time spent per request moves much less, so the report shows both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class CpuUse:
    """Milliseconds of CPU per request: the server's processes (all threads; tootlog's include
    its projection worker), and the PostgreSQL backends of the bench database (None when they
    are not on this machine)."""

    server_ms: float
    postgres_ms: float | None


@dataclass(frozen=True)
class CpuClock:
    """CPU seconds used so far by a server's processes and by the database's backends."""

    server: float
    postgres: dict[int, float] | None  # backend pid -> CPU seconds

    def since(self, start: CpuClock, requests: int) -> CpuUse:
        per = 1000 / max(requests, 1)
        postgres = None
        if self.postgres is not None and start.postgres is not None:
            # Backends that appeared during the run count from zero.
            used = sum(t - start.postgres.get(pid, 0.0) for pid, t in self.postgres.items())
            postgres = round(used * per, 3)
        return CpuUse(round((self.server - start.server) * per, 3), postgres)


def process_cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process (all its threads), or None if it is not readable here."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()  # the command name may contain spaces
    return (int(fields[11]) + int(fields[12])) / TICKS


def clock(server_pids: list[int], backend_pids: list[int] | None) -> CpuClock:
    server = sum(process_cpu_seconds(pid) or 0.0 for pid in server_pids)
    if backend_pids is None:
        return CpuClock(server, None)
    backends = {pid: process_cpu_seconds(pid) for pid in backend_pids}
    if any(t is None for t in backends.values()):
        return CpuClock(server, None)  # PostgreSQL runs elsewhere
    return CpuClock(server, backends)  # type: ignore[arg-type]
