"""The `tootlog` command line, run as a user would run it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support import TEST_DOMAIN, LiveServer, free_port


def tootlog(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_accounts_and_tokens_create_print_only_id_and_token(fresh_database_url: str) -> None:
    env = {"DATABASE_URL": fresh_database_url, "TOOTLOG_DOMAIN": TEST_DOMAIN}
    created = tootlog(
        "accounts",
        "create",
        "carol",
        "--email",
        "carol@example.org",
        "--password",
        "pw-123456",
        "--display-name",
        "Carol",
        env=env,
    )
    assert created.returncode == 0, created.stderr
    account_id = created.stdout.strip()
    assert account_id.isdigit()
    issued = tootlog("tokens", "create", "CAROL", "--scopes", "read write", env=env)
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    assert len(issued.stdout.splitlines()) == 1 and len(token) >= 40

    server = LiveServer(fresh_database_url)
    try:
        with server.client(token) as client:
            body = client.post("/api/v1/statuses", data={"status": "from the CLI"}).json()
        assert body["account"]["id"] == account_id
        assert body["account"]["display_name"] == "Carol"
    finally:
        server.stop()


def test_duplicate_username_and_unknown_user_fail_with_a_message(fresh_database_url: str) -> None:
    env = {"DATABASE_URL": fresh_database_url}
    assert tootlog("accounts", "create", "dave", env=env).returncode == 0
    again = tootlog("accounts", "create", "Dave", env=env)
    assert again.returncode == 1
    assert "Username has already been taken" in again.stderr
    missing = tootlog("tokens", "create", "nobody", env=env)
    assert missing.returncode == 1 and missing.stdout == ""
    bad = tootlog("accounts", "create", "no spaces", env=env)
    assert bad.returncode == 1 and "Username" in bad.stderr


def test_migrate_creates_the_tables(fresh_database_url: str) -> None:
    import psycopg

    assert tootlog("migrate", env={"DATABASE_URL": fresh_database_url}).returncode == 0
    with psycopg.connect(fresh_database_url) as conn:
        tables = {
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE tablename LIKE 'tootlog%'"
            ).fetchall()
        }
    assert {"tootlog_events", "tootlog_tracking", "tootlog_statuses", "tootlog_accounts"} <= tables


def test_serve_on_an_empty_embedded_database_creates_a_demo_account_and_stops_it_on_sigterm(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["TOOTLOG_DATA_DIR"] = str(tmp_path / "data")
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        while "statuses" not in log.read_text():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        output = log.read_text()
        token = re.search(r"Authorization: Bearer ([\w-]+)", output).group(1)
        assert f"\n  {token}\n" in output  # printed on a line of its own too
        base = f"http://127.0.0.1:{port}"
        while True:
            try:
                response = httpx.post(
                    f"{base}/api/v1/statuses",
                    data={"status": "Hello"},
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=10,
                )
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert response.status_code == 200, response.text
        assert response.json()["account"]["username"] == "demo"
        assert response.json()["uri"].startswith(f"http://localhost:{port}/users/demo/")
        postmaster = tmp_path / "data" / "postgres" / "postmaster.pid"
        assert postmaster.exists()
        process.terminate()
        assert process.wait(timeout=30) == 0, log.read_text()
        assert not postmaster.exists(), "the embedded PostgreSQL is still running"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
