"""The projection worker that `tootlog serve` runs by default: `tootlog project` as a child process.

A process of its own gives the projection its own interpreter and GIL, so applying batches does not
take CPU time from request handlers (and the other way round). `serve` starts it, restarts it if
it dies, and stops it on shutdown; if `serve` itself is killed, the child sees its stdin close and
stops.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time

from domain.urls import Urls

log = logging.getLogger("tootlog.worker")

STOP_TIMEOUT = 10.0
# Restart backoff: doubled after each quick death, reset once a worker has lived this long.
FIRST_BACKOFF = 0.5
MAX_BACKOFF = 10.0
HEALTHY_AFTER = 30.0


class WorkerProcess:
    """Runs and supervises `tootlog <command> --supervised` for one database (`project`: the
    projection worker, with `--schedule` the scheduler too; `cards`: the link preview card
    worker); `options`: more of the command's options."""

    def __init__(
        self,
        database_url: str,
        urls: Urls,
        command: str = "project",
        options: tuple[str, ...] = (),
    ) -> None:
        self.command = command
        self.options = options
        # The child builds the same documents as this server: same database, same public URLs.
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "TOOTLOG_DOMAIN": urls.domain,
            "TOOTLOG_SCHEME": urls.scheme,
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._supervisor: threading.Thread | None = None

    def start(self) -> None:
        self._spawn()
        self._supervisor = threading.Thread(
            target=self._supervise, name="worker-supervisor", daemon=True
        )
        self._supervisor.start()

    def stop(self) -> None:
        """Stop the child (SIGTERM, then SIGKILL after STOP_TIMEOUT) and do not restart it."""
        self._stopping.set()
        with self._lock:
            process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._supervisor is not None:
            self._supervisor.join(timeout=STOP_TIMEOUT)

    def _spawn(self) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            self.process = subprocess.Popen(
                [sys.executable, "-m", "api.cli", self.command, *self.options, "--supervised"],
                env=self.env,
                stdin=subprocess.PIPE,  # never written: its EOF tells the child that serve is gone
                # A session of its own: a terminal's Ctrl-C reaches serve, which stops the child in
                # order, rather than the child dying first and being restarted during shutdown.
                start_new_session=True,
            )
            self.starts += 1

    def _supervise(self) -> None:
        backoff = FIRST_BACKOFF
        while not self._stopping.is_set():
            process = self.process
            assert process is not None
            started = time.monotonic()
            code = process.wait()
            if self._stopping.is_set():
                return
            if time.monotonic() - started > HEALTHY_AFTER:
                backoff = FIRST_BACKOFF
            log.warning(
                "%s worker exited with code %s; restarting in %.1fs", self.command, code, backoff
            )
            if self._stopping.wait(backoff):
                return
            backoff = min(backoff * 2, MAX_BACKOFF)
            self._spawn()


def stop_when_stdin_closes(stop: threading.Event) -> None:
    """In the child: set `stop` once the supervising process has gone (stdin reaches EOF)."""

    def watch() -> None:
        # The file descriptor, not sys.stdin: a thread blocked in a buffered read holds its lock,
        # and the interpreter cannot shut down past it.
        while os.read(sys.stdin.fileno(), 1):
            pass
        stop.set()

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
