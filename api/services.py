"""What request handlers share: the write model, the read queries and the position waiter."""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from psycopg_pool import AsyncConnectionPool
from starlette.requests import Request

from api.config import Settings
from api.errors import ApiError
from api.metrics import WRITE_WAIT_TIMEOUTS
from commands.accounts import Written
from commands.app import TootlogApplication
from commands.recent_keys import RecentKeys
from commands.statuses import Publishing
from commands.storage import FileStorage, MediaStorage
from domain.passwords import MAX_CONCURRENT_HASHES
from projections.positions import ProjectionPositions
from projections.queries import Queries
from projections.status_batches import StatusBatches

if TYPE_CHECKING:
    from api.read_routing import ReadSessions
    from api.status_limit import StatusesLimit

WRITE_NOT_READABLE = (
    "The write was recorded but is not readable yet; retrying the request is safe "
    "(with the same Idempotency-Key for a new status)"
)


# Commands in flight at once: enough to fill group commits, few enough that threads do not just
# fight over the GIL. Further commands queue for a thread.
COMMAND_THREADS = 16


@dataclass
class Services:
    settings: Settings
    write_model: TootlogApplication
    queries: Queries
    positions: ProjectionPositions
    # Connections to the primary, for what must be written there (the shared rate counts).
    primary_pool: AsyncConnectionPool
    # Idempotency-Keys this process has seen used: a client's retry is answered from here.
    recent_keys: RecentKeys = field(default_factory=RecentKeys)
    # Reads of just-written statuses: the requests one projection batch releases read together.
    written_statuses: StatusBatches = field(init=False)
    command_threads: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(COMMAND_THREADS, thread_name_prefix="command")
    )
    # Commands that hash or verify a password queue here, as many threads as hashes may run at
    # once: a burst of sign-ups or logins waits its turn without holding the command threads.
    password_threads: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(
            MAX_CONCURRENT_HASHES, thread_name_prefix="password"
        )
    )

    # Statuses and edits per account (Mastodon's statuses family).
    statuses_limit: StatusesLimit = field(init=False)
    # With read replicas: who wrote what, so that their next reads see it (api/read_routing.py).
    read_sessions: ReadSessions | None = None

    def __post_init__(self) -> None:
        # Here, not at the top: api.status_limit reads api.ratelimit, which reads this module.
        from api.status_limit import StatusesLimit

        self.written_statuses = StatusBatches(self.queries)
        self.statuses_limit = StatusesLimit(
            self.primary_pool, self.settings.statuses_limit, self.settings.statuses_limit_period
        )

    @property
    def publishing(self) -> Publishing:
        return Publishing(
            self.settings.urls,
            self.settings.idempotency_retention,
            poll_min_expiration=self.settings.poll_min_expiration,
        )

    @cached_property
    def media_storage(self) -> MediaStorage:
        """Uploaded files; the one place to put an object store instead of the data directory."""
        return FileStorage(self.settings.media_dir)

    async def command(self, function, *args, **kwargs) -> Written:  # noqa: ANN001
        """Run a (synchronous) command off the event loop, then wait until it is readable."""
        return await self._run(self.command_threads, function, *args, **kwargs)

    async def password_command(self, function, *args, **kwargs) -> Written:  # noqa: ANN001
        """`command` for a command that hashes or verifies a password."""
        return await self._run(self.password_threads, function, *args, **kwargs)

    async def _run(self, threads: ThreadPoolExecutor, function, *args, **kwargs) -> Written:  # noqa: ANN001
        call = functools.partial(function, self.write_model, *args, **kwargs)
        written = await asyncio.get_running_loop().run_in_executor(threads, call)
        await self.readable(written)
        return written

    def close(self) -> None:
        self.command_threads.shutdown()
        self.password_threads.shutdown()

    async def readable(self, written: Written) -> None:
        """Read-your-writes: return once the read models include `written`, else 503."""
        if not await self.positions.wait_for(written.position, self.settings.write_wait_timeout):
            WRITE_WAIT_TIMEOUTS.inc()
            raise ApiError(503, WRITE_NOT_READABLE)
        if self.read_sessions is not None:
            await self.read_sessions.wrote(written)


def services(request: Request) -> Services:
    return request.app.state.services
