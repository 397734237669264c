"""The log as a product, measured: rebuild throughput beside the raw read speed of the same log
(read as the rebuild reads it, binary tuples in pages, the fastest way in; and, for comparison,
through the event store library's own page query, which runs before 2026-12-06 05:00 reported as
the raw read), peak memory of the rebuild, and `tootlog replay --status/--account` on that log;
and, as a floor under the rebuild, how long PostgreSQL takes merely to store the rows it ended
with (bench/write_floor.py).

The log (1,000,000 events by default, bench/eventlog.py) lives in a database of its own,
`tootlog_bench_log_<events>`, kept between runs: writing it takes a minute or two, and it is the
same log every time (a fixed seed). Each run rebuilds its read models from scratch.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psycopg
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from bench import eventlog, postgres, write_floor
from domain.codec import make_mapper
from projections.datastore import datastore_for
from projections.history import events_after
from projections.schema import EVENTS_TABLE
from projections.worker import READ_PAGE, few_collections

TOOTLOG = Path(sys.executable).with_name("tootlog")
DOMAIN = "bench.example"
TARGET_EVENTS_PER_SECOND = 50_000
TARGET_RAW_RATIO = 0.25
TARGET_RSS_MB = 300
TARGET_REPLAY_SECONDS = 1.0


@dataclass
class LogFigures:
    events: int
    raw_read_per_s: float  # rows read in pages as the rebuild reads them, not decoded
    decoded_read_per_s: float  # the same, and decoded into domain events as the rebuild does
    library_read_per_s: float  # rows read by the event store library's page query
    rebuild_per_s: float
    rebuild_seconds: float
    rebuild_peak_rss_mb: float
    rebuild_pg_cpu_s: float | None
    replay_status_s: float
    replay_status_events: int
    replay_account_s: float
    replay_account_events: int
    floor: write_floor.WriteFloor
    # events/s over each quarter of the log, from the rebuild's progress lines (the cost per
    # event along the log: the generated social graph grows as it goes)
    rebuild_quarters: list[float]

    @property
    def raw_ratio(self) -> float:
        return self.rebuild_per_s / self.raw_read_per_s


# `tootlog rebuild`'s plain progress line (api/operations/progress.py), printed every 2 s.
PROGRESS_LINE = re.compile(r"position ([\d,]+) of ([\d,]+) .*?, ([\d,]+) events, ([\d,]+) events/s")


def quarter_rates(progress: str) -> list[float]:
    """Events/s over each quarter of the log, from a rebuild's plain progress lines: each line
    gives the events applied so far and their mean rate, hence the time since the start; a
    quarter's rate is the events between the lines nearest its ends over the time between
    them. Fewer than four when the lines do not reach every quarter."""
    points = [(0, 0, 0.0)]  # (position, events, seconds)
    target = 0
    for match in PROGRESS_LINE.finditer(progress):
        position, target, events, rate = (int(g.replace(",", "")) for g in match.groups())
        if rate:
            points.append((position, events, events / rate))
    bounds = [min(points, key=lambda p: abs(p[0] - target * q / 4)) for q in range(5)]
    rates = []
    for start, end in itertools.pairwise(bounds):
        if end[2] <= start[2]:
            break
        rates.append((end[1] - start[1]) / (end[2] - start[2]))
    return rates


def _progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def log_database(server: str, events: int) -> tuple[str, int, int]:
    """The URL of a database holding a generated log of `events` events (written if missing),
    a busy status's id and a busy account's id."""
    name = f"tootlog_bench_log_{events}"
    params = conninfo_to_dict(server)
    params["dbname"] = name
    url = make_conninfo(**params)
    with psycopg.connect(server, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists:
            with psycopg.connect(url) as log:
                meta = (
                    log.execute(
                        "SELECT status_id, account_id FROM bench_log WHERE events >= %s", (events,)
                    ).fetchone()
                    if _has_meta(log)
                    else None
                )
            if meta:
                return url, meta[0], meta[1]
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    _progress(f"writing a log of {events:,} events (kept for the next runs)")
    started = time.monotonic()
    stats = eventlog.generate(url, events)
    _progress(f"wrote {stats.events:,} events in {time.monotonic() - started:.0f} s: {stats}")
    with psycopg.connect(url) as log:
        account = log.execute(
            "SELECT account_id FROM (SELECT convert_from(state, 'UTF8')::json->>'account_id'"
            " AS account_id FROM tootlog_events WHERE topic = 'tootlog.status.published.v1'"
            " LIMIT 20000) AS s GROUP BY account_id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
        log.execute("CREATE TABLE bench_log (events bigint, status_id bigint, account_id bigint)")
        log.execute(
            "INSERT INTO bench_log VALUES (%s, %s, %s)",
            (stats.events, stats.busiest_status, int(account)),
        )
    return url, stats.busiest_status, int(account)


def _has_meta(conn: psycopg.Connection) -> bool:
    return bool(conn.execute("SELECT to_regclass('bench_log') IS NOT NULL").fetchone()[0])


def read_speed(url: str, decode: bool) -> tuple[int, float]:
    """Read every event as the rebuild reads them (projections/history.events_after: binary
    tuples, pages of READ_PAGE) and, if `decode`, decode them as it does (its garbage collector
    setting included); (events, events per second)."""
    mapper = make_mapper()
    count = 0
    after = 0
    with psycopg.connect(url, autocommit=True) as conn, few_collections():
        started = time.monotonic()
        while True:
            page = events_after(conn, after, READ_PAGE)
            if not page:
                break
            if decode:
                decoded = [mapper.decode(row[3], row[4], row[1], row[2]) for row in page]
                del decoded
            count += len(page)
            after = page[-1][0]
        return count, count / (time.monotonic() - started)


def library_read_speed(url: str) -> tuple[int, float]:
    """Read every event through the event store library's own page query (Notification
    objects, the state as hex text), in pages of READ_PAGE; (events, events per second)."""
    datastore = datastore_for(url, pool_size=1)
    recorder = PostgresApplicationRecorder(datastore, events_table_name=EVENTS_TABLE)
    count = 0
    after = 0
    started = time.monotonic()
    try:
        while True:
            page = recorder.select_notifications(after, READ_PAGE, inclusive_of_start=False)
            if not page:
                break
            count += len(page)
            after = page[-1].id
    finally:
        datastore.close()
    return count, count / (time.monotonic() - started)


def _run(env: dict[str, str], *args: str) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run `tootlog ARGS`; (result, wall seconds, the child's own peak RSS in MB)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.monotonic()
        process = subprocess.Popen([str(TOOTLOG), *args], env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        result = subprocess.CompletedProcess(
            process.args, os.waitstatus_to_exitcode(status), out.read(), err.read()
        )
    return result, wall, usage.ru_maxrss / 1024


class BackendCpu:
    """CPU seconds used by PostgreSQL backends of one database while something runs: their
    processes are sampled, since a backend's counters go with it when it exits."""

    def __init__(self, database: str) -> None:
        self.database = database
        self._seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> BackendCpu:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def seconds(self) -> float:
        return sum(self._seen.values())

    def _sample(self) -> None:
        ticks = os.sysconf("SC_CLK_TCK")
        while not self._stop.wait(0.2):
            for proc in Path("/proc").iterdir():
                if not proc.name.isdigit():
                    continue
                try:
                    title = (proc / "cmdline").read_bytes()
                    if not title.startswith(b"postgres:") or self.database.encode() not in title:
                        continue
                    fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                self._seen[int(proc.name)] = (int(fields[11]) + int(fields[12])) / ticks


def measure(server: str, events: int) -> LogFigures:
    url, busy_status, busy_account = log_database(server, events)
    env = {**os.environ, "DATABASE_URL": url, "TOOTLOG_DOMAIN": DOMAIN}
    migrate = subprocess.run([str(TOOTLOG), "migrate"], env=env, capture_output=True, text=True)
    if migrate.returncode != 0:
        raise RuntimeError(migrate.stderr)
    _progress("reading the whole log (raw, then decoded, then through the library)")
    count, raw = read_speed(url, decode=False)
    _, decoded = read_speed(url, decode=True)
    _, library = library_read_speed(url)
    _progress("rebuilding every read model from the log (offline)")
    with BackendCpu(str(conninfo_to_dict(url)["dbname"])) as backends:
        result, _, rss = _run(env, "rebuild", "--offline")
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    rate = float(re.search(r"\(([\d,]+) events/s\)", result.stdout).group(1).replace(",", ""))
    seconds = float(re.search(r" in ([\d.]+) s ", result.stdout).group(1))
    _progress("storing the rebuilt rows again by COPY, with nothing computed (the floor)")
    floor = write_floor.measure(url)
    _progress("replaying one busy status and one busy account")
    status, status_s, _ = _run(env, "replay", "--status", str(busy_status))
    account, account_s, _ = _run(env, "replay", "--account", str(busy_account))
    return LogFigures(
        events=count,
        raw_read_per_s=raw,
        decoded_read_per_s=decoded,
        library_read_per_s=library,
        rebuild_per_s=rate,
        rebuild_seconds=seconds,
        rebuild_peak_rss_mb=rss,
        rebuild_pg_cpu_s=backends.seconds or None,
        replay_status_s=status_s,
        replay_status_events=len(status.stdout.splitlines()),
        replay_account_s=account_s,
        replay_account_events=len(account.stdout.splitlines()),
        floor=floor,
        rebuild_quarters=quarter_rates(result.stderr),
    )


def render(figures: LogFigures) -> str:
    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    f = figures
    rate_ok = verdict(f.rebuild_per_s >= TARGET_EVENTS_PER_SECOND)
    status_ok = verdict(f.replay_status_s < TARGET_REPLAY_SECONDS)
    account_ok = verdict(f.replay_account_s < TARGET_REPLAY_SECONDS)
    lines = [
        f"log: {f.events:,} events (bench/eventlog.py mix), read in pages of {READ_PAGE:,}",
        f"  raw read            {f.raw_read_per_s:>10,.0f} events/s (as the rebuild reads:"
        " binary tuples)",
        f"  read and decode     {f.decoded_read_per_s:>10,.0f} events/s (as the rebuild decodes)",
        f"  library page query  {f.library_read_per_s:>10,.0f} events/s (the raw read of runs"
        " before 2026-12-06 05:00)",
        f"  rebuild (offline)   {f.rebuild_per_s:>10,.0f} events/s in {f.rebuild_seconds:.1f} s"
        f"   target >= {TARGET_EVENTS_PER_SECOND:,}: {rate_ok}",
        f"  rebuild / raw read  {f.raw_ratio:>10.2f}x"
        f"   target >= {TARGET_RAW_RATIO}x ({TARGET_RAW_RATIO * f.raw_read_per_s:,.0f} events/s):"
        f" {verdict(f.raw_ratio >= TARGET_RAW_RATIO)}",
        f"  rebuild peak RSS    {f.rebuild_peak_rss_mb:>10.0f} MB"
        f"   target <= {TARGET_RSS_MB}: {verdict(f.rebuild_peak_rss_mb <= TARGET_RSS_MB)}",
        "  rebuild by quarter  "
        + " / ".join(f"{rate:,.0f}" for rate in f.rebuild_quarters)
        + " events/s (the log's social graph grows along it)",
        "  rebuild PostgreSQL CPU "
        + ("n/a" if f.rebuild_pg_cpu_s is None else f"{f.rebuild_pg_cpu_s:.1f} s"),
        f"  storing its rows    {f.floor.rows:>10,} rows, {f.floor.megabytes:,.0f} MB"
        " by binary COPY, one connection, nothing computed:",
        f"    in event order    {f.floor.event_order_s:>10.1f} s (at most"
        f" {f.events / f.floor.event_order_s:,.0f} events/s; the rebuild took"
        f" {f.rebuild_seconds / f.floor.event_order_s:.1f}x that)",
        f"    in key order      {f.floor.key_order_s:>10.1f} s, indexes after (at most"
        f" {f.events / f.floor.key_order_s:,.0f} events/s)",
        "    slowest tables    "
        + ", ".join(f"{table} {seconds:.1f} s" for table, seconds in f.floor.slowest),
        f"  replay --status     {f.replay_status_s:>10.2f} s, {f.replay_status_events:,} events"
        f"   target < {TARGET_REPLAY_SECONDS} s: {status_ok}",
        f"  replay --account    {f.replay_account_s:>10.2f} s, {f.replay_account_events:,} events"
        f"   target < {TARGET_REPLAY_SECONDS} s: {account_ok}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.log_bench", description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    with postgres.server_url() as server:
        figures = measure(server, args.events)
    print(render(figures))
    print(asdict(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
