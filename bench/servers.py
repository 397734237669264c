"""The HTTP servers under load: start one, wait until it answers, read its memory, stop it."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from bench.errors import BenchError

START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


@dataclass(frozen=True)
class Memory:
    """A server's resident set size now and at its peak (VmHWM), in MB, summed over the server
    process and its child processes (tootlog's projection worker): the sum of peaks is an upper
    bound of the peak of the sum."""

    rss_mb: float
    peak_mb: float
    # Proportional set size now, summed the same way: each page shared between processes (the
    # interpreter's and the libraries' code, mapped by every process) counted once in all,
    # divided among them, where the RSS sum counts it once per process.
    pss_mb: float = 0.0


@dataclass(frozen=True)
class Server:
    """A server process listening on 127.0.0.1."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pids(self) -> list[int]:
        """The server process and its children (tootlog's projection worker)."""
        return [self.process.pid, *_children(self.process.pid)]

    def memory(self) -> Memory:
        """Read VmRSS and VmHWM (and the PSS) from /proc, for the server and its children."""
        fields = {"VmRSS": 0.0, "VmHWM": 0.0}
        pss = 0.0
        for pid in self.pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue  # a child that just ended
            for line in status.splitlines():
                key, _, value = line.partition(":")
                if key in fields:
                    fields[key] += int(value.split()[0]) / 1024  # kB -> MB
            pss += _pss_mb(pid)
        return Memory(rss_mb=fields["VmRSS"], peak_mb=fields["VmHWM"], pss_mb=pss)

    def log_tail(self, lines: int = 20) -> str:
        """The end of what the server printed, for error messages."""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def _pss_mb(pid: int) -> float:
    """The process's proportional set size in MB (0 when it just ended)."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0.0
    for line in rollup.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _children(pid: int) -> list[int]:
    """The ids of the processes whose parent is `pid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rpartition(")")[2].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid:
            found.append(int(stat.parent.name))
    return found


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running(
    name: str, command: list[str], env: Mapping[str, str], port: int, log_path: Path, cwd: Path
) -> Iterator[Server]:
    """Start `command` (listening on `port`), yield it once it answers HTTP, then stop it."""
    with log_path.open("wb") as log:
        # A session of its own keeps Ctrl-C away from the server: the bench stops it, in order.
        process = subprocess.Popen(
            command,
            env=dict(env),
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        server = Server(name, process, port, log_path)
        try:
            _wait_until_answering(server)
            yield server
        finally:
            _stop(process)


def _wait_until_answering(server: Server) -> None:
    """Poll until the server answers any HTTP request; fail if it exits or takes too long."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if server.process.poll() is not None:
            raise BenchError(
                f"{server.name} exited with code {server.process.returncode} while starting:\n"
                f"{server.log_tail()}"
            )
        try:
            with urllib.request.urlopen(server.base_url + "/", timeout=1):
                return
        except urllib.error.HTTPError:
            return  # an error status is still an answer
        except OSError:
            if time.monotonic() > deadline:
                message = f"{server.name} did not answer within {START_TIMEOUT:.0f}s"
                raise BenchError(message) from None
            time.sleep(0.2)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if the process is still there after STOP_TIMEOUT."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
