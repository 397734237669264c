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
    assert missing.stderr.strip().endswith("tootlog: account not found: nobody")
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
        assert f"tootlog is serving http://127.0.0.1:{port}" in output
        email, password = re.search(r"e-mail (\S+), password (\S+)", output).groups()
        assert "pgserver" not in output  # the embedded PostgreSQL's own logging stays quiet
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
        # A client logs in as the demo account with the printed e-mail and password.
        app = httpx.post(
            f"{base}/api/v1/apps",
            data={"client_name": "t", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"},
        ).json()
        grant = httpx.post(
            f"{base}/oauth/token",
            data={
                "grant_type": "password",
                "username": email,
                "password": password,
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "scope": "read",
            },
        )
        assert grant.status_code == 200, grant.text
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


def test_version_and_quiet_output_and_the_database_a_command_uses(tmp_path: Path) -> None:
    version = tootlog("--version", env={})
    assert version.returncode == 0 and re.fullmatch(r"tootlog \S+\n", version.stdout)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TOOTLOG_DATA_DIR")}
    env["HOME"] = str(tmp_path / "home")
    env.pop("XDG_DATA_HOME", None)
    used = tmp_path / "home" / ".local" / "share" / "tootlog" / "postgres"
    for cwd in (tmp_path, Path("/")):  # the same database from any directory
        result = subprocess.run(
            [sys.executable, "-m", "api.cli", "migrate"],
            env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert result.stderr.splitlines() == [f"tootlog: using the embedded PostgreSQL in {used}"]
    verbose = subprocess.run(
        [sys.executable, "-m", "api.cli", "--verbose", "migrate"],
        env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verbose.returncode == 0 and "pgserver" in verbose.stderr
    import pgserver

    pgserver.get_server(used, cleanup_mode="delete").cleanup()


def test_accounts_create_applies_the_password_rules_and_warns_when_no_one_can_log_in(
    fresh_database_url: str,
) -> None:
    env = {"DATABASE_URL": fresh_database_url}
    short = tootlog(
        "accounts", "create", "erin", "--email", "e@example.org", "--password", "x", env=env
    )
    assert short.returncode == 1
    assert "password is too short (minimum is 8 characters)" in short.stderr
    no_email = tootlog("accounts", "create", "erin", "--password", "long-enough-1", env=env)
    assert no_email.returncode == 1 and "needs an e-mail address" in no_email.stderr
    silent = tootlog("accounts", "create", "frank", env=env)
    assert silent.returncode == 0 and silent.stdout.strip().isdigit()
    assert "no client can log in as it" in silent.stderr
    prompted = subprocess.run(
        [
            sys.executable,
            "-m",
            "api.cli",
            "accounts",
            "create",
            "gina",
            "--email",
            "g@example.org",
            "--password",
        ],
        env={**os.environ, **env},
        input="typed-password-1\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert prompted.returncode == 0, prompted.stderr
    assert "warning" not in prompted.stderr
    empty = tootlog("tokens", "create", "gina", "--scopes", " ", env=env)
    assert empty.returncode == 1 and "names no scope" in empty.stderr


def test_sigterm_to_make_run_stops_the_server_its_worker_and_the_embedded_postgresql(
    tmp_path: Path,
) -> None:
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MAKEFLAGS")}
    port = free_port()
    env.update(PORT=str(port), TOOTLOG_DATA_DIR=str(tmp_path / "data"))
    log = tmp_path / "run.log"
    with log.open("w") as out:
        make = subprocess.Popen(["make", "-s", "run"], cwd=root, env=env, stdout=out, stderr=out)
    postmaster = tmp_path / "data" / "postgres" / "postmaster.pid"
    try:
        deadline = time.monotonic() + 180
        while "tootlog is serving" not in log.read_text():
            assert make.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        assert postmaster.exists()
        make.terminate()
        make.wait(timeout=30)
        deadline = time.monotonic() + 30
        while _serving(tmp_path) or postmaster.exists():
            assert time.monotonic() < deadline, "left running after SIGTERM to make run"
            time.sleep(0.2)
    finally:
        if make.poll() is None:
            make.kill()


def _serving(data: Path) -> list[str]:
    """tootlog processes (serve, its worker) of this test's data directory still running."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            environ = (proc / "environ").read_bytes()
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if str(data).encode() in environ and b"tootlog" in cmdline:
            found.append(proc.name)
    return found


def test_the_command_imports_what_a_command_runs_only_when_it_runs() -> None:
    """Starting `tootlog` (for --help, a replay, a rebuild...) loads neither the server, the
    write model, the projection worker nor the --as-of renderer: 0.44 -> 0.33 s for --help,
    0.85 -> 0.71 s for `replay --status` of the bench log's busiest status."""
    probe = (
        "import sys, api.cli; "
        "print(' '.join(sorted(name for name in sys.modules if name in {"
        "'api.app', 'api.metrics', 'uvicorn', 'commands.app', 'projections.worker',"
        " 'projections.as_of', 'projections.rebuild', 'projections.verify'})))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert loaded.stdout.split() == []
