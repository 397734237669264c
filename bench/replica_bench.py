"""`make bench BENCH_ARGS="--only replicas"`: reads served by a streaming replica.

On a primary and a streaming replica made for the run (bench/clusters.py), in one run and with
the same wrk load: GET /api/v1/statuses/:id (anonymous) against the baseline app and tootlog
reading the primary, then against tootlog with TOOTLOG_READ_DATABASE_URL naming the replica
(the replica's own transaction count says it served them); then POST /api/v1/statuses against
tootlog without replicas, and against that server while the replica's lag, as /ready reports
it, is read every 0.1 s. On one machine
the replica takes CPU from the same cores: this shows what routing costs and how far the
replica trails, not the capacity a replica on its own host adds.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import threading
import urllib.request
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import baseline_copy, clusters, postgres
from bench.baseline import INSERT_STATUS
from bench.load import Load, WrkResult, ensure_wrk, run_wrk
from bench.servers import Server

Serve = Callable[[str, list[str], dict[str, str]], AbstractContextManager[Server]]
Cli = Callable[..., str]
REPLICA_COMMITS = "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
LAG_SAMPLE_INTERVAL = 0.1


@dataclass(frozen=True)
class ReplicaFigures:
    get_baseline: WrkResult
    get_primary: WrkResult  # tootlog, every read from the primary
    get_replica: WrkResult  # tootlog, reads from the replica
    replica_transactions: int  # committed on the replica during get_replica
    post_primary: WrkResult  # tootlog without replicas
    post_with_replica: WrkResult
    lag_p50_s: float  # the replica's lag as /ready reported it during the POST load
    lag_max_s: float
    lag_samples: int

    def render(self) -> str:
        def line(name: str, result: WrkResult) -> str:
            ratio = result.requests_per_second / self.get_baseline.requests_per_second
            return (
                f"  {name:<34} {result.requests_per_second:8.0f} req/s  p50 {result.p50_ms:6.2f} ms"
                f"  p99 {result.p99_ms:6.2f} ms  {ratio:.2f}x baseline  errors {result.errors}"
            )

        post, alone = self.post_with_replica, self.post_primary
        return "\n".join(
            [
                "replicas: GET /api/v1/statuses/:id, primary + streaming replica on this machine",
                line("baseline (primary)", self.get_baseline),
                line("tootlog, reads from the primary", self.get_primary),
                line("tootlog, reads from the replica", self.get_replica),
                f"  transactions on the replica during that run: {self.replica_transactions}"
                f" ({self.get_replica.requests} requests)",
                f"replicas: POST /api/v1/statuses without replicas: {alone.requests_per_second:.0f}"
                f" req/s, p50 {alone.p50_ms:.2f} ms, errors {alone.errors}",
                f"replicas: POST /api/v1/statuses with the replica: {post.requests_per_second:.0f}"
                f" req/s, p50 {post.p50_ms:.2f} ms, errors {post.errors}; replica lag"
                f" p50 {self.lag_p50_s:.3f} s, max {self.lag_max_s:.3f} s"
                f" ({self.lag_samples} samples of /ready)",
            ]
        )


@dataclass(frozen=True)
class Harness:
    """What bench/run.py runs servers and commands with."""

    serve: Serve
    cli: Cli
    tootlog_command: list[str]
    baseline_command: list[str]
    wrk_scripts: Path


def run(load: Load, harness: Harness, results: Path) -> None:
    """Measure and report, when this machine has the PostgreSQL server binaries."""
    reason = clusters.missing()
    if reason:
        print(f"bench: replicas: skipped, {reason}", file=sys.stderr)
        return
    results.mkdir(exist_ok=True)
    figures = measure(load, harness)
    print(figures.render())
    (results / "replicas.json").write_text(json.dumps(asdict(figures), indent=2))


def measure(load: Load, harness: Harness) -> ReplicaFigures:
    """Make the clusters, start the three servers, load each in turn; stop and delete it all."""
    serve, cli = harness.serve, harness.cli
    wrk = ensure_wrk()
    with clusters.primary_and_replica() as made:
        database = made.primary.url()
        env = {
            **os.environ,
            "DATABASE_URL": database,
            "TOOTLOG_DOMAIN": "bench.example",
            "TOOTLOG_RATE_LIMIT": "1000000000",
            "TOOTLOG_STATUSES_LIMIT": "1000000000",
            "TOOTLOG_CARDS": "0",
            "TOOTLOG_SCHEDULER": "0",
        }
        cli(env, "migrate")
        cli(env, "accounts", "create", "benchuser")
        token = cli(env, "tokens", "create", "benchuser", "--scopes", "read write")
        with serve("tootlog", harness.tootlog_command, env) as tootlog:
            status = baseline_copy.post_status(tootlog, token)
            status_id = json.loads(status)["id"]
            replica_env = {
                **env,
                "TOOTLOG_WORKER": "0",
                "TOOTLOG_READ_DATABASE_URL": made.replica.url(),
            }
            with (
                serve("baseline", harness.baseline_command, env) as baseline,
                serve("tootlog-replica", harness.tootlog_command, replica_env) as replicated,
            ):
                postgres.execute(database, INSERT_STATUS, (int(status_id), status))
                made.wait_for_replay()
                path = f"/api/v1/statuses/{status_id}"
                get, served = {}, {}
                for name, server in (
                    ("baseline", baseline),
                    ("primary", tootlog),
                    ("replica", replicated),
                ):
                    url = server.base_url + path
                    run_wrk(wrk, url, load, load.warmup or 1, None, [])
                    before = made.replica.execute(REPLICA_COMMITS)[0][0]
                    get[name] = run_wrk(wrk, url, load, load.duration, None, [])
                    served[name] = made.replica.execute(REPLICA_COMMITS)[0][0] - before
                posts, script = "/api/v1/statuses", harness.wrk_scripts / "post_status.lua"
                alone = run_wrk(wrk, tootlog.base_url + posts, load, load.duration, script, [token])
                sampler = LagSampler(replicated)
                sampler.start()
                url = replicated.base_url + posts
                post = run_wrk(wrk, url, load, load.duration, script, [token])
                lags = sampler.finish()
    return ReplicaFigures(
        get_baseline=get["baseline"],
        get_primary=get["primary"],
        get_replica=get["replica"],
        replica_transactions=served["replica"],
        post_primary=alone,
        post_with_replica=post,
        lag_p50_s=statistics.median(lags) if lags else -1.0,
        lag_max_s=max(lags) if lags else -1.0,
        lag_samples=len(lags),
    )


class LagSampler(threading.Thread):
    """Reads the replica's lag from a server's /ready every LAG_SAMPLE_INTERVAL."""

    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.url = server.base_url + "/ready"
        self.lags: list[float] = []
        self._finished = threading.Event()

    def run(self) -> None:
        while not self._finished.wait(LAG_SAMPLE_INTERVAL):
            try:
                with urllib.request.urlopen(self.url, timeout=2) as answer:
                    lag = json.load(answer)["replicas"][0]["lag_seconds"]
            except (OSError, ValueError, KeyError):
                continue
            if lag is not None:
                self.lags.append(lag)

    def finish(self) -> list[float]:
        self._finished.set()
        self.join()
        return self.lags
