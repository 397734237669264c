"""What request handlers share: the write model, the read queries and the position waiter."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from functools import cached_property

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from api.config import Settings
from api.errors import ApiError
from commands.accounts import Written
from commands.app import TootlogApplication
from commands.statuses import Publishing
from commands.storage import FileStorage, MediaStorage
from projections.positions import ProjectionPositions
from projections.queries import Queries

WRITE_NOT_READABLE = (
    "The write was recorded but is not readable yet; retrying the request is safe "
    "(with the same Idempotency-Key for a new status)"
)


@dataclass
class Services:
    settings: Settings
    write_model: TootlogApplication
    queries: Queries
    positions: ProjectionPositions
    command_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(16))

    @property
    def publishing(self) -> Publishing:
        return Publishing(self.settings.urls, self.settings.idempotency_retention)

    @cached_property
    def media_storage(self) -> MediaStorage:
        """Uploaded files; the one place to put an object store instead of the data directory."""
        return FileStorage(self.settings.media_dir)

    async def command(self, function, *args, **kwargs) -> Written:  # noqa: ANN001
        """Run a (synchronous) command off the event loop, then wait until it is readable."""
        # A bounded number of commands in flight: enough to fill group commits, few enough
        # that threads do not just fight over the GIL.
        async with self.command_slots:
            written = await run_in_threadpool(function, self.write_model, *args, **kwargs)
        await self.readable(written)
        return written

    async def readable(self, written: Written) -> None:
        """Read-your-writes: return once the read models include `written`, else 503."""
        if not await self.positions.wait_for(written.position, self.settings.write_wait_timeout):
            raise ApiError(503, WRITE_NOT_READABLE)


def services(request: Request) -> Services:
    return request.app.state.services
