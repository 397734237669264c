"""The scheduler as `tootlog serve` and `tootlog schedule` run it, from the settings."""

from __future__ import annotations

from api.config import Settings
from api.scheduler import Scheduler


def scheduler_for(settings: Settings, database_url: str) -> Scheduler:
    return Scheduler(database_url, interval=settings.scheduler_interval)
