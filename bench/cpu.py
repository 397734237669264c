"""CPU time per request: the server process's and its PostgreSQL backends', from /proc; and
how much of the machine's CPU stayed idle meanwhile.

Throughput ratios move with whatever else runs on a shared machine (the two targets are loaded
one after the other); CPU time spent per request moves much less, so the report shows both. The
idle share says whether a server was held back by the machine (no core left idle: everything
it adds, a second API process included, competes with what it already runs) or by itself.
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
    machine_idle: float | None = None  # share of all cores' time idle (0-1), None if unknown


@dataclass(frozen=True)
class CpuClock:
    """CPU seconds used so far by a server's processes and by the database's backends, and the
    machine's CPU time so far (all cores: total, idle)."""

    server: float
    postgres: dict[int, float] | None  # backend pid -> CPU seconds
    machine: tuple[int, int] | None = None

    def since(self, start: CpuClock, requests: int) -> CpuUse:
        per = 1000 / max(requests, 1)
        postgres = None
        if self.postgres is not None and start.postgres is not None:
            # Backends that appeared during the run count from zero.
            used = sum(t - start.postgres.get(pid, 0.0) for pid, t in self.postgres.items())
            postgres = round(used * per, 3)
        idle = None
        if self.machine is not None and start.machine is not None:
            total = self.machine[0] - start.machine[0]
            idle = round((self.machine[1] - start.machine[1]) / total, 3) if total > 0 else None
        return CpuUse(round((self.server - start.server) * per, 3), postgres, idle)


def process_cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process (all its threads), or None if it is not readable here."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()  # the command name may contain spaces
    return (int(fields[11]) + int(fields[12])) / TICKS


def machine_times() -> tuple[int, int] | None:
    """All cores' CPU time so far in clock ticks, (total, idle: idle + waiting for I/O), from
    the first line of /proc/stat; None where there is none."""
    try:
        line = Path("/proc/stat").read_text().split("\n", 1)[0]
    except OSError:
        return None
    ticks = [int(field) for field in line.split()[1:]]
    return sum(ticks), ticks[3] + ticks[4]


def clock(server_pids: list[int], backend_pids: list[int] | None) -> CpuClock:
    server = sum(process_cpu_seconds(pid) or 0.0 for pid in server_pids)
    machine = machine_times()
    if backend_pids is None:
        return CpuClock(server, None, machine)
    backends = {pid: process_cpu_seconds(pid) for pid in backend_pids}
    if any(t is None for t in backends.values()):
        return CpuClock(server, None, machine)  # PostgreSQL runs elsewhere
    return CpuClock(server, backends, machine)  # type: ignore[arg-type]
