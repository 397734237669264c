"""`make bench`: the same wrk load against tootlog and a thin baseline app, in one run.

Both servers share one scratch PostgreSQL database; each scenario loads the baseline, then
tootlog, and reports tootlog's throughput and latency as ratios of the baseline's. The social
scenarios' data (a big thread, a much-reblogged status) is written through tootlog's commands
and projected by tootlog before anything is measured; the baseline gets tootlog's JSON for it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import time
from dataclasses import asdict, dataclass, replace
from types import FrameType

from bench import (
    baseline_copy,
    cpu,
    fanout,
    log_bench,
    postgres,
    replica_bench,
    report,
    seed,
    servers,
    slow_site,
)
from bench import storage as bench_storage
from bench import streaming as streaming_bench
from bench.baseline import INSERT_STATUS
from bench.errors import BenchError
from bench.load import Load, WrkResult, ensure_wrk, run_wrk
from bench.seeding import (
    FAMOUS,
    ROOT,
    TOOTLOG,
    progress,
    seed_home,
    seed_social,
    seed_tootlog,
    tootlog_cli,
    tootlog_env,
)
from bench.servers import Server

WRK_SCRIPTS = ROOT / "bench" / "wrk"
RESULTS = ROOT / "bench" / "results"
PROJECTION_TIMEOUT = 300.0  # seconds for tootlog to project the seeded social data
# Served the way `tootlog serve` serves tootlog: one uvicorn process, uvloop, httptools, no log.
BASELINE = [sys.executable, "-m", "uvicorn", "bench.baseline:app", "--loop", "uvloop"]
BASELINE += ["--http", "httptools", "--no-access-log", "--log-level", "warning"]


@dataclass(frozen=True)
class Fixture:
    """What seeding produced; scenario paths are templates over these fields."""

    token: str
    status_id: str
    thread_id: str  # root of a thread of seed.THREAD_DESCENDANTS replies ("0": not seeded)
    reblogged_id: str  # a status with seed.REBLOGGERS reblogs ("0": not seeded)
    viewer_id: str = "0"  # the bench user's account id (the baseline's home feed key)


@dataclass(frozen=True)
class Scenario:
    """One load pattern, run the same way against the baseline and against tootlog."""

    name: str
    path: str  # e.g. "/api/v1/statuses/{status_id}", formatted with the Fixture's fields
    min_ratio: float | None = None  # target: tootlog req/s >= min_ratio * baseline req/s
    max_p50_ratio: float | None = None  # target: tootlog p50 <= max_p50_ratio * baseline p50
    script: str | None = None  # a Lua file in bench/wrk/, given the token; None: a plain GET
    script_args: tuple[str, ...] = ()  # given to the script after the token
    baseline_path: str | None = None  # where the baseline serves it, when not at `path`
    connections: int | None = None  # wrk connections for this scenario (else --connections)
    needs: str | None = None  # seeded data it reads: "thread", "reblogs", "home" or "fans"
    # Also judged against another scenario's tootlog numbers (run in the same bench run):
    # tootlog req/s here >= min_versus_ratio * tootlog req/s there.
    versus: str | None = None
    min_versus_ratio: float | None = None
    # Statuses linking a page that answers after 2 s, posted just before tootlog is loaded.
    slow_links: int = 0
    # While tootlog is loaded, the account with home_seed.FANS followers posts every second
    # and the time until each post is in every follower's home feed is measured (bench/fanout.py).
    fanout: bool = False


# The log scenario (bench/log_bench.py): rebuild throughput and replay on a generated log.
LOG_SCENARIO = "rebuild"
STREAMING_SCENARIO = "streaming"  # bench/streaming.py, no wrk
REPLICAS_SCENARIO = "replicas"  # bench/replica_bench.py: clusters of its own
# bench/workers_bench.py: 1 and 2 API processes against the baseline with 1 and 2 processes.
WORKERS_SCENARIO = "workers"

SCENARIOS = [
    Scenario("get_status_anonymous", "/api/v1/statuses/{status_id}", min_ratio=0.6),
    # A user's view of a whole 4,096-reply thread (several MB): few connections, judged on p50.
    Scenario(
        "context",
        "/api/v1/statuses/{thread_id}/context",
        max_p50_ratio=2.0,
        script="get_as_user.lua",
        connections=4,
        needs="thread",
    ),
    Scenario(
        "reblogged_by",
        "/api/v1/statuses/{reblogged_id}/reblogged_by",
        min_ratio=0.5,
        script="get_as_user.lua",
        needs="reblogs",
    ),
    # The bench user's home timeline (20 per page): they follow 1,000 of 2,000 authors of
    # --home-statuses statuses (1,000,000). The baseline reads 20 pre-rendered rows of a feed
    # table by one indexed query.
    Scenario(
        "home_timeline",
        "/api/v1/timelines/home",
        min_ratio=0.5,
        script="get_as_user.lua",
        baseline_path="/api/v1/timelines/home?account={viewer_id}",
        needs="home",
    ),
    # Last: the statuses it writes would otherwise change what the reads above read (the
    # reblogged_by plan, for one, walks back past every newer status).
    Scenario(
        "post_status_idempotent", "/api/v1/statuses", min_ratio=0.25, script="post_status.lua"
    ),
    # The same POST load while an author with 10,000 followers posts every second: POST req/s
    # must hold (against post_status_idempotent of the same run), and each of those posts must
    # be in every follower's home feed within 2 s (reported apart: results/fanout.json).
    Scenario(
        "post_status_fanout",
        "/api/v1/statuses",
        min_ratio=0.25,
        script="post_status.lua",
        versus="post_status_idempotent",
        min_versus_ratio=0.8,
        needs="fans",
        fanout=True,
    ),
    # A client retrying: every request repeats one Idempotency-Key, so all but the first answer
    # with the status the key names. It must cost no more than a fresh post.
    Scenario(
        "post_status_repeated_key",
        "/api/v1/statuses",
        script="post_status.lua",
        script_args=("repeat",),
        versus="post_status_idempotent",
        min_versus_ratio=1.0,
    ),
    # The same load while the card worker works through 1,000 statuses linking slow pages:
    # compare with post_status_idempotent (POST answers once the status is readable, so its
    # latency is the write-to-visible lag).
    Scenario(
        "post_status_slow_links",
        "/api/v1/statuses",
        min_ratio=0.25,
        script="post_status.lua",
        slow_links=1000,
    ),
]
SLOW_LINK_TOPIC = "tootlog.card.fetched.v1"


def main(argv: list[str] | None = None) -> int:
    """Run the bench; 0 unless something failed to run (missed targets are only reported)."""
    args = parse_args(argv)
    load = Load(args.duration, args.warmup, args.connections, args.threads)
    scenarios = [s for s in SCENARIOS if not args.only or s.name in args.only]
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        if scenarios:
            run = bench(load, scenarios, args.home_statuses)
            print(report.render(run))
            report.write_json(run, RESULTS / "latest.json")
            print(f"\nresults: {(RESULTS / 'latest.json').relative_to(ROOT)}")
        if not args.only or LOG_SCENARIO in args.only:
            with postgres.server_url() as server:
                figures = log_bench.measure(server, args.log_events)
            print(log_bench.render(figures))
            RESULTS.mkdir(exist_ok=True)
            (RESULTS / "log.json").write_text(json.dumps(asdict(figures), indent=2))
        if not args.only or WORKERS_SCENARIO in args.only:
            from bench import workers_bench  # it reads this module's harness

            print(workers_bench.measure(load))
        if not args.only or STREAMING_SCENARIO in args.only:
            with postgres.server_url() as server:
                streamed = streaming_bench.measure(server, streaming_bench.parse_args([]))
            print(streamed.render())
            (RESULTS / "streaming.json").write_text(json.dumps(asdict(streamed), indent=2))
        if not args.only or REPLICAS_SCENARIO in args.only:
            harness = replica_bench.Harness(
                _serve, tootlog_cli, [str(TOOTLOG), "serve"], BASELINE, WRK_SCRIPTS
            )
            replica_bench.run(load, harness, RESULTS)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
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
        choices=[s.name for s in SCENARIOS]
        + [LOG_SCENARIO, STREAMING_SCENARIO, REPLICAS_SCENARIO, WORKERS_SCENARIO],
        help="run only this scenario (repeatable)",
    )
    parser.add_argument(
        "--log-events",
        type=int,
        default=1_000_000,
        help="size of the generated log the rebuild scenario reads (kept between runs)",
    )
    parser.add_argument(
        "--home-statuses",
        type=int,
        default=1_000_000,
        help="statuses in the store for the home_timeline scenario",
    )
    return parser.parse_args(argv)


def bench(load: Load, scenarios: list[Scenario], home_statuses: int = 0) -> report.Run:
    """Set up database and servers, run every scenario, and tear it all down again."""
    wrk = ensure_wrk()
    RESULTS.mkdir(exist_ok=True)
    with contextlib.ExitStack() as stack:
        database = stack.enter_context(
            postgres.scratch_database(stack.enter_context(postgres.server_url()))
        )
        env = tootlog_env(database)
        token = seed_tootlog(env)
        site = None
        if any(s.slow_links for s in scenarios):
            env["TOOTLOG_CARD_ALLOWED_HOSTS"] = slow_site.HOST
            site = stack.enter_context(slow_site.slow_site())
        needs = {s.needs for s in scenarios}
        social = seed_social(database, thread="thread" in needs, reblogs="reblogs" in needs)
        famous_token = None
        if "fans" in needs:
            tootlog_cli(env, "accounts", "create", FAMOUS)
            famous_token = tootlog_cli(env, "tokens", "create", FAMOUS, "--scopes", "read write")
        home = seed_home(database, "home" in needs, "fans" in needs, home_statuses)
        tootlog = stack.enter_context(_serve("tootlog", [str(TOOTLOG), "serve"], env))
        if social.position or home.position:
            progress("waiting for tootlog to project the seeded events")
            started = time.monotonic()
            seed.wait_for_projection(
                database,
                max(social.position, home.position),
                PROJECTION_TIMEOUT + home_statuses / 1000,
            )
            progress(f"projected in {time.monotonic() - started:.0f}s")
        status = baseline_copy.post_status(tootlog, token)
        baseline = stack.enter_context(_serve("baseline", BASELINE, env))
        status_id = json.loads(status)["id"]
        postgres.execute(database, INSERT_STATUS, (int(status_id), status))
        if social.thread_id:
            baseline_copy.copy_thread(database, tootlog, baseline, token, social.thread_id)
        if social.reblogged_id:
            baseline_copy.copy_reblogs(database, tootlog, baseline, token, social.reblogged_id)
        viewer_id = json.loads(status)["account"]["id"]
        if "home" in needs:
            baseline_copy.copy_home(database, tootlog, baseline, token, viewer_id)
        # The store as autovacuum would leave it after the seeding: planner statistics (without
        # them they would appear in the middle of some run and change its plans) and visibility
        # maps. Autovacuum's own pass over a million fresh rows otherwise ran during the first
        # scenarios, its CPU counted in their PostgreSQL time and taken from both servers.
        postgres.vacuum_analyze(database)
        store = bench_storage.measure(database) if "home" in needs else None
        fixture = Fixture(
            token=token,
            status_id=status_id,
            thread_id=str(social.thread_id),
            reblogged_id=str(social.reblogged_id),
            viewer_id=viewer_id,
        )
        outcomes = [
            measure(s, fixture, baseline, tootlog, wrk, load, database, site, famous_token)
            for s in scenarios
        ]
        return report.Run(
            load=load,
            database="DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded (pgserver)",
            scenarios=outcomes,
            tootlog_memory=tootlog.memory(),
            baseline_memory=baseline.memory(),
            storage=store,
        )


def measure(
    scenario: Scenario,
    fixture: Fixture,
    baseline: Server,
    tootlog: Server,
    wrk: str,
    load: Load,
    database: str,
    site: str | None = None,
    famous_token: str | None = None,
) -> report.ScenarioOutcome:
    """Warm up and then load the baseline, then tootlog, with the same wrk command."""
    script = WRK_SCRIPTS / scenario.script if scenario.script else None
    load = replace(load, connections=scenario.connections or load.connections)
    results: dict[str, WrkResult] = {}
    cpu_use: dict[str, cpu.CpuUse] = {}
    paths = (
        ("baseline", baseline, scenario.baseline_path or scenario.path),
        ("tootlog", tootlog, scenario.path),
    )
    script_args = [fixture.token, *scenario.script_args]
    for role, server, path in paths:
        url = server.base_url + path.format(**asdict(fixture))
        if server is tootlog and scenario.slow_links and site:
            count = scenario.slow_links
            seconds = slow_site.post_links(tootlog.base_url, fixture.token, site, count)
            progress(f"{scenario.name}: posted {count} slow-link statuses in {seconds:.0f}s")
        if load.warmup:
            progress(f"{scenario.name}: {server.name} warm-up ({load.warmup}s)")
            run_wrk(wrk, url, load, load.warmup, script, script_args)
        progress(f"{scenario.name}: {server.name} ({load.duration}s)")
        probe = None
        if server is tootlog and scenario.fanout and famous_token:
            probe = fanout.Probe(tootlog.base_url, famous_token, database, FAMOUS)
            probe.start()
        # Only this server is loaded now: the database's busy backends are its own.
        start = cpu.clock(server.pids(), postgres.backend_pids(database))
        result = run_wrk(wrk, url, load, load.duration, script, script_args)
        end = cpu.clock(server.pids(), postgres.backend_pids(database))
        if probe is not None:
            figures = probe.finish()
            progress(f"{scenario.name}: {figures.summary()}")
            (RESULTS / "fanout.json").write_text(json.dumps(asdict(figures), indent=2))
        results[role] = result
        cpu_use[role] = end.since(start, result.requests)
        if server is tootlog and scenario.slow_links:
            ((cards,),) = postgres.fetch_all(
                database, "SELECT count(*) FROM tootlog_events WHERE topic = %s", (SLOW_LINK_TOPIC,)
            )
            progress(f"{scenario.name}: {cards} cards recorded by the end of the run")
    return report.ScenarioOutcome(
        name=scenario.name,
        path=scenario.path,
        min_ratio=scenario.min_ratio,
        max_p50_ratio=scenario.max_p50_ratio,
        versus=scenario.versus,
        min_versus_ratio=scenario.min_versus_ratio,
        connections=load.connections,
        baseline=results["baseline"],
        tootlog=results["tootlog"],
        baseline_cpu=cpu_use["baseline"],
        tootlog_cpu=cpu_use["tootlog"],
        tootlog_memory=tootlog.memory(),
    )


def _serve(
    name: str, command: list[str], env: dict[str, str]
) -> contextlib.AbstractContextManager[Server]:
    port = servers.free_port()
    return servers.running(
        name, [*command, "--port", str(port)], env, port, RESULTS / f"{name}.log", cwd=ROOT
    )


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM unwinds like Ctrl-C, so servers stop and the scratch database is dropped."""
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
