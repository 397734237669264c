"""The scheduler as `tootlog serve` and `tootlog schedule` run it: poll expiry (built in) and
the publication of scheduled statuses, with the server's settings."""

from __future__ import annotations

import logging

import psycopg

from api.config import Settings
from api.routes.scheduled_statuses import request_values
from api.routes.statuses import draft_from
from api.scheduler import BATCH, Scheduler
from commands import scheduled
from commands.statuses import Publishing
from domain.status import Draft

log = logging.getLogger("tootlog.scheduler")

DUE_STATUSES = (
    "SELECT id, account_id FROM tootlog_scheduled_statuses WHERE scheduled_at <= %s"
    " ORDER BY scheduled_at LIMIT %s"
)


def draft_of(stored: dict) -> Draft:
    """A scheduled entry's Draft, by the parser that made it from the request."""
    return draft_from(request_values(stored))


class ScheduledPublisher:
    """The job that publishes scheduled statuses once their time has come."""

    def __init__(self, scheduler: Scheduler, publishing: Publishing) -> None:
        self.scheduler = scheduler
        self.publishing = publishing

    def __call__(self, conn: psycopg.Connection, now: float) -> int:
        due = conn.execute(DUE_STATUSES, (int(now * 1000), BATCH)).fetchall()
        published = 0
        for entry_id, account_id in due:
            status_id = scheduled.publish_due(
                self.scheduler.write_model,
                self.publishing,
                account_id=account_id,
                entry_id=entry_id,
                to_draft=draft_of,
                now=now,
            )
            if status_id is not None:
                published += 1
                log.info("scheduled status %d published as %d", entry_id, status_id)
        return published


def scheduler_for(settings: Settings, database_url: str) -> Scheduler:
    scheduler = Scheduler(
        database_url,
        interval=settings.scheduler_interval,
        read_model_url=settings.read_model_url(database_url),
    )
    publishing = Publishing(
        settings.urls,
        settings.idempotency_retention,
        poll_min_expiration=settings.poll_min_expiration,
    )
    scheduler.jobs.append(ScheduledPublisher(scheduler, publishing))
    return scheduler
