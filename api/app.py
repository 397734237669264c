"""The Starlette application: routes, error mapping, and the lifespan that wires the layers."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from psycopg_pool import AsyncConnectionPool
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from api import health, metrics
from api.config import Settings
from api.errors import EXCEPTION_HANDLERS
from api.ratelimit import RateLimit, request_key
from api.request_log import RequestLog, use_log_format
from api.routes import (
    account_credentials,
    account_lists,
    accounts,
    apps,
    bookmarks,
    cards,
    conversation_mutes,
    discovery,
    instance,
    markers,
    media,
    notifications,
    oauth,
    openapi,
    pages,
    polls,
    scheduled_statuses,
    search,
    status_edits,
    statuses,
    streaming,
    timelines,
)
from api.services import Services
from api.shared_counts import SharedThrottle, create_table
from api.streaming.hub import StreamHub
from commands.app import TootlogApplication
from projections.positions import ProjectionPositions
from projections.queries import Queries, configure_connection
from projections.rebuild import prepare
from projections.stream_reads import StreamReads

log = logging.getLogger("tootlog")

# For load balancers and Prometheus: never throttled.
OPERATOR_PATHS = frozenset(route.path for route in [*health.routes, *metrics.routes])


class IgnoreTrailingSlash:
    """Rails ignores a trailing slash; Mastodon.py and toot send some (§1.1)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and len(path) > 1 and path.endswith("/"):
            scope = {**scope, "path": path.rstrip("/") or "/"}
        await self.app(scope, receive, send)


def migrate(database_url: str, settings: Settings) -> None:
    """Create the event store and read-model tables (idempotent); read models of an older
    version are rebuilt beside the old ones first."""
    prepare(database_url, settings.urls)


def create_app(settings: Settings, database_url: str) -> ASGIApp:
    """The ASGI app for `database_url` (one API process; api/processes.py runs the workers)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        use_log_format(settings.log_format)  # after uvicorn has set up its own loggers
        migrate(database_url, settings)
        pool = AsyncConnectionPool(
            database_url,
            min_size=2,
            max_size=settings.db_pool_size,
            kwargs={"autocommit": True},  # reads need no COMMIT round trip
            configure=configure_connection,
            open=False,
        )
        await pool.open(wait=True)
        queries = Queries(pool)
        streams = app.state.streams = StreamHub(StreamReads(pool))
        streams.notification_sources.append(queries.notifications_between)

        def token_revoked(token_hash: str | None) -> None:
            queries.forget_token(token_hash)
            streams.token_revoked(token_hash)

        positions = ProjectionPositions(database_url, on_token_revoked=token_revoked)
        await positions.start()
        write_model = TootlogApplication(
            database_url,
            pool_size=settings.db_pool_size,
            group_commit=True,
            on_recorded=metrics.count_appended,
        )
        await create_table(pool)  # the rate-limit counts, where this process writes them
        throttle = app.state.throttle = SharedThrottle(
            pool, settings.rate_limit, settings.rate_limit_period
        )
        await throttle.start()
        services = app.state.services = Services(
            settings, write_model, queries, positions, primary_pool=pool
        )
        await streams.start(positions)
        try:
            yield
        finally:
            await streams.stop()
            services.close()
            await throttle.stop()
            await positions.stop()
            await pool.close()
            write_model.close()

    app = Starlette(
        # Starlette tries routes in order: the statuses come first, as most requests are
        # theirs. Fixed paths under /api/v1/accounts/ come before any `/api/v1/accounts/{id}`.
        routes=[
            *statuses.routes,
            *status_edits.routes,
            *polls.routes,
            *scheduled_statuses.routes,
            *cards.routes,
            *bookmarks.routes,
            *conversation_mutes.routes,
            *account_credentials.routes,
            *search.routes,
            *apps.routes,
            *oauth.routes,
            *instance.routes,
            *accounts.routes,
            *account_lists.routes,
            *timelines.routes,
            *media.routes,
            *markers.routes,
            *notifications.routes,
            *openapi.routes,
            *discovery.routes,
            *pages.routes,
            *streaming.routes,
            *health.routes,
            *metrics.routes,
        ],
        middleware=[
            Middleware(RequestLog),
            Middleware(RateLimit, key=request_key, exempt=OPERATOR_PATHS),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    return IgnoreTrailingSlash(app)
