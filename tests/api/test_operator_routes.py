"""GET /health, /ready and /metrics (scraped and parsed with prometheus_client's own parser),
and the request log: one line per request, JSON with TOOTLOG_LOG_FORMAT=json."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import psycopg
import pytest
from prometheus_client.parser import text_string_to_metric_families

from commands.accounts import register_account
from commands.app import TootlogApplication
from tests.support import SERVER_POOL_SIZE, Directory, LiveServer, User


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample as (name, sorted labels) -> value, parsed by the client library."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: dict, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture(scope="module")
def json_server(database_url: str) -> Iterator[LiveServer]:
    """A server of this module's own: JSON logs, a metrics token, a tight rate limit."""
    server = LiveServer(
        database_url,
        extra_env={
            "TOOTLOG_LOG_FORMAT": "json",
            "TOOTLOG_METRICS_TOKEN": "scrape-secret",
            "TOOTLOG_RATE_LIMIT": "5",
            "TOOTLOG_READY_MAX_LAG": "30",
        },
    )
    yield server
    server.stop()


def test_health_answers_without_the_database(live_server: LiveServer) -> None:
    with live_server.client() as client:
        response = client.get("/health")
    assert response.status_code == 200
    assert response.text == "OK"
    assert "x-ratelimit-limit" not in response.headers


def test_ready_reports_the_projection_lag(live_server: LiveServer) -> None:
    with live_server.client() as client:
        response = client.get("/ready")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready"
    assert body["projection_lag_events"] >= 0
    assert body["event_store_head"] >= body["projection_position"]


def test_ready_is_503_with_a_reason_when_the_projection_falls_behind(
    fresh_database_url: str,
) -> None:
    # No projection worker: whatever is written now stays unprojected.
    server = LiveServer(
        fresh_database_url, extra_env={"TOOTLOG_WORKER": "0", "TOOTLOG_READY_MAX_LAG": "0.5"}
    )
    write_model = TootlogApplication(fresh_database_url, pool_size=1)
    try:
        with server.client() as client:
            assert client.get("/ready").status_code == 200
            register_account(write_model, "unprojected")
            time.sleep(1.0)
            response = client.get("/ready")
    finally:
        write_model.close()
        server.stop()
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["error"].startswith("The read models are ")
    assert body["error"].endswith("(TOOTLOG_READY_MAX_LAG is 0.5 s)")
    assert body["projection_lag_events"] >= 1
    assert body["projection_lag_seconds"] > 0.5


def test_metrics_are_scraped_and_parsed(
    live_server: LiveServer, directory: Directory, alice: User
) -> None:
    with live_server.client(alice.token) as client:
        posted = client.post("/api/v1/statuses", data={"status": "counted"}).json()
        client.get(f"/api/v1/statuses/{posted['id']}")
        client.get("/api/v1/statuses/not-a-number")
        client.get("/no/such/path")
        response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "x-ratelimit-limit" not in response.headers
    found = samples(response.text)
    status_route = "/api/v1/statuses/{id}"
    assert (
        value(found, "tootlog_http_requests_total", method="GET", route=status_route, status="200")
        >= 1
    )
    assert (
        value(found, "tootlog_http_requests_total", method="GET", route=status_route, status="404")
        >= 1
    )
    assert (
        value(
            found,
            "tootlog_http_requests_total",
            method="POST",
            route="/api/v1/statuses",
            status="200",
        )
        >= 1
    )
    assert (
        value(found, "tootlog_http_requests_total", method="GET", route="unmatched", status="404")
        >= 1
    )
    assert (
        value(
            found, "tootlog_http_request_duration_seconds_count", method="GET", route=status_route
        )
        >= 2
    )
    assert (
        value(
            found,
            "tootlog_http_request_duration_seconds_bucket",
            method="GET",
            route=status_route,
            le="+Inf",
        )
        >= 2
    )
    assert value(found, "tootlog_events_appended_total", topic="tootlog.status.published.v1") >= 1
    assert ("tootlog_write_wait_timeouts_total", ()) in found
    with psycopg.connect(live_server.database_url) as conn:
        head = conn.execute("SELECT max(notification_id) FROM tootlog_events").fetchone()[0]
    assert value(found, "tootlog_event_store_head") <= head
    assert value(found, "tootlog_projection_position") <= value(found, "tootlog_event_store_head")
    assert ("tootlog_projection_lag_events", ()) in found
    assert ("tootlog_projection_lag_seconds", ()) in found
    assert value(found, "tootlog_database_up") == 1
    assert value(found, "tootlog_db_pool_connections", pool="read", state="max") == SERVER_POOL_SIZE
    assert ("tootlog_db_pool_connections", (("pool", "write"), ("state", "in_use"))) in found
    assert value(found, "process_resident_memory_bytes") > 0


def test_metrics_need_the_token_when_one_is_set_and_are_never_throttled(
    json_server: LiveServer,
) -> None:
    with json_server.client() as client:
        refused = client.get("/metrics")
        wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
        scrapes = [
            client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})
            for _ in range(8)
        ]
        checks = [client.get(path) for path in ("/health", "/ready") for _ in range(8)]
    assert refused.status_code == wrong.status_code == 401
    assert [r.status_code for r in scrapes] == [200] * 8  # the limit is 5 requests
    assert [r.status_code for r in checks] == [200] * 16
    assert samples(scrapes[-1].text)


def test_each_request_is_one_json_log_line_with_its_route_and_request_id(
    json_server: LiveServer,
) -> None:
    with json_server.client() as client:
        mine = client.get("/api/v1/statuses/12345", headers={"X-Request-Id": "trace-abc.1"})
        theirs = client.get("/api/v1/accounts/1/statuses", headers={"X-Request-Id": "bad id!"})
    assert mine.headers["x-request-id"] == "trace-abc.1"
    generated = theirs.headers["x-request-id"]
    assert generated != "bad id!" and len(generated) == 32
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = [
            json.loads(line) for line in json_server.output().splitlines() if line.startswith("{")
        ]
        requests = [line for line in lines if line["logger"] == "tootlog.request"]
        by_id = {line["request_id"]: line for line in requests}
        if "trace-abc.1" in by_id and generated in by_id:
            break
        time.sleep(0.05)
    line = by_id["trace-abc.1"]
    assert line["method"] == "GET"
    assert line["route"] == "/api/v1/statuses/{id}"
    assert line["status"] == 404
    assert line["duration_ms"] >= 0
    assert line["level"] == "INFO" and "time" in line
    assert by_id[generated]["route"] == "/api/v1/accounts/{id}/statuses"
    assert [r["request_id"] for r in requests].count("trace-abc.1") == 1
    # Every line of the server's own output is JSON.
    assert all(line.startswith("{") for line in json_server.output().splitlines() if line.strip())
