"""What a bench run found: the per-scenario table, the ratios next to their targets, and JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.cpu import CpuUse
from bench.load import TIMEOUT_SECONDS, Load, WrkResult
from bench.servers import Memory
from bench.storage import Storage

# Above this share of failed requests a target's numbers measure the failures, not the work.
ERROR_SHARE_FLAG = 0.01
RSS_TARGET_MB = 150.0


@dataclass(frozen=True)
class ScenarioOutcome:
    """One scenario's numbers for both targets, and tootlog's memory right after it."""

    name: str
    path: str
    min_ratio: float | None  # target: tootlog req/s >= min_ratio * baseline req/s
    max_p50_ratio: float | None  # target: tootlog p50 <= max_p50_ratio * baseline p50
    connections: int
    baseline: WrkResult
    tootlog: WrkResult
    baseline_cpu: CpuUse
    tootlog_cpu: CpuUse
    tootlog_memory: Memory
    versus: str | None = None  # another scenario whose tootlog req/s this one's is judged by
    min_versus_ratio: float | None = None

    @property
    def throughput_ratio(self) -> float | None:
        return ratio_of(self.tootlog.requests_per_second, self.baseline.requests_per_second)

    @property
    def p50_ratio(self) -> float | None:
        return ratio_of(self.tootlog.p50_ms, self.baseline.p50_ms)

    @property
    def target_met(self) -> bool | None:
        """Every target of the scenario met; None when the numbers are not comparable."""
        if self.flagged:
            return None
        met = True
        if self.min_ratio is not None:
            ratio = self.throughput_ratio
            met = met and ratio is not None and ratio >= self.min_ratio
        if self.max_p50_ratio is not None:
            p50 = self.p50_ratio
            met = met and p50 is not None and p50 <= self.max_p50_ratio
        return met

    @property
    def flagged(self) -> bool:
        """Too many errors on either side for the ratio to mean anything."""
        return any(r.error_share > ERROR_SHARE_FLAG for r in (self.baseline, self.tootlog))


@dataclass(frozen=True)
class Run:
    """Everything one `python -m bench.run` measured."""

    load: Load
    database: str
    scenarios: list[ScenarioOutcome]
    tootlog_memory: Memory
    baseline_memory: Memory
    storage: Storage | None = None  # of the home_timeline scenario's store (bench/storage.py)


def render(run: Run) -> str:
    """The human-readable report."""
    load = run.load
    lines = [
        f"tootlog vs baseline, same run: wrk -t{load.threads} -c{load.connections} "
        f"-d{load.duration}s --latency --timeout={TIMEOUT_SECONDS}s, after a {load.warmup}s"
        " warm-up each; "
        f"PostgreSQL: {run.database}",
    ]
    for outcome in run.scenarios:
        lines += ["", *render_scenario(outcome, load.connections)]
    for outcome, other in _comparisons(run):
        lines += ["", _render_comparison(outcome, other)]
    peak = run.tootlog_memory.peak_mb
    lines += [
        "",
        f"tootlog RSS: peak {peak:.1f} MB, {run.tootlog_memory.rss_mb:.1f} MB at the end "
        f"(target <= {RSS_TARGET_MB:.0f} MB: {_verdict(peak <= RSS_TARGET_MB)}); "
        f"baseline peak {run.baseline_memory.peak_mb:.1f} MB",
        f"tootlog PSS at the end {run.tootlog_memory.pss_mb:.1f} MB (shared pages counted once"
        f" across its processes; baseline {run.baseline_memory.pss_mb:.1f} MB)",
    ]
    if run.storage is not None:
        lines += ["", run.storage.render()]
    return "\n".join(lines)


def write_json(run: Run, path: Path) -> None:
    """The same numbers, for machines; ratios and verdicts included."""
    document = {
        "load": asdict(run.load),
        "database": run.database,
        "storage": asdict(run.storage) if run.storage is not None else None,
        "scenarios": [scenario_json(outcome) for outcome in run.scenarios],
        "comparisons": [
            {
                "scenario": outcome.name,
                "versus": other.name,
                "throughput_ratio": ratio_of(
                    outcome.tootlog.requests_per_second, other.tootlog.requests_per_second
                ),
                "cpu_ratio": ratio_of(outcome.tootlog_cpu.server_ms, other.tootlog_cpu.server_ms),
                "min_throughput_ratio": outcome.min_versus_ratio,
            }
            for outcome, other in _comparisons(run)
        ],
        "memory": {
            "tootlog": asdict(run.tootlog_memory),
            "baseline": asdict(run.baseline_memory),
            "rss_target_mb": RSS_TARGET_MB,
            "rss_target_met": run.tootlog_memory.peak_mb <= RSS_TARGET_MB,
        },
    }
    path.write_text(json.dumps(document, indent=2) + "\n")


def render_scenario(outcome: ScenarioOutcome, connections: int) -> list[str]:
    own = f"  (wrk -c{outcome.connections})" if outcome.connections != connections else ""
    lines = [
        f"{outcome.name}  {outcome.path}{own}",
        f"  {'target':<10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>10}"
        f"{'cpu ms/req':>12}{'pg ms/req':>11}{'idle':>7}",
    ]
    rows = (
        ("baseline", outcome.baseline, outcome.baseline_cpu),
        ("tootlog", outcome.tootlog, outcome.tootlog_cpu),
    )
    for name, result, used in rows:
        postgres = "n/a" if used.postgres_ms is None else f"{used.postgres_ms:.2f}"
        idle = "n/a" if used.machine_idle is None else f"{used.machine_idle:.0%}"
        lines.append(
            f"  {name:<10}{result.requests_per_second:>10.1f}{result.p50_ms:>10.2f}"
            f"{result.p99_ms:>10.2f}{result.errors:>10}{used.server_ms:>12.2f}{postgres:>11}"
            f"{idle:>7}"
        )
    ratio, p50 = outcome.throughput_ratio, outcome.p50_ratio
    throughput_text, p50_text = f"{times(ratio)} req/s", f"{times(p50)} p50"
    if outcome.min_ratio is not None:
        met = ratio is not None and ratio >= outcome.min_ratio
        throughput_text += f" (target >= {outcome.min_ratio:.2f}x: {_judged(outcome, met)})"
    if outcome.max_p50_ratio is not None:
        met = p50 is not None and p50 <= outcome.max_p50_ratio
        p50_text += f" (target <= {outcome.max_p50_ratio:.2f}x: {_judged(outcome, met)})"
    lines.append(f"  tootlog/baseline: {throughput_text}, {p50_text}")
    for name, result in (("baseline", outcome.baseline), ("tootlog", outcome.tootlog)):
        if result.error_share > ERROR_SHARE_FLAG:
            lines.append(
                f"  !! {name}: {result.errors} of {result.requests} requests failed "
                f"({result.error_share:.1%}; {result.http_errors} HTTP >= 400, "
                f"{result.socket_errors} socket): these numbers are not comparable"
            )
    return lines


def _comparisons(run: Run) -> list[tuple[ScenarioOutcome, ScenarioOutcome]]:
    """(scenario, the scenario it is judged against) for those measured in this run."""
    by_name = {outcome.name: outcome for outcome in run.scenarios}
    return [
        (outcome, by_name[outcome.versus]) for outcome in run.scenarios if outcome.versus in by_name
    ]


def _render_comparison(outcome: ScenarioOutcome, other: ScenarioOutcome) -> str:
    ratio = ratio_of(outcome.tootlog.requests_per_second, other.tootlog.requests_per_second)
    cpu = ratio_of(outcome.tootlog_cpu.server_ms, other.tootlog_cpu.server_ms)
    text = f"{outcome.name} vs {other.name}, tootlog both: {times(ratio)} req/s"
    if outcome.min_versus_ratio is not None:
        met = ratio is not None and ratio >= outcome.min_versus_ratio
        flagged = outcome.flagged or other.flagged
        verdict = "not comparable, see errors" if flagged else _verdict(met)
        text += f" (target >= {outcome.min_versus_ratio:.2f}x: {verdict})"
    return text + f", {times(cpu)} server cpu ms/req"


def scenario_json(outcome: ScenarioOutcome) -> dict[str, object]:
    return {
        "name": outcome.name,
        "path": outcome.path,
        "connections": outcome.connections,
        "baseline": asdict(outcome.baseline),
        "tootlog": asdict(outcome.tootlog),
        "cpu_ms_per_request": {
            "baseline": asdict(outcome.baseline_cpu),
            "tootlog": asdict(outcome.tootlog_cpu),
        },
        "tootlog_memory_after": asdict(outcome.tootlog_memory),
        "throughput_ratio": outcome.throughput_ratio,
        "p50_ratio": outcome.p50_ratio,
        "min_throughput_ratio": outcome.min_ratio,
        "max_p50_ratio": outcome.max_p50_ratio,
        "target_met": outcome.target_met,
        "flagged_for_errors": outcome.flagged,
    }


def ratio_of(value: float, reference: float) -> float | None:
    return value / reference if reference else None


def times(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{ratio:.2f}x"


def _judged(outcome: ScenarioOutcome, met: bool) -> str:
    return "not comparable, see errors" if outcome.flagged else _verdict(met)


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"
