"""How `tootlog serve` and `tootlog api` lay out their processes.

N API processes serve one port. Each binds its own listening socket with SO_REUSEPORT, so the
kernel spreads new connections over them; uvicorn's own multi-process mode shares one socket,
and there the process that wakes first accepts every waiting connection (16 connections opened
at once went 16/0, 14/2 and 0/16 to two processes, and a second process added nothing under
wrk). This parent starts them (`spawn`: each imports `api.asgi:app`), starts again one that
dies, and on SIGTERM or SIGINT asks each to stop: uvicorn stops accepting, finishes the
requests in flight and shuts down. With N = 1 uvicorn serves in this process.

`serve` also runs, once, the background processes every deployment needs one of (the
projection worker, with the scheduler in a thread of its process, and the link card worker:
api/worker_process.py), started by this parent before the API and stopped after it; `tootlog
api` runs only the API processes, for hosts that add HTTP capacity next to `tootlog project`,
`tootlog cards` and `tootlog schedule` run elsewhere.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.process
import os
import signal
import socket
import sys
import threading
import time

import psycopg
import uvicorn
from uvicorn.config import STARTUP_FAILURE

from api.cards.config import CardSettings
from api.config import Settings
from api.http_limits import bounded_protocol
from api.worker_process import WorkerProcess
from projections.lag import event_store_head
from projections.positions import live_position

log = logging.getLogger("tootlog")

STARTUP_CATCH_UP_TIMEOUT = 20.0
APP = "api.asgi:app"  # what each API process imports (a factory)
STOP_TIMEOUT = 30.0  # seconds an API process has to finish its requests after SIGTERM
SPAWN = multiprocessing.get_context("spawn")  # a fresh interpreter: no state of this one


def background_processes(settings: Settings, database_url: str) -> list[WorkerProcess]:
    """The worker processes `serve` supervises, as configured (TOOTLOG_WORKER, TOOTLOG_CARDS,
    TOOTLOG_SCHEDULER); the projection worker first."""
    if not settings.run_worker:
        return []
    # Poll expiry and scheduled statuses: a thread of the projection worker's process (it
    # looks at what is due once a second; a process of its own cost 50 MB).
    schedule = ("--schedule",) if settings.run_scheduler else ()
    processes = [WorkerProcess(database_url, settings.urls, options=schedule)]
    # Link cards: a process of its own, so fetching and parsing pages never takes time from
    # the API or the projection.
    if CardSettings.from_env().enabled:
        processes.append(WorkerProcess(database_url, settings.urls, command="cards"))
    return processes


def serve(
    settings: Settings,
    database_url: str,
    *,
    host: str,
    port: int,
    workers: int,
    background: list[WorkerProcess],
) -> None:
    """Start `background`, then serve the API with `workers` processes until told to stop;
    stop the background processes last."""
    for process in background:
        process.start()
    try:
        if background:
            # Answer once the read models include what was stored before this start: the
            # projection worker needs a moment to come up, and a token issued just before
            # must work.
            read_model_url = settings.read_model_url(database_url)
            wait_until_projected(database_url, read_model_url, STARTUP_CATCH_UP_TIMEOUT)
        run_api(settings, database_url, host=host, port=port, workers=workers)
    finally:
        for process in reversed(background):
            process.stop()


def run_api(settings: Settings, database_url: str, *, host: str, port: int, workers: int) -> None:
    """`workers` API processes on `host`:`port`; each builds its app from the environment, so
    this process's database (the embedded one's URL too) and public address go there first."""
    os.environ.update(
        DATABASE_URL=database_url,
        TOOTLOG_DOMAIN=settings.urls.domain,
        TOOTLOG_SCHEME=settings.urls.scheme,
    )
    options = {
        "factory": True,
        "host": host,
        "port": port,
        "log_level": "warning",
        "access_log": False,
        "loop": "uvloop",
        "http": bounded_protocol(settings.max_header_bytes),
        # Streaming WebSockets as Mastodon's server (node's `ws` defaults): a ping every 30 s,
        # closed without a pong, and no per-message compression (a deflate context per
        # connection, and every frame compressed once per connection: bench/streaming.py).
        "ws": "websockets-sansio",
        "ws_ping_interval": 30.0,
        "ws_ping_timeout": 30.0,
        "ws_per_message_deflate": False,
    }
    if workers == 1:
        uvicorn.run(APP, **options)
    else:
        ApiProcesses(workers, APP, options).run()


class ApiProcesses:
    """Runs `count` processes serving the ASGI `app` (an import string) with uvicorn's
    `options` until SIGTERM or SIGINT, starting again any that dies."""

    def __init__(self, count: int, app: str, options: dict) -> None:
        self.count = count
        self.app = app
        self.options = options
        self.stop = threading.Event()

    def run(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: self.stop.set())
        processes = [self._start() for _ in range(self.count)]
        try:
            while not self.stop.wait(0.5):
                for index, process in enumerate(processes):
                    if process.is_alive():
                        continue
                    if process.exitcode == STARTUP_FAILURE:
                        # Its app could not start (say, no database): the next would not either.
                        raise SystemExit("an API process failed to start; stopping")
                    log.warning(
                        "API process %s exited (%s); starting another",
                        process.pid,
                        process.exitcode,
                    )
                    processes[index] = self._start()
        finally:
            for process in processes:
                if process.is_alive():
                    process.terminate()
            for process in processes:
                process.join(STOP_TIMEOUT)
                if process.is_alive():
                    process.kill()
                    process.join()

    def _start(self) -> multiprocessing.process.BaseProcess:
        process = SPAWN.Process(target=serve_one, args=(self.app, self.options), name="tootlog-api")
        process.start()
        return process


def serve_one(app: str, options: dict) -> None:
    """In an API process: uvicorn on a socket of this process's own, sharing the port."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # after uvicorn's own shutdown
    stop_when_orphaned()
    host, port = options["host"], options["port"]
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        log.error("cannot listen on %s:%s: %s", host, port, error)
        sys.exit(STARTUP_FAILURE)
    server = uvicorn.Server(uvicorn.Config(app, **options))
    server.run(sockets=[sock])
    if not server.started:
        sys.exit(STARTUP_FAILURE)


def stop_when_orphaned() -> None:
    """In an API process: shut down (as on SIGTERM) once the parent has gone, even killed."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def wait_until_projected(database_url: str, read_model_url: str, timeout: float) -> bool:
    """Wait until the read models (in `read_model_url`'s database) include every event stored
    now in `database_url`'s event store; False after `timeout`."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(database_url, autocommit=True) as conn:
        head = event_store_head(conn)
    with psycopg.connect(read_model_url, autocommit=True) as conn:
        while live_position(conn) < head:
            if time.monotonic() > deadline:
                log.warning("serving before the projection caught up with position %d", head)
                return False
            time.sleep(0.05)
    return True
