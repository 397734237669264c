"""The baseline app in N processes laid out as `tootlog serve --workers N` lays out its API
(api/processes.py: a socket of each process's own, bound with SO_REUSEPORT), so that the two are
compared with the same process layout: `python -m bench.baseline_processes --workers N --port P`.
uvicorn's own `--workers` shares one socket, which one process drains (README, "Processes").
"""

from __future__ import annotations

import argparse

from api.processes import ApiProcesses


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.baseline_processes")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    # As run.BASELINE runs it: uvloop, httptools, no access log.
    options = {
        "host": "127.0.0.1",
        "port": args.port,
        "loop": "uvloop",
        "http": "httptools",
        "access_log": False,
        "log_level": "warning",
    }
    ApiProcesses(args.workers, "bench.baseline:app", options).run()


if __name__ == "__main__":
    main()
