"""GET /health (the process answers; no database) and GET /ready (the database answers and the
read models are less than TOOTLOG_READY_MAX_LAG seconds behind the event store), for load
balancers and orchestrators. Neither is throttled. With read replicas, /ready also reports each
one (up, position, lag, whether reads go to it); a replica down or behind does not make the
process unready, as the primary answers its reads."""

from __future__ import annotations

import logging

import orjson
import psycopg
import psycopg_pool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from api.responses import JSON
from api.services import services
from projections.lag import projection_lag

log = logging.getLogger("tootlog.health")

READY_DB_TIMEOUT = 2.0  # seconds to get a connection and read the lag
NO_STORE = {"Cache-Control": "no-store"}


async def health(request: Request) -> Response:
    """As Mastodon's /health: the process is up."""
    return PlainTextResponse("OK", headers=NO_STORE)


async def ready(request: Request) -> Response:
    svc = services(request)
    max_lag = svc.settings.ready_max_lag
    try:
        lag = await projection_lag(svc.queries.primary, READY_DB_TIMEOUT, svc.queries.events_pool)
    except (psycopg.Error, psycopg_pool.PoolTimeout) as error:
        log.warning("not ready: the database cannot be reached: %s", error)
        return _answer(503, {"error": "The database cannot be reached"})
    facts = {
        "projection_position": lag.position,
        "event_store_head": lag.head,
        "projection_lag_events": lag.events,
        "projection_lag_seconds": round(lag.seconds, 3),
    }
    reading = getattr(request.app.state, "read_routing", None)
    if reading is not None:
        facts["replicas"] = reading.replicas.facts()
    if lag.seconds > max_lag:
        reason = (
            f"The read models are {lag.seconds:.1f} s behind the event store "
            f"(TOOTLOG_READY_MAX_LAG is {max_lag:g} s)"
        )
        return _answer(503, {"error": reason, **facts})
    return _answer(200, {"status": "ready", **facts})


def _answer(status: int, body: dict) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=JSON, headers=NO_STORE)


routes = [
    Route("/health", health, methods=["GET"]),
    Route("/ready", ready, methods=["GET"]),
]
