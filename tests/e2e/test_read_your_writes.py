"""When the projection cannot keep up, a write says so (503) and a retry with its key is safe."""

from __future__ import annotations

from projections.worker import ProjectionWorker, start_in_thread
from tests.support import TEST_URLS, Directory, LiveServer


def test_write_answers_503_while_not_readable_and_the_retry_returns_the_same_status(
    fresh_database_url: str,
) -> None:
    url = fresh_database_url
    server = LiveServer(url, {"TOOTLOG_WORKER": "0", "TOOTLOG_WRITE_WAIT_TIMEOUT": "0.5"})
    worker = ProjectionWorker(url, TEST_URLS)
    directory = Directory(url)
    try:
        thread, stop = start_in_thread(worker)
        user = directory.user()  # projected, so the token authenticates
        stop.set()
        thread.join(timeout=10)

        headers = {"Idempotency-Key": "lagging"}
        with server.client(user.token) as client:
            first = client.post("/api/v1/statuses", data={"status": "hi"}, headers=headers)
            assert first.status_code == 503
            assert "recorded" in first.json()["error"]
            assert "retry" in first.json()["error"]

            thread, stop = start_in_thread(ProjectionWorker(url, TEST_URLS))
            second = client.post("/api/v1/statuses", data={"status": "hi"}, headers=headers)
            third = client.post("/api/v1/statuses", data={"status": "hi"}, headers=headers)
            stop.set()
            thread.join(timeout=10)
        assert second.status_code == third.status_code == 200
        assert second.json()["id"] == third.json()["id"]
        assert second.json()["account"]["statuses_count"] == 1
    finally:
        server.stop()
        directory.close()
        worker.close()
