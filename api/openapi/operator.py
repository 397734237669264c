"""What operators point load balancers and Prometheus at: /health, /ready, /metrics. Never
throttled, so no answer here is a 429 or carries the rate-limit headers."""

from __future__ import annotations

from api.openapi.parts import JSON, METRICS_TOKEN, STRING, Schema, closed, operation

TAG = "operator"
TEXT = "text/plain"
COUNT: Schema = {"type": "integer", "minimum": 0}
LAG = {
    "projection_position": {**COUNT, "description": "Notification id the read models reach."},
    "event_store_head": {**COUNT, "description": "Newest notification id in the event store."},
    "projection_lag_events": {**COUNT, "description": "Ids not yet projected (upper bound)."},
    "projection_lag_seconds": {
        "type": "number",
        "minimum": 0,
        "description": "Age of the oldest event not yet projected; 0 when caught up.",
    },
}


def _text(description: str) -> Schema:
    return {"description": description, "content": {TEXT: {"schema": STRING}}}


def _json(description: str, schema: Schema) -> Schema:
    return {"description": description, "content": {JSON: {"schema": schema}}}


PATHS: dict[str, dict[str, Schema]] = {
    "/health": {
        "get": operation(
            "getHealth",
            "The process is up (no database check)",
            tag=TAG,
            throttled=False,
            responses={"200": _text("`OK`, as Mastodon's /health.")},
        )
    },
    "/ready": {
        "get": operation(
            "getReady",
            "The database answers and the read models are close enough to the event store",
            tag=TAG,
            throttled=False,
            responses={
                "200": _json("Ready.", closed({"status": {"const": "ready"}, **LAG})),
                "503": _json(
                    "Not ready: the database cannot be reached, or the projection lag is over "
                    "TOOTLOG_READY_MAX_LAG seconds (the lag is then given).",
                    closed({"error": STRING}, LAG),
                ),
            },
        )
    },
    "/metrics": {
        "get": operation(
            "getMetrics",
            "Prometheus metrics",
            tag=TAG,
            throttled=False,
            security=[{}, {METRICS_TOKEN: []}],
            responses={
                "200": _text(
                    "Prometheus text format: `tootlog_http_requests_total` and "
                    "`tootlog_http_request_duration_seconds` by route template, "
                    "`tootlog_projection_position`, `tootlog_event_store_head`, "
                    "`tootlog_projection_lag_events` and `_seconds`, "
                    "`tootlog_events_appended_total` by topic, "
                    "`tootlog_write_wait_timeouts_total`, `tootlog_db_pool_connections`, "
                    "`tootlog_card_fetches_total`, `tootlog_database_up`, and the process's "
                    "own (`process_*`)."
                ),
                "401": {
                    "$ref": "#/components/responses/Unauthorized",
                },
            },
            description="Open unless TOOTLOG_METRICS_TOKEN is set; then that token is "
            "required as a bearer token (401 otherwise).",
        )
    },
}
