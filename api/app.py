"""The Starlette application: routes, error mapping, and the lifespan that wires the layers."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from api import health, metrics
from api.config import Settings
from api.errors import EXCEPTION_HANDLERS
from api.log_format import use_log_format
from api.ratelimit import RateLimit, request_key
from api.read_routing import ReadRouting, ReadRoutingMiddleware
from api.request_log import RequestLog
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
from api.routing import IndexedRouter
from api.services import Services
from api.shared_counts import SharedThrottle, create_table
from api.streaming.hub import StreamHub
from commands.app import TootlogApplication
from projections.positions import ProjectionPositions
from projections.queries import Queries, read_pool
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
    prepare(database_url, settings.urls, read_model_url=settings.read_model_url(database_url))


def create_app(settings: Settings, database_url: str) -> ASGIApp:
    """The ASGI app for `database_url` (one API process; api/processes.py runs the workers)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        use_log_format(settings.log_format)  # after uvicorn has set up its own loggers
        migrate(database_url, settings)
        read_model_url = settings.read_model_url(database_url)
        pool = read_pool(read_model_url, 2, settings.db_pool_size)
        await pool.open(wait=True)
        # The few reads of the log itself (the streams' topics, the lag) go to the event store.
        events_pool = pool
        if read_model_url != database_url:
            events_pool = read_pool(database_url, 1, 2)
            await events_pool.open(wait=True)
        # With TOOTLOG_READ_DATABASE_URL, reads go to replicas (api/read_routing.py).
        reading = app.state.read_routing = ReadRouting.configure(settings, pool)
        queries = Queries(
            reading.replicas if reading else pool, primary=pool, events_pool=events_pool
        )
        streams = app.state.streams = StreamHub(StreamReads(pool, events_pool=events_pool))
        streams.notification_sources.append(queries.notifications_between)

        def token_revoked(token_hash: str | None) -> None:
            queries.forget_token(token_hash)
            streams.token_revoked(token_hash)

        positions = ProjectionPositions(read_model_url, on_token_revoked=token_revoked)
        if reading is not None:
            reading.listen(positions)
        await positions.start()
        if reading is not None:
            await reading.start(positions)
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
            settings,
            write_model,
            queries,
            positions,
            primary_pool=pool,
            read_sessions=reading.sessions if reading else None,
        )
        await services.statuses_limit.start()  # sends what it counts here (api/status_limit.py)
        await streams.start(positions)
        try:
            yield
        finally:
            await streams.stop()
            services.close()
            await services.statuses_limit.stop()
            await throttle.stop()
            if reading is not None:
                await reading.stop()
            await positions.stop()
            if events_pool is not pool:
                await events_pool.close()
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
            # Inside the throttle: a read answered again from the primary counts once.
            *([Middleware(ReadRoutingMiddleware)] if settings.read_database_urls else []),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.router = IndexedRouter(app.router.routes, lifespan=lifespan)  # api/routing.py
    return IgnoreTrailingSlash(app)
