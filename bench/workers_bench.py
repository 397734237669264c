"""`--only workers`: tootlog with 1 and 2 API processes (`tootlog serve --workers N`) against the
baseline app with 1 and 2 uvicorn processes, in one run: GET a status and POST with fresh
Idempotency-Keys, each pair's ratio next to the other's; then GET on 2 API processes with the
rate limit on (shared counts, a limit the load never reaches) and off, alternated.
"""

from __future__ import annotations

import contextlib
import json
import statistics
from dataclasses import replace

from bench import baseline_copy, postgres, report, run
from bench.baseline import INSERT_STATUS
from bench.load import Load, ensure_wrk, run_wrk
from bench.servers import Server

SCENARIOS = [
    s for s in run.SCENARIOS if s.name in ("get_status_anonymous", "post_status_idempotent")
]
PROCESSES = (1, 2)
LIMIT_ROUNDS = 2  # limits on, then off, this many times


def measure(load: Load) -> str:
    """Run it all; the report (also written to bench/results/workers.json)."""
    wrk = ensure_wrk()
    run.RESULTS.mkdir(exist_ok=True)
    outcomes: list[report.ScenarioOutcome] = []
    with contextlib.ExitStack() as stack:
        database = stack.enter_context(
            postgres.scratch_database(stack.enter_context(postgres.server_url()))
        )
        env = run.tootlog_env(database)
        token = run.seed_tootlog(env)
        fixture = None
        for processes in PROCESSES:
            with contextlib.ExitStack() as pair:
                tootlog = pair.enter_context(_tootlog(env, processes))
                baseline = pair.enter_context(
                    run._serve(
                        f"baseline-x{processes}", [*run.BASELINE, "--workers", str(processes)], env
                    )
                )
                if fixture is None:
                    fixture = _fixture(database, tootlog, token)
                for scenario in SCENARIOS:
                    named = replace(scenario, name=f"{scenario.name} x{processes}")
                    outcomes.append(
                        run.measure(named, fixture, baseline, tootlog, wrk, load, database)
                    )
                if processes == 2:
                    limits = _limits_on_and_off(env, tootlog, fixture, wrk, load)
    text = _render(load, outcomes, limits)
    (run.RESULTS / "workers.json").write_text(
        json.dumps(
            {
                "scenarios": [report.scenario_json(outcome) for outcome in outcomes],
                "get_req_per_s_limits": limits,
            },
            indent=2,
        )
    )
    return text


def _tootlog(
    env: dict[str, str], processes: int, name: str = "tootlog"
) -> contextlib.AbstractContextManager[Server]:
    command = [str(run.TOOTLOG), "serve", "--workers", str(processes)]
    return run._serve(f"{name}-x{processes}", command, env)


def _fixture(database: str, tootlog: Server, token: str) -> run.Fixture:
    """The status the GETs read, in tootlog and copied into the baseline's table."""
    status = baseline_copy.post_status(tootlog, token)
    status_id = json.loads(status)["id"]
    postgres.execute(database, INSERT_STATUS, (int(status_id), status))
    return run.Fixture(token=token, status_id=status_id, thread_id="0", reblogged_id="0")


def _limits_on_and_off(
    env: dict[str, str], limited: Server, fixture: run.Fixture, wrk: str, load: Load
) -> dict[str, list[float]]:
    """GET req/s of 2 API processes with the throttle on (`limited`) and off, alternated."""
    path = SCENARIOS[0].path.format(status_id=fixture.status_id)
    rates: dict[str, list[float]] = {"on": [], "off": []}
    with _tootlog({**env, "TOOTLOG_RATE_LIMIT": "0"}, 2, "tootlog-unlimited") as unlimited:
        for _ in range(LIMIT_ROUNDS):
            for state, server in (("on", limited), ("off", unlimited)):
                url = server.base_url + path
                if load.warmup:
                    run_wrk(wrk, url, load, load.warmup, None, [])
                run._progress(f"workers: GET with rate limits {state} ({load.duration}s)")
                rates[state].append(
                    run_wrk(wrk, url, load, load.duration, None, []).requests_per_second
                )
    return rates


def _render(
    load: Load, outcomes: list[report.ScenarioOutcome], limits: dict[str, list[float]]
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
    on, off = statistics.mean(limits["on"]), statistics.mean(limits["off"])
    lines.append(
        f"GET, 2 API processes, rate limit on / off: {on / off:.2f}x"
        f" (on {', '.join(f'{r:.0f}' for r in limits['on'])} req/s;"
        f" off {', '.join(f'{r:.0f}' for r in limits['off'])} req/s; target >= 0.90x:"
        f" {'met' if on >= 0.9 * off else 'MISSED'})"
    )
    return "\n".join(lines)
