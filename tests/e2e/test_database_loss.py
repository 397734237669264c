"""Losing the database under a running server gives Mastodon's 503, never a 500."""

from __future__ import annotations

import psycopg
from psycopg.conninfo import conninfo_to_dict

from tests.support import LiveServer


def test_requests_on_killed_connections_answer_503_then_recover(
    fresh_database_url: str, server_url: str
) -> None:
    server = LiveServer(fresh_database_url)
    try:
        with server.client() as client:
            assert client.get("/api/v1/statuses/1").status_code == 404
            dbname = conninfo_to_dict(fresh_database_url)["dbname"]
            with psycopg.connect(server_url, autocommit=True) as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    (dbname,),
                )
            answers = [client.get("/api/v1/statuses/1") for _ in range(12)]
        codes = [a.status_code for a in answers]
        # The first request meets a killed connection: a 503 saying a retry is safe.
        assert codes[0] == 503, [a.text for a in answers]
        assert answers[0].json() == {
            "error": "There was a temporary problem serving your request, please try again"
        }
        assert answers[0].headers["retry-after"] == "1"
        assert set(codes) <= {503, 404}
        assert codes[-1] == 404  # the pool has replaced its connections
    finally:
        server.stop()
