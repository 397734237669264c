"""The streaming API under load: one `tootlog serve` holding 1,000 streaming connections.

1. Memory: the API process's RSS before and after opening `--connections` connections (half
   WebSocket, half SSE), each on a stream nothing is posted to (`user` streams of an account
   nobody follows and that never posts, `hashtag` streams of an unused tag): the cost of an idle
   connection.
2. Latency: while those connections stay open, an author posts at a steady rate (`--rate` per
   second for `--seconds`); two probe connections (a WebSocket on `public`, an SSE `user` stream
   of a follower) time each post from the POST's 200 to its `update` frame. A frame that arrives
   before the 200 counts as 0 ms (the hub and the POST wake on the same NOTIFY).
3. With `--busy`, the same again with every connection on the `public` stream, so every post
   is written to all of them, and the latency over every delivery.

    DATABASE_URL=postgresql://... .venv/bin/python -m bench.streaming [--busy]
    make bench BENCH_ARGS="--only streaming"

Figures go to bench/results/streaming.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx
import orjson
from websockets.asyncio.client import connect

from bench import postgres, servers

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
# `python -m api.cli` from the checkout (not an installed `tootlog` that may be another tree's).
TOOTLOG = [sys.executable, "-m", "api.cli"]
TARGET_P99_MS = 100.0


@dataclass
class StreamingFigures:
    connections: int = 0
    rss_before_mb: float = 0.0
    rss_after_mb: float = 0.0
    posts: int = 0
    idle_latency_ms: list[float] = field(default_factory=list)  # both probes
    public_latency_ms: list[float] = field(default_factory=list)  # the WebSocket on `public`
    user_latency_ms: list[float] = field(default_factory=list)  # the SSE `user` stream
    busy_connections: int = 0
    busy_deliveries: int = 0
    busy_latency_ms: list[float] = field(default_factory=list)
    missing: int = 0  # expected frames that never came
    idle_cpu_ms_per_post: float = 0.0  # the API process's CPU while posting, per post
    busy_cpu_ms_per_post: float = 0.0

    @property
    def kb_per_connection(self) -> float:
        return (self.rss_after_mb - self.rss_before_mb) * 1024 / max(self.connections, 1)

    def render(self) -> str:
        lines = [
            f"streaming: {self.connections} idle connections: RSS {self.rss_before_mb:.1f} MB ->"
            f" {self.rss_after_mb:.1f} MB, {self.kb_per_connection:.1f} KiB per connection",
            "  " + _latency("post -> update frame (2 probes)", self.idle_latency_ms),
            "    " + _latency("WebSocket `public`", self.public_latency_ms),
            "    " + _latency("SSE `user` (after the feed step)", self.user_latency_ms),
            f"  API process CPU per post: {self.idle_cpu_ms_per_post:.1f} ms",
        ]
        if self.busy_latency_ms:
            lines.append(
                "  "
                + _latency(
                    f"every post to all {self.busy_connections} connections"
                    f" ({self.busy_deliveries} frames)",
                    self.busy_latency_ms,
                )
            )
            lines.append(f"  API process CPU per post: {self.busy_cpu_ms_per_post:.1f} ms")
        lines.append(f"  frames that never came: {self.missing}")
        return "\n".join(lines)


def _latency(what: str, values: list[float]) -> str:
    if not values:
        return f"{what}: no frames"
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    verdict = "met" if p99 < TARGET_P99_MS else "missed"
    return (
        f"{what}: p50 {statistics.median(ordered):.1f} ms, p99 {p99:.1f} ms,"
        f" max {ordered[-1]:.1f} ms (target p99 < {TARGET_P99_MS:.0f} ms: {verdict})"
    )


class Arrivals:
    """When each connection saw each status id (monotonic seconds)."""

    def __init__(self) -> None:
        self.seen: dict[str, list[float]] = {}

    def record(self, status_id: str) -> None:
        self.seen.setdefault(status_id, []).append(time.monotonic())


async def _websocket(url: str, token: str, stream: dict, arrivals: Arrivals | None) -> None:
    async with connect(url, additional_headers={"Authorization": f"Bearer {token}"}) as ws:
        await ws.send(orjson.dumps({"type": "subscribe", **stream}).decode())
        async for message in ws:
            frame = orjson.loads(message)
            if arrivals is not None and frame.get("event") == "update":
                arrivals.record(orjson.loads(frame["payload"])["id"])


async def _sse(port: int, path: str, token: str, arrivals: Arrivals | None) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        "Accept: text/event-stream\r\n\r\n".encode()
    )
    await writer.drain()
    event = ""
    try:
        while line := await reader.readline():
            if line.startswith(b"event: "):
                event = line[7:].strip().decode()
            elif line.startswith(b"data: ") and event == "update" and arrivals is not None:
                arrivals.record(orjson.loads(line[6:])["id"])
    finally:
        writer.close()


async def _open(tasks: list[asyncio.Task], count: int, factory) -> None:  # noqa: ANN001
    for index in range(count):
        tasks.append(asyncio.create_task(factory(index)))
        if index % 50 == 49:
            await asyncio.sleep(0.05)  # let the server keep up with the handshakes


async def _post_steadily(
    base_url: str, token: str, rate: float, seconds: float, answered: dict[str, float]
) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        start = time.monotonic()
        for index in range(int(rate * seconds)):
            await asyncio.sleep(max(0.0, start + index / rate - time.monotonic()))
            response = await client.post(
                "/api/v1/statuses",
                data={"status": f"bench post {index}"},
                headers={"Authorization": f"Bearer {token}"},
            )
            response.raise_for_status()
            answered[response.json()["id"]] = time.monotonic()


def _latencies(answered: dict[str, float], arrivals: Arrivals, expected: int) -> tuple:
    values, missing = [], 0
    for status_id, at in answered.items():
        seen = arrivals.seen.get(status_id, [])
        missing += expected - len(seen)
        values += [max(0.0, (when - at) * 1000) for when in seen]
    return values, missing


async def _measure(server: servers.Server, tokens: dict[str, str], args) -> StreamingFigures:  # noqa: ANN001
    figures = StreamingFigures(connections=args.connections)
    ws_url = f"ws://127.0.0.1:{server.port}/api/v1/streaming"
    await asyncio.sleep(1.0)
    figures.rss_before_mb = _rss_mb(server.process.pid)
    idle: list[asyncio.Task] = []
    half = args.connections // 2

    def idle_connection(index: int):  # noqa: ANN202
        if index < half:
            stream = {"stream": "user"} if index % 2 else {"stream": "hashtag", "tag": "unused"}
            return _websocket(ws_url, tokens["idle"], stream, None)
        path = "/api/v1/streaming/user" if index % 2 else "/api/v1/streaming/hashtag?tag=unused"
        return _sse(server.port, path, tokens["idle"], None)

    await _open(idle, args.connections, idle_connection)
    await asyncio.sleep(3.0)
    assert not any(task.done() for task in idle), "an idle connection ended"
    figures.rss_after_mb = _rss_mb(server.process.pid)
    public, user = Arrivals(), Arrivals()
    reader = tokens["reader"]
    probes = [
        asyncio.create_task(_websocket(ws_url, reader, {"stream": "public"}, public)),
        asyncio.create_task(_sse(server.port, "/api/v1/streaming/user", reader, user)),
    ]
    await asyncio.sleep(1.0)
    answered: dict[str, float] = {}
    cpu = _cpu_seconds(server.process.pid)
    await _post_steadily(server.base_url, tokens["poster"], args.rate, args.seconds, answered)
    await asyncio.sleep(2.0)
    figures.idle_cpu_ms_per_post = (_cpu_seconds(server.process.pid) - cpu) * 1000 / len(answered)
    figures.posts = len(answered)
    figures.public_latency_ms, missing_public = _latencies(answered, public, 1)
    figures.user_latency_ms, missing_user = _latencies(answered, user, 1)
    figures.idle_latency_ms = figures.public_latency_ms + figures.user_latency_ms
    figures.missing = missing_public + missing_user
    for task in [*idle, *probes]:
        task.cancel()
    await asyncio.gather(*idle, *probes, return_exceptions=True)
    if args.busy:
        await _busy(server, tokens, args, figures, ws_url)
    return figures


async def _busy(server, tokens, args, figures: StreamingFigures, ws_url: str) -> None:  # noqa: ANN001
    arrivals = Arrivals()
    busy: list[asyncio.Task] = []

    def busy_connection(index: int):  # noqa: ANN202
        if index % 2:
            return _websocket(ws_url, tokens["idle"], {"stream": "public"}, arrivals)
        return _sse(server.port, "/api/v1/streaming/public", tokens["idle"], arrivals)

    await _open(busy, args.connections, busy_connection)
    await asyncio.sleep(3.0)
    answered: dict[str, float] = {}
    cpu = _cpu_seconds(server.process.pid)
    await _post_steadily(server.base_url, tokens["poster"], args.rate, args.seconds, answered)
    await asyncio.sleep(3.0)
    figures.busy_cpu_ms_per_post = (_cpu_seconds(server.process.pid) - cpu) * 1000 / len(answered)
    values, missing = _latencies(answered, arrivals, args.connections)
    figures.busy_connections = args.connections
    figures.busy_deliveries = len(values)
    figures.busy_latency_ms = values
    figures.missing += missing
    for task in busy:
        task.cancel()
    await asyncio.gather(*busy, return_exceptions=True)


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU of the process (not its children: the projection worker)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([*TOOTLOG, *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"tootlog {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout.strip()


def measure(server_url: str, args: argparse.Namespace) -> StreamingFigures:
    """Run the whole scenario on a scratch database of `server_url`."""
    with (
        postgres.scratch_database(server_url) as database,
        tempfile.TemporaryDirectory(prefix="tootlog-bench-streaming-") as data,
    ):
        port = servers.free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database,
            "TOOTLOG_DOMAIN": f"127.0.0.1:{port}",
            "TOOTLOG_SCHEME": "http",
            "TOOTLOG_DATA_DIR": data,
            "TOOTLOG_RATE_LIMIT": "0",
            "TOOTLOG_STATUSES_LIMIT": "0",  # the author posts 400 times
            "TOOTLOG_CARDS": "0",
            "TOOTLOG_SCHEDULER": "0",
        }
        _cli(env, "migrate")
        tokens = {}
        for name in ("poster", "reader", "idle"):
            _cli(env, "accounts", "create", name)
            tokens[name] = _cli(env, "tokens", "create", name, "--scopes", "read write follow")
        RESULTS.mkdir(exist_ok=True)
        command = [*TOOTLOG, "serve", "--port", str(port)]
        log = RESULTS / "streaming-serve.log"
        with servers.running("tootlog", command, env, port, log, cwd=ROOT) as server:
            headers = {"Authorization": f"Bearer {tokens['reader']}"}
            poster = httpx.get(
                f"{server.base_url}/api/v1/accounts/lookup", params={"acct": "poster"}
            ).json()
            httpx.post(
                f"{server.base_url}/api/v1/accounts/{poster['id']}/follow", headers=headers
            ).raise_for_status()
            return asyncio.run(_measure(server, tokens, args))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.streaming", description=__doc__)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=10.0, help="posts per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds of posting")
    parser.add_argument("--busy", action="store_true", help="also every connection on public")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with postgres.server_url() as server_url:
        figures = measure(server_url, args)
    print(figures.render())
    (RESULTS / "streaming.json").write_text(json.dumps(asdict(figures), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
