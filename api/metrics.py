"""GET /metrics: Prometheus text format, written by the official client library.

Request counts and latencies by route template, events appended by this process (by topic),
write-wait timeouts, connection pool use, and, read from the database at each scrape (the
projection and card workers are other processes, perhaps on other hosts): the projection's
position and lag, and link card fetch outcomes as the log records them. The process collector of
prometheus_client adds memory, CPU and open files.

With read replicas: each replica's lag, position and whether it answers, as this process last
looked (every 0.2 s), and its pool.

`TOOTLOG_METRICS_TOKEN`, when set, is required as a bearer token; the route is never throttled.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

import psycopg
import psycopg_pool
from eventsourcing.application import Recording
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.errors import unauthorized
from projections.cards import FETCH, STATUS, CardOutcome, card_outcomes
from projections.lag import projection_lag

if TYPE_CHECKING:
    from api.replicas import ReplicaSet

log = logging.getLogger("tootlog.metrics")

PATH = "/metrics"
SCRAPE_DB_TIMEOUT = 2.0  # seconds; a scrape answers even when the database does not
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUESTS = Counter(
    "tootlog_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "tootlog_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by method and route template.",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
EVENTS_APPENDED = Counter(
    "tootlog_events_appended",
    "Events this process appended to the event store, by topic.",
    ["topic"],
)
WRITE_WAIT_TIMEOUTS = Counter(
    "tootlog_write_wait_timeouts",
    "Writes answered 503 because the read models did not include them in time "
    "(TOOTLOG_WRITE_WAIT_TIMEOUT).",
)
PROJECTION_POSITION = Gauge(
    "tootlog_projection_position", "Notification id up to which the read models are built."
)
EVENT_STORE_HEAD = Gauge("tootlog_event_store_head", "Newest notification id in the event store.")
PROJECTION_LAG_EVENTS = Gauge(
    "tootlog_projection_lag_events",
    "Notification ids stored but not yet projected (an upper bound: ids can have gaps).",
)
PROJECTION_LAG_SECONDS = Gauge(
    "tootlog_projection_lag_seconds", "Age of the oldest event not yet projected (0: caught up)."
)
DATABASE_UP = Gauge(
    "tootlog_database_up", "1 when the last scrape could read the database, else 0."
)
POOL_CONNECTIONS = Gauge(
    "tootlog_db_pool_connections",
    "Database connections of this process's pools (read: the API's reads; write: the event "
    "store), by state: in_use, idle, max; waiting counts requests queued for a connection.",
    ["pool", "state"],
)
REPLICA_UP = Gauge(
    "tootlog_replica_up",
    "1 when the replica answered this process's last look at it (every 0.2 s), else 0.",
    ["replica"],
)
REPLICA_LAG_SECONDS = Gauge(
    "tootlog_replica_lag_seconds",
    "Seconds since the primary's read models first reached a position the replica's lack "
    "(0: it has them all; +Inf: behind since before this process started); reads skip it past "
    "TOOTLOG_READ_MAX_LAG.",
    ["replica"],
)
REPLICA_POSITION = Gauge(
    "tootlog_replica_position",
    "Notification id up to which the replica's copy of the read models (and home feeds) is built.",
    ["replica"],
)


class CardOutcomes(Collector):
    """Link card outcomes as the log records them (every card worker's, on any host), read at
    each scrape: counters that survive restarts, as the events they count do."""

    FAMILIES = {
        FETCH: ("tootlog_card_fetches", "Pages fetched for link cards, by outcome (card, none)."),
        STATUS: (
            "tootlog_status_cards",
            "Statuses given their link card outcome (card, none); a fetch shared by several "
            "statuses counts for each.",
        ),
    }

    def __init__(self) -> None:
        self.read: list[CardOutcome] = []

    def collect(self) -> Iterable[CounterMetricFamily]:
        for kind, (name, documentation) in self.FAMILIES.items():
            family = CounterMetricFamily(name, documentation, labels=["outcome"])
            for row in self.read:
                if row.kind == kind:
                    family.add_metric([row.outcome], row.count)
            yield family


CARD_OUTCOMES = CardOutcomes()
REGISTRY.register(CARD_OUTCOMES)


def count_appended(recordings: Iterable[Recording]) -> None:
    """The write model's hook: count what it stored, by topic."""
    for recording in recordings:
        EVENTS_APPENDED.labels(recording.notification.topic).inc()


# The series each (method, route template, status) counts in, looked up once: `labels` checks
# and locks on every call, and this runs for every request.
_request_series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def record_request(method: str, route: str, status: int, seconds: float) -> None:
    method = method if method in METHODS else "OTHER"  # any other word would be a new series
    series = _request_series.get((method, route, status))
    if series is None:
        series = (REQUESTS.labels(method, route, str(status)), LATENCY.labels(method, route))
        _request_series[method, route, status] = series
    series[0].inc()
    series[1].observe(seconds)


async def metrics(request: Request) -> Response:
    svc = request.app.state.services  # (api.services imports this module)
    _check_token(request, svc.settings.metrics_token)
    try:
        lag = await projection_lag(svc.queries.primary, SCRAPE_DB_TIMEOUT, svc.queries.events_pool)
        CARD_OUTCOMES.read = await card_outcomes(svc.queries.primary, SCRAPE_DB_TIMEOUT)
    except (psycopg.Error, psycopg_pool.PoolTimeout) as error:
        log.warning("metrics could not read the projection lag: %s", error)
        DATABASE_UP.set(0)
    else:
        DATABASE_UP.set(1)
        PROJECTION_POSITION.set(lag.position)
        EVENT_STORE_HEAD.set(lag.head)
        PROJECTION_LAG_EVENTS.set(lag.events)
        PROJECTION_LAG_SECONDS.set(lag.seconds)
    _pool_gauges("read", svc.queries.primary.get_stats())
    _pool_gauges("write", svc.write_model.recorder.datastore.pool.get_stats())
    reading = getattr(request.app.state, "read_routing", None)
    if reading is not None:
        _replica_gauges(reading.replicas)
    return Response(
        generate_latest(REGISTRY),
        headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"},
    )


def _check_token(request: Request, token: str | None) -> None:
    if not token:
        return
    presented = request.headers.get("authorization", "")
    if not hmac.compare_digest(presented.encode(), f"Bearer {token}".encode()):
        raise unauthorized()


def _pool_gauges(pool: str, stats: dict[str, int]) -> None:
    size, idle = stats.get("pool_size", 0), stats.get("pool_available", 0)
    POOL_CONNECTIONS.labels(pool, "in_use").set(size - idle)
    POOL_CONNECTIONS.labels(pool, "idle").set(idle)
    POOL_CONNECTIONS.labels(pool, "max").set(stats.get("pool_max", 0))
    POOL_CONNECTIONS.labels(pool, "waiting").set(stats.get("requests_waiting", 0))


def _replica_gauges(replicas: ReplicaSet) -> None:
    now = time.monotonic()
    for replica in replicas.replicas:
        REPLICA_UP.labels(replica.name).set(1 if replica.up else 0)
        REPLICA_LAG_SECONDS.labels(replica.name).set(replica.lag(now))
        REPLICA_POSITION.labels(replica.name).set(replica.position)
        _pool_gauges(f"replica {replica.name}", replica.pool.get_stats())


routes = [Route(PATH, metrics, methods=["GET"])]
