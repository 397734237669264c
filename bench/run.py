"""`make bench`: the same wrk load against tootlog and a thin baseline app, in one run.

Both servers share one scratch PostgreSQL database; each scenario loads the baseline, then
tootlog, and reports tootlog's throughput and latency as ratios of the baseline's.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from types import FrameType

from bench import postgres, report, servers
from bench.baseline import INSERT_STATUS
from bench.errors import BenchError
from bench.load import Load, WrkResult, ensure_wrk, run_wrk
from bench.servers import Server

ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPTS = ROOT / "bench" / "wrk"
RESULTS = ROOT / "bench" / "results"
TOOTLOG = Path(sys.executable).with_name("tootlog")
USERNAME = "benchuser"
# Served the way `tootlog serve` serves tootlog: one uvicorn process, uvloop, httptools, no log.
BASELINE = [sys.executable, "-m", "uvicorn", "bench.baseline:app", "--loop", "uvloop"]
BASELINE += ["--http", "httptools", "--no-access-log", "--log-level", "warning"]


@dataclass(frozen=True)
class Fixture:
    """What seeding produced; scenario paths are templates over these fields."""

    token: str
    status_id: str


@dataclass(frozen=True)
class Scenario:
    """One load pattern, run the same way against the baseline and against tootlog."""

    name: str
    path: str  # e.g. "/api/v1/statuses/{status_id}", formatted with the Fixture's fields
    min_ratio: float  # the target: tootlog req/s >= min_ratio * baseline req/s
    script: str | None = None  # a Lua file in bench/wrk/, given the token; None: a plain GET
    baseline_path: str | None = None  # where the baseline serves it, when not at `path`


SCENARIOS = [
    Scenario("get_status_anonymous", "/api/v1/statuses/{status_id}", min_ratio=0.6),
    Scenario(
        "post_status_idempotent", "/api/v1/statuses", min_ratio=0.25, script="post_status.lua"
    ),
]


def main(argv: list[str] | None = None) -> int:
    """Run the bench; 0 unless something failed to run (missed targets are only reported)."""
    args = parse_args(argv)
    load = Load(args.duration, args.warmup, args.connections, args.threads)
    scenarios = [s for s in SCENARIOS if not args.only or s.name in args.only]
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        run = bench(load, scenarios)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    print(report.render(run))
    report.write_json(run, RESULTS / "latest.json")
    print(f"\nresults: {(RESULTS / 'latest.json').relative_to(ROOT)}")
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--duration", type=int, default=10, help="seconds measured per target")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per target")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        choices=[s.name for s in SCENARIOS],
        help="run only this scenario (repeatable)",
    )
    return parser.parse_args(argv)


def bench(load: Load, scenarios: list[Scenario]) -> report.Run:
    """Set up database and servers, run every scenario, and tear it all down again."""
    wrk = ensure_wrk()
    RESULTS.mkdir(exist_ok=True)
    with contextlib.ExitStack() as stack:
        database = stack.enter_context(
            postgres.scratch_database(stack.enter_context(postgres.server_url()))
        )
        env = {
            **os.environ,
            "DATABASE_URL": database,
            "TOOTLOG_DOMAIN": "bench.example",
            # The throttle stays on (its cost is measured) with a limit the load never reaches.
            "TOOTLOG_RATE_LIMIT": "1000000000",
        }
        token = seed_tootlog(env)
        tootlog = stack.enter_context(_serve("tootlog", [str(TOOTLOG), "serve"], env))
        status = post_status(tootlog, token)
        baseline = stack.enter_context(_serve("baseline", BASELINE, env))
        status_id = json.loads(status)["id"]
        postgres.execute(database, INSERT_STATUS, (int(status_id), status))
        fixture = Fixture(token=token, status_id=status_id)
        outcomes = [measure(s, fixture, baseline, tootlog, wrk, load) for s in scenarios]
        return report.Run(
            load=load,
            database="DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded (pgserver)",
            scenarios=outcomes,
            tootlog_memory=tootlog.memory(),
            baseline_memory=baseline.memory(),
        )


def seed_tootlog(env: dict[str, str]) -> str:
    """Migrate, create the bench account, and return a read+write bearer token for it."""
    _tootlog_cli(env, "migrate")
    _tootlog_cli(env, "accounts", "create", USERNAME)
    return _tootlog_cli(env, "tokens", "create", USERNAME, "--scopes", "read write")


def post_status(tootlog: Server, token: str) -> str:
    """Publish the status the GET scenarios read; return tootlog's JSON for it."""
    request = urllib.request.Request(
        tootlog.base_url + "/api/v1/statuses",
        data=urllib.parse.urlencode({"status": "hello bench"}).encode(),
        headers={"Authorization": f"Bearer {token}"},
        method="POST",
    )
    # The token was written by the CLI; the server's projection may take a moment to show it.
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.read().decode()
        except urllib.error.HTTPError as error:
            if error.code == 401 and time.monotonic() < deadline:
                time.sleep(0.2)
                continue
            raise BenchError(
                f"tootlog answered POST /api/v1/statuses with {error.code}: {error.read().decode()}"
            ) from None


def measure(
    scenario: Scenario, fixture: Fixture, baseline: Server, tootlog: Server, wrk: str, load: Load
) -> report.ScenarioOutcome:
    """Warm up and then load the baseline, then tootlog, with the same wrk command."""
    script = WRK_SCRIPTS / scenario.script if scenario.script else None
    results: dict[str, WrkResult] = {}
    paths = ((baseline, scenario.baseline_path or scenario.path), (tootlog, scenario.path))
    for server, path in paths:
        url = server.base_url + path.format(**asdict(fixture))
        if load.warmup:
            _progress(f"{scenario.name}: {server.name} warm-up ({load.warmup}s)")
            run_wrk(wrk, url, load, load.warmup, script, [fixture.token])
        _progress(f"{scenario.name}: {server.name} ({load.duration}s)")
        results[server.name] = run_wrk(wrk, url, load, load.duration, script, [fixture.token])
    return report.ScenarioOutcome(
        name=scenario.name,
        path=scenario.path,
        min_ratio=scenario.min_ratio,
        baseline=results["baseline"],
        tootlog=results["tootlog"],
        tootlog_memory=tootlog.memory(),
    )


def _serve(
    name: str, command: list[str], env: dict[str, str]
) -> contextlib.AbstractContextManager[Server]:
    port = servers.free_port()
    return servers.running(
        name, [*command, "--port", str(port)], env, port, RESULTS / f"{name}.log", cwd=ROOT
    )


def _tootlog_cli(env: dict[str, str], *args: str) -> str:
    """Run `tootlog ARGS...` and return what it printed on stdout."""
    finished = subprocess.run(
        [str(TOOTLOG), *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if finished.returncode != 0:
        raise BenchError(f"tootlog {' '.join(args)} failed:\n{finished.stderr}")
    return finished.stdout.strip()


def _progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM unwinds like Ctrl-C, so servers stop and the scratch database is dropped."""
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
