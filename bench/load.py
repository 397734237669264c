"""Load with wrk: find or install it, run it, read what it prints."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.errors import BenchError

# wrk prints latencies with these units (src/units.c).
MS_PER_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
LATENCY = r"([\d.]+)(us|ms|s|m|h)"
# wrk gives up on a request after this long and counts it as a socket error, not in the latency
# histogram; its default (2 s) turned slow context answers on a busy machine into "errors".
TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Load:
    """How hard and how long to push: the same for every target of a run."""

    duration: int
    warmup: int
    connections: int
    threads: int


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run measured."""

    requests: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    http_errors: int  # responses with status >= 400 ("Non-2xx or 3xx responses")
    socket_errors: int  # connect + read + write + timeout

    @property
    def errors(self) -> int:
        return self.http_errors + self.socket_errors

    @property
    def error_share(self) -> float:
        """Errors per request; 1.0 when nothing completed."""
        return self.errors / self.requests if self.requests else 1.0


def ensure_wrk() -> str:
    """The wrk executable; installed with apt-get (as root) when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise BenchError("wrk is not installed: apt-get install -y wrk")
    install = ["apt-get", "install", "-y", "wrk"]
    if subprocess.run(install, capture_output=True).returncode != 0:
        # Only a stale package index is worth a retry; refresh it once.
        subprocess.run(["apt-get", "update"], capture_output=True)
        subprocess.run(install, capture_output=True)
    found = shutil.which("wrk")
    if not found:
        raise BenchError("could not install wrk: apt-get install -y wrk")
    return found


def run_wrk(
    wrk: str, url: str, load: Load, seconds: int, script: Path | None, script_args: list[str]
) -> WrkResult:
    """Load `url` for `seconds` (optionally through a Lua script) and parse the result."""
    command = [wrk, f"-t{load.threads}", f"-c{load.connections}", f"-d{seconds}s", "--latency"]
    command.append(f"--timeout={TIMEOUT_SECONDS}s")
    if script is not None:
        command += ["-s", str(script)]
    command.append(url)
    if script is not None:
        command += ["--", *script_args]
    finished = subprocess.run(command, capture_output=True, text=True)
    if finished.returncode != 0:
        raise BenchError(f"wrk failed on {url}:\n{finished.stdout}{finished.stderr}")
    return parse_wrk(finished.stdout)


def parse_wrk(output: str) -> WrkResult:
    """Read requests, req/s, p50/p99 latency and error counts from wrk's --latency report."""
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    http_errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return WrkResult(
        requests=int(_find(r"(\d+) requests in ", output)[0]),
        requests_per_second=float(_find(r"Requests/sec:\s+([\d.]+)", output)[0]),
        p50_ms=_milliseconds(*_find(rf"^\s*50%\s+{LATENCY}\s*$", output)),
        p99_ms=_milliseconds(*_find(rf"^\s*99%\s+{LATENCY}\s*$", output)),
        http_errors=int(http_errors[1]) if http_errors else 0,
        socket_errors=sum(map(int, socket_errors.groups())) if socket_errors else 0,
    )


def _find(pattern: str, output: str) -> tuple[str, ...]:
    """The groups of `pattern`'s first match in wrk's output; fail loudly if wrk changed."""
    match = re.search(pattern, output, re.MULTILINE)
    if match is None:
        raise BenchError(f"unexpected wrk output (no match for {pattern!r}):\n{output}")
    return match.groups()


def _milliseconds(value: str, unit: str) -> float:
    return round(float(value) * MS_PER_UNIT[unit], 3)
