"""The scheduler: records what happens at a time of its own (a poll's expiry, a scheduled
status's publication) as events, once, even after downtime.

It looks every `interval` seconds for what is due, in the read models (which polls are open
past their time), and runs the command that records it. The command decides from the
aggregates, never from the read model: `Poll.expire` records an expiry only once, whatever
the read model says, so a second scheduler (or a retry after a crash) finds it recorded and
does nothing. Only one scheduler per read-model database works at a time (a PostgreSQL advisory
lock, taken where it reads what is due); others wait and take over if it dies. What fell due
while none ran is due at its first look.

`tootlog serve` runs it in a thread of its supervised projection worker process (`tootlog
project --schedule --supervised`); `tootlog schedule` runs it alone; TOOTLOG_SCHEDULER=0 leaves
it out of `serve`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import psycopg

from commands import polls
from commands.app import TootlogApplication
from projections.worker import CONNECTION_ERRORS, worker_is_running

log = logging.getLogger("tootlog.scheduler")

# "tootlogs": beside the card worker's "tootlogc".
SCHEDULER_LOCK_KEY = 0x746F6F746C6F6773
BATCH = 500
DUE_POLLS = (
    "SELECT id FROM tootlog_polls WHERE NOT closed AND expires_at <= %s"
    " ORDER BY expires_at LIMIT %s"
)


class Scheduler:
    """Runs the jobs that fall due; one active instance per database."""

    def __init__(
        self,
        database_url: str,
        *,
        interval: float = 1.0,
        jobs: list[Callable[[psycopg.Connection, float], int]] | None = None,
        read_model_url: str | None = None,
    ) -> None:
        self.database_url = database_url  # the event store's
        # Where it reads what is due (and holds its lock): the read models' database.
        self.read_model_url = read_model_url or database_url
        self.interval = interval
        self.write_model = TootlogApplication(database_url, pool_size=1)
        # Each job: (connection, now) -> how many things it recorded.
        self.jobs = [self.expire_polls, *(jobs or [])]

    def run(self, stop: threading.Event, lock: bool = True) -> None:
        """Work until `stop` is set, surviving lost connections and failing jobs."""
        while not stop.is_set():
            try:
                self._run_connected(stop, lock)
            except CONNECTION_ERRORS as error:
                log.warning("scheduler lost its database connection: %s", error)
                stop.wait(2.0)
            except Exception:
                log.exception("scheduler failed; starting again")
                stop.wait(2.0)

    def _run_connected(self, stop: threading.Event, lock: bool) -> None:
        with psycopg.connect(self.read_model_url, autocommit=True) as conn:
            while lock and not stop.is_set():
                row = conn.execute(
                    "SELECT pg_try_advisory_lock(%s)", (SCHEDULER_LOCK_KEY,)
                ).fetchone()
                if row and row[0]:
                    break
                stop.wait(0.5)
            if stop.is_set():
                return
            log.info("scheduler active")
            while not stop.is_set():
                self.run_once(conn)
                stop.wait(self.interval)

    def run_once(self, conn: psycopg.Connection, now: float | None = None) -> int:
        """Record everything due at `now` (default: the present); how many were recorded."""
        done = 0
        for job in self.jobs:
            while True:
                recorded = job(conn, time.time() if now is None else now)
                done += recorded
                if recorded < BATCH:
                    break
        return done

    def expire_polls(self, conn: psycopg.Connection, now: float) -> int:
        """Record the expiry of every open poll past its time."""
        due = [row[0] for row in conn.execute(DUE_POLLS, (int(now * 1000), BATCH)).fetchall()]
        expired = 0
        for poll_id in due:
            if polls.expire(self.write_model, poll_id, now):
                expired += 1
                log.info("poll %d expired", poll_id)
        return expired

    def close(self) -> None:
        self.write_model.close()


def scheduler_is_running(read_model_url: str) -> bool:
    """True when some process holds the scheduler's advisory lock on this (read-model)
    database."""
    return worker_is_running(read_model_url, SCHEDULER_LOCK_KEY)
