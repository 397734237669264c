"""Looking at a running layout of tootlog processes from outside: which process is which, and
which API process served a connection (read from /proc, so nothing is added to the answers)."""

from __future__ import annotations

import http.client
import os
import time
from pathlib import Path

from tests.support import LiveServer


def process_table() -> dict[int, tuple[int, list[bytes]]]:
    """Every live (not zombie) process: its parent's id and its arguments."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
            argv = (stat.parent / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue  # the process ended while we looked
        if fields[0] != "Z":
            table[int(stat.parent.name)] = (int(fields[1]), argv)
    return table


def descendants(pid: int, marker: bytes) -> set[int]:
    """Live processes under `pid` (children, grandchildren...) whose command line holds
    `marker` in one of its arguments."""
    table = process_table()
    found = set()
    for child, (parent, argv) in table.items():
        while parent in table and parent != pid:
            parent = table[parent][0]
        if parent == pid and any(marker in arg for arg in argv):
            found.add(child)
    return found


def api_processes(server: LiveServer) -> set[int]:
    """The API processes uvicorn started for `serve --workers N` / `api --workers N`."""
    return descendants(server.process.pid, b"spawn_main")


def serving_pid(connection: http.client.HTTPConnection, candidates: set[int]) -> int:
    """Which of `candidates` holds the server side of an open `connection`."""
    client_port = connection.sock.getsockname()[1]
    server_port = connection.port
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        local_port = int(parts[1].rsplit(":", 1)[1], 16)
        remote_port = int(parts[2].rsplit(":", 1)[1], 16)
        if local_port == server_port and remote_port == client_port:
            inode = parts[9]
    assert inode is not None, "no server side for this connection"
    for pid in candidates:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    raise AssertionError("no API process holds this connection")


def request(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    token: str | None = None,
    body: str | None = None,
) -> http.client.HTTPResponse:
    """One request on a kept-alive connection; the answer, read whole (`.data`)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    answer = connection.getresponse()
    answer.data = answer.read()  # type: ignore[attr-defined]
    return answer


def connections_on_each(
    server: LiveServer, per_process: int, token: str | None = None
) -> dict[int, list[http.client.HTTPConnection]]:
    """Open connections until each API process holds `per_process` of them (each has served
    one GET /api/v1/instance, counted like any other request)."""
    pids = api_processes(server)
    held: dict[int, list[http.client.HTTPConnection]] = {pid: [] for pid in pids}
    deadline = time.monotonic() + 30
    while any(len(conns) < per_process for conns in held.values()):
        assert time.monotonic() < deadline, f"connections never reached every process: {held}"
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        request(connection, "GET", "/api/v1/instance", token)
        pid = serving_pid(connection, pids)
        if len(held[pid]) < per_process:
            held[pid].append(connection)
        else:
            connection.close()
    return held
