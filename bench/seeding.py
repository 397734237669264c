"""What `make bench` writes before it measures: tootlog's bench account and token, the social
scenarios' thread and reblogs (bench/seed.py), the home timeline's statuses and follows and the
famous account's followers (bench/home_seed.py); and the tootlog command line they use."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bench import home_seed, seed
from bench.errors import BenchError
from domain.urls import Urls

ROOT = Path(__file__).resolve().parent.parent
TOOTLOG = Path(sys.executable).with_name("tootlog")
USERNAME = "benchuser"
FAMOUS = "famous"  # the author with home_seed.FANS followers (post_status_fanout)
DOMAIN = "bench.example"


def tootlog_env(database: str) -> dict[str, str]:
    """The environment tootlog is benchmarked in."""
    return {
        **os.environ,
        "DATABASE_URL": database,
        "TOOTLOG_DOMAIN": DOMAIN,
        # The throttle stays on (its cost is measured) with a limit the load never reaches.
        "TOOTLOG_RATE_LIMIT": "1000000000",
        "TOOTLOG_STATUSES_LIMIT": "1000000000",
    }


def seed_tootlog(env: dict[str, str]) -> str:
    """Migrate, create the bench account, and return a read+write bearer token for it."""
    tootlog_cli(env, "migrate")
    tootlog_cli(env, "accounts", "create", USERNAME)
    return tootlog_cli(env, "tokens", "create", USERNAME, "--scopes", "read write")


def seed_social(database: str, *, thread: bool, reblogs: bool) -> seed.SocialSeed:
    """Write what the social scenarios read through tootlog's commands (see bench/seed.py)."""
    if not (thread or reblogs):
        return seed.SocialSeed(thread_id=0, reblogged_id=0, position=0)
    what = " and ".join(
        name
        for name, wanted in (
            (f"a {seed.THREAD_DESCENDANTS}-reply thread", thread),
            (f"{seed.REBLOGGERS} reblogs", reblogs),
        )
        if wanted
    )
    progress(f"seeding {what} through tootlog's commands")
    started = time.monotonic()
    social = seed.seed_social(database, Urls(DOMAIN), USERNAME, thread=thread, reblogs=reblogs)
    progress(f"seeded {social.position} events in {time.monotonic() - started:.0f}s")
    return social


def seed_home(database: str, home: bool, fans: bool, statuses: int) -> home_seed.HomeSeed:
    """Write the home timeline's statuses and follows and the famous account's followers."""
    if not (home or fans):
        return home_seed.HomeSeed(0)
    what = []
    if home:
        what.append(f"{statuses:,} statuses by {home_seed.HOME_AUTHORS:,} authors")
    if fans:
        what.append(f"{home_seed.FANS:,} followers of {FAMOUS}")
    progress(f"seeding {' and '.join(what)} through the event store")
    started = time.monotonic()
    seeded = home_seed.seed_home(
        database,
        USERNAME,
        statuses=statuses if home else 0,
        famous_username=FAMOUS if fans else None,
    )
    progress(f"seeded up to position {seeded.position} in {time.monotonic() - started:.0f}s")
    return seeded


def tootlog_cli(env: dict[str, str], *args: str) -> str:
    """Run `tootlog ARGS...` and return what it printed on stdout."""
    finished = subprocess.run(
        [str(TOOTLOG), *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if finished.returncode != 0:
        raise BenchError(f"tootlog {' '.join(args)} failed:\n{finished.stderr}")
    return finished.stdout.strip()


def progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)
