"""How `tootlog serve` and `tootlog api` lay out their processes.

N API processes share one listening socket: uvicorn's own supervisor binds it, starts the
processes (each imports `api.asgi:app`), restarts one that dies, and on SIGTERM or SIGINT tells
each to stop accepting, finish the requests in flight and shut down. With N = 1 uvicorn serves
in this process. `serve` also runs, once, the background processes every deployment needs one
of (the projection worker, the link card worker, the scheduler: api/worker_process.py), started
by this parent before the API and stopped after it; `tootlog api` runs only the API processes,
for hosts that add HTTP capacity next to `tootlog project`, `tootlog cards` and `tootlog schedule`
run elsewhere.
"""

from __future__ import annotations

import logging
import os
import time

import psycopg
import uvicorn

from api.cards.config import CardSettings
from api.config import Settings
from api.http_limits import bounded_protocol
from api.worker_process import WorkerProcess
from projections.lag import LAG_SQL
from projections.schema import TRACKED_APPLICATION

log = logging.getLogger("tootlog")

STARTUP_CATCH_UP_TIMEOUT = 20.0


def background_processes(settings: Settings, database_url: str) -> list[WorkerProcess]:
    """The worker processes `serve` supervises, as configured (TOOTLOG_WORKER, TOOTLOG_CARDS,
    TOOTLOG_SCHEDULER); the projection worker first."""
    if not settings.run_worker:
        return []
    processes = [WorkerProcess(database_url, settings.urls)]
    # Link cards: a process of its own, so fetching and parsing pages never takes time from
    # the API or the projection.
    if CardSettings.from_env().enabled:
        processes.append(WorkerProcess(database_url, settings.urls, command="cards"))
    # Poll expiry and scheduled statuses: a process of its own, exactly as the others.
    if settings.run_scheduler:
        processes.append(WorkerProcess(database_url, settings.urls, command="schedule"))
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
            wait_until_projected(database_url, STARTUP_CATCH_UP_TIMEOUT)
        run_api(settings, database_url, host=host, port=port, workers=workers)
    finally:
        for process in reversed(background):
            process.stop()


def run_api(settings: Settings, database_url: str, *, host: str, port: int, workers: int) -> None:
    """uvicorn with `workers` processes; each builds its app from the environment, so this
    process's database (the embedded one's URL too) and public address go there first."""
    os.environ.update(
        DATABASE_URL=database_url,
        TOOTLOG_DOMAIN=settings.urls.domain,
        TOOTLOG_SCHEME=settings.urls.scheme,
    )
    uvicorn.run(
        "api.asgi:app",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        loop="uvloop",
        http=bounded_protocol(settings.max_header_bytes),
        # Streaming WebSockets as Mastodon's server (node's `ws` defaults): a ping every 30 s,
        # closed without a pong, and no per-message compression (a deflate context per
        # connection, and every frame compressed once per connection: bench/streaming.py).
        ws="websockets-sansio",
        ws_ping_interval=30.0,
        ws_ping_timeout=30.0,
        ws_per_message_deflate=False,
    )


def wait_until_projected(database_url: str, timeout: float) -> bool:
    """Wait until the read models include every event stored now; False after `timeout`."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(database_url, autocommit=True) as conn:
        position, head, _ = conn.execute(LAG_SQL, {"app": TRACKED_APPLICATION}).fetchone()
        while position < head:
            if time.monotonic() > deadline:
                log.warning("serving before the projection caught up with position %d", head)
                return False
            time.sleep(0.05)
            position = conn.execute(LAG_SQL, {"app": TRACKED_APPLICATION}).fetchone()[0]
    return True
