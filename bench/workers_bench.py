"""`--only workers`: tootlog with 1 and 2 API processes (`tootlog serve --workers N`) against the
baseline app with 1 and 2 processes (laid out as tootlog's: bench/baseline_processes.py), in one
run: GET a status and POST with fresh Idempotency-Keys, each pair's ratio next to the other's;
then GET on 2 API processes with the rate limit on (shared counts, a limit the load never
reaches) and off, four runs each in the order on, off, off, on, on, off, off, on, judged on
the medians, with the servers' CPU per request (steadier than req/s on a shared machine).
"""

from __future__ import annotations

import contextlib
import json
import statistics
import sys
from dataclasses import replace

from bench import baseline_copy, cpu, postgres, report, run, seeding
from bench.baseline import INSERT_STATUS
from bench.load import Load, ensure_wrk, run_wrk
from bench.servers import Server

SCENARIOS = [
    s for s in run.SCENARIOS if s.name in ("get_status_anonymous", "post_status_idempotent")
]
PROCESSES = (1, 2)
# Four runs each, alternating (a machine whose load drifts favours neither): two runs each
# (2026-12-06 01:47) gave 0.89x on a 10% swing between two runs of the same server; eight
# right after, 1.00x on the medians.
LIMIT_ORDER = ("on", "off", "off", "on", "on", "off", "off", "on")


def measure(load: Load) -> str:
    """Run it all; the report (also written to bench/results/workers.json)."""
    wrk = ensure_wrk()
    run.RESULTS.mkdir(exist_ok=True)
    outcomes: list[report.ScenarioOutcome] = []
    with contextlib.ExitStack() as stack:
        database = stack.enter_context(
            postgres.scratch_database(stack.enter_context(postgres.server_url()))
        )
        env = seeding.tootlog_env(database)
        token = seeding.seed_tootlog(env)
        fixture = None
        for processes in PROCESSES:
            with contextlib.ExitStack() as pair:
                tootlog = pair.enter_context(_tootlog(env, processes))
                baseline = pair.enter_context(_baseline(env, processes))
                if fixture is None:
                    fixture = _fixture(database, tootlog, token)
                for scenario in SCENARIOS:
                    named = replace(scenario, name=f"{scenario.name} x{processes}")
                    outcomes.append(
                        run.measure(named, fixture, baseline, tootlog, wrk, load, database)
                    )
        # Two fresh servers (the one above served thousands of POSTs: a larger heap).
        limits = _limits_on_and_off(env, fixture, wrk, load)
    text = _render(load, outcomes, limits)
    (run.RESULTS / "workers.json").write_text(
        json.dumps(
            {
                "scenarios": [report.scenario_json(outcome) for outcome in outcomes],
                "get_limits_on_off": limits,
            },
            indent=2,
        )
    )
    return text


def _tootlog(
    env: dict[str, str], processes: int, name: str = "tootlog"
) -> contextlib.AbstractContextManager[Server]:
    command = [str(seeding.TOOTLOG), "serve", "--workers", str(processes)]
    return run._serve(f"{name}-x{processes}", command, env)


def _baseline(env: dict[str, str], processes: int) -> contextlib.AbstractContextManager[Server]:
    """The baseline as run.BASELINE runs it, in `processes` processes laid out as tootlog's."""
    command = run.BASELINE
    if processes > 1:
        command = [sys.executable, "-m", "bench.baseline_processes", "--workers", str(processes)]
    return run._serve(f"baseline-x{processes}", command, env)


def _fixture(database: str, tootlog: Server, token: str) -> run.Fixture:
    """The status the GETs read, in tootlog and copied into the baseline's table."""
    status = baseline_copy.post_status(tootlog, token)
    status_id = json.loads(status)["id"]
    postgres.execute(database, INSERT_STATUS, (int(status_id), status))
    return run.Fixture(token=token, status_id=status_id, thread_id="0", reblogged_id="0")


def _limits_on_and_off(
    env: dict[str, str], fixture: run.Fixture, wrk: str, load: Load
) -> dict[str, list[dict[str, float]]]:
    """GET on two fresh `serve --workers 2`, the throttle on and off: req/s and the servers'
    CPU per request, in LIMIT_ORDER."""
    path = SCENARIOS[0].path.format(status_id=fixture.status_id)
    runs: dict[str, list[dict[str, float]]] = {"on": [], "off": []}
    with (
        _tootlog(env, 2, "tootlog-limited") as limited,
        _tootlog({**env, "TOOTLOG_RATE_LIMIT": "0"}, 2, "tootlog-unlimited") as unlimited,
    ):
        servers = {"on": limited, "off": unlimited}
        for state in LIMIT_ORDER:
            url = servers[state].base_url + path
            if load.warmup:
                run_wrk(wrk, url, load, load.warmup, None, [])
            seeding.progress(f"workers: GET with rate limits {state} ({load.duration}s)")
            start = cpu.clock(servers[state].pids(), None)
            result = run_wrk(wrk, url, load, load.duration, None, [])
            used = cpu.clock(servers[state].pids(), None).since(start, result.requests)
            runs[state].append(
                {"req_per_s": result.requests_per_second, "cpu_ms_per_req": used.server_ms}
            )
    return runs


def _machine_share(one: report.ScenarioOutcome, two: report.ScenarioOutcome) -> str:
    """What a second process can add: the machine's idle share with one process (a server
    that leaves no core idle has nothing to gain) and the CPU (server and PostgreSQL) each
    request costs with two against one."""

    def per_request(used: cpu.CpuUse) -> float | None:
        if used.postgres_ms is None:
            return None
        return used.server_ms + used.postgres_ms

    parts = []
    for side in ("tootlog", "baseline"):
        used_one, used_two = getattr(one, f"{side}_cpu"), getattr(two, f"{side}_cpu")
        idle = "n/a" if used_one.machine_idle is None else f"{used_one.machine_idle:.0%}"
        before, after = per_request(used_one), per_request(used_two)
        growth = "n/a" if before is None or after is None else report.times(after / before)
        parts.append(
            f"{side} left {idle} of the cores idle with 1 process, CPU per request"
            f" (server + PostgreSQL) {growth} with 2"
        )
    return "; ".join(parts)


def _render(
    load: Load, outcomes: list[report.ScenarioOutcome], limits: dict[str, list[dict[str, float]]]
) -> str:
    lines = [
        f"tootlog vs baseline with 1 and 2 processes, same run: wrk -t{load.threads}"
        f" -c{load.connections} -d{load.duration}s after a {load.warmup}s warm-up each"
    ]
    for outcome in outcomes:
        lines += ["", *report.render_scenario(outcome, load.connections)]
    lines.append("")
    by_name = {outcome.name: outcome for outcome in outcomes}
    for scenario in SCENARIOS:
        one, two = by_name[f"{scenario.name} x1"], by_name[f"{scenario.name} x2"]
        scaling = {
            side: report.times(
                report.ratio_of(
                    getattr(two, side).requests_per_second, getattr(one, side).requests_per_second
                )
            )
            for side in ("tootlog", "baseline")
        }
        lines.append(
            f"{scenario.name}: tootlog/baseline {report.times(one.throughput_ratio)} with 1"
            f" process, {report.times(two.throughput_ratio)} with 2; 2 processes / 1:"
            f" tootlog {scaling['tootlog']}, baseline {scaling['baseline']}"
        )
        lines.append("  " + _machine_share(one, two))
    rate = {state: statistics.median(r["req_per_s"] for r in limits[state]) for state in limits}
    used = {
        state: statistics.median(r["cpu_ms_per_req"] for r in limits[state]) for state in limits
    }
    each = {
        state: ", ".join(
            f"{r['req_per_s']:.0f} req/s {r['cpu_ms_per_req']:.3f} ms" for r in limits[state]
        )
        for state in limits
    }
    lines.append(
        "GET, 2 API processes, rate limit on / off (medians):"
        f" {rate['on'] / rate['off']:.2f}x req/s"
        f" (target >= 0.90x: {'met' if rate['on'] >= 0.9 * rate['off'] else 'MISSED'}),"
        f" {used['on'] / used['off']:.2f}x server CPU per request (on: {each['on']}; off:"
        f" {each['off']})"
    )
    return "\n".join(lines)
