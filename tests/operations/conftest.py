"""The operator's commands, run as an operator runs them: `tootlog ...` in a subprocess, against a
server's database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support import TEST_DOMAIN

ROOT = Path(__file__).resolve().parents[2]


def tootlog(database_url: str, *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess:
    """`tootlog ARGS` with the server's settings; stdout and stderr captured as text."""
    env = {**os.environ, "DATABASE_URL": database_url, "TOOTLOG_DOMAIN": TEST_DOMAIN}
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
