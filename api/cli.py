"""The `tootlog` command: serve, api, project, cards, schedule, migrate, accounts create, tokens
create; and the operator's replay, rebuild and verify (api/operations).

Each command imports what it runs when it runs (a replay needs neither the server nor the write
model), so `tootlog --help` and the operator's commands start in a fraction of the time that
importing everything took."""

from __future__ import annotations

import argparse
import contextlib
import logging
import secrets
import shlex
import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

import psycopg
from eventsourcing.persistence import OperationalError as LibraryOperationalError

from api.config import Settings, log_format
from api.log_format import TEXT_FORMAT, use_log_format
from api.operations import accounts, rebuild, replay
from api.operations.common import CommandError, database, positive, say
from api.worker_process import stop_when_stdin_closes
from domain.errors import DomainError, NotFound
from projections.errors import Busy, UnknownStatus, UrlsMismatch

if TYPE_CHECKING:
    from projections.worker import ProjectionWorker

DEMO_USERNAME = "demo"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format=TEXT_FORMAT)
    logging.getLogger("psycopg.pool").setLevel(logging.WARNING)
    if not args.verbose:
        # Quiet unless asked: the embedded PostgreSQL logs every command it runs.
        logging.getLogger("pgserver").setLevel(logging.WARNING)
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    use_log_format(log_format())  # every tootlog process: serve, its worker, the commands
    try:
        return args.handler(args)
    except DomainError as error:
        message = "not found" if isinstance(error, NotFound) else str(error)
        print(f"tootlog: {message}", file=sys.stderr)
        return 1
    except (CommandError, Busy, UnknownStatus, UrlsMismatch) as error:
        print(f"tootlog: {error}", file=sys.stderr)
        return 1
    except (psycopg.OperationalError, LibraryOperationalError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"tootlog: the database cannot be reached: {reason}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("tootlog: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `tootlog replay | head`
        sys.stderr.close()
        return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tootlog",
        description="An event-sourced backend for Mastodon's API: run the server, manage"
        " accounts and tokens, and replay, rebuild and verify the read models from the log."
        " Every command uses DATABASE_URL, or (unset) the embedded PostgreSQL under"
        " TOOTLOG_DATA_DIR, and says which on standard error.",
        epilog="Each command has its own help: tootlog COMMAND --help.",
    )
    parser.add_argument("--version", action="version", version=f"tootlog {_version()}")
    parser.add_argument(
        "--verbose", action="store_true", help="log what the embedded PostgreSQL and tootlog do"
    )
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = sub.add_parser(
        "serve", help="run the HTTP API and the projection, card and scheduler processes"
    )
    _listen_arguments(serve)
    serve.set_defaults(handler=cmd_serve)

    api = sub.add_parser(
        "api", help="run only the HTTP API processes (no projection, card or scheduler worker)"
    )
    _listen_arguments(api)
    api.set_defaults(handler=cmd_api)

    project = sub.add_parser("project", help="run a projection worker on its own")
    project.add_argument(
        "--schedule",
        action="store_true",
        help="also run the scheduler (poll expiry, scheduled statuses) in this process, as"
        " `tootlog schedule` would: one per database works, others stand by",
    )
    # Set by `serve` for the worker it supervises: stop when serve is gone.
    project.add_argument("--supervised", action="store_true", help=argparse.SUPPRESS)
    project.set_defaults(handler=cmd_project)

    cards = sub.add_parser("cards", help="run the link preview card worker on its own")
    cards.add_argument("--supervised", action="store_true", help=argparse.SUPPRESS)
    cards.set_defaults(handler=cmd_cards)

    schedule = sub.add_parser(
        "schedule", help="run the scheduler (poll expiry, scheduled statuses) on its own"
    )
    schedule.add_argument("--supervised", action="store_true", help=argparse.SUPPRESS)
    schedule.set_defaults(handler=cmd_schedule)

    migrate = sub.add_parser("migrate", help="create the event store and read-model tables")
    migrate.set_defaults(handler=cmd_migrate)

    accounts.add_parsers(sub)
    replay.add_parser(sub)
    rebuild.add_parsers(sub)
    return parser


_database = database


def _listen_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default %(default)s)"
    )
    parser.add_argument("--port", type=int, default=8000, help="port (default %(default)s)")
    parser.add_argument(
        "--workers",
        type=positive,
        default=1,
        help="API processes sharing the port (default %(default)s)",
    )


def _version() -> str:
    try:
        return version("tootlog")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def _migrated(settings: Settings, url: str) -> ProjectionWorker:
    from projections.rebuild import prepare
    from projections.worker import ProjectionWorker

    read_model_url = settings.read_model_url(url)
    prepare(url, settings.urls, read_model_url=read_model_url)
    return ProjectionWorker(
        url,
        settings.urls,
        batch_size=settings.projection_batch_size,
        read_model_url=read_model_url,
    )


def cmd_migrate(args: argparse.Namespace) -> int:
    settings, url, _ = _database()
    _migrated(settings, url).close()
    print("tables are in place")
    return 0


def cmd_project(args: argparse.Namespace) -> int:
    settings, url, _ = _database()
    worker = _migrated(settings, url)
    stop = _stop_event(args.supervised)
    with _scheduling(settings, url, stop, args.schedule):
        worker.run(stop)
    worker.close()
    return 0


def cmd_cards(args: argparse.Namespace) -> int:
    from api.cards.command import run_card_worker

    settings, url, _ = _database()
    _migrated(settings, url).close()
    return run_card_worker(url, settings.urls, supervised=args.supervised)


def cmd_schedule(args: argparse.Namespace) -> int:
    settings, url, _ = _database()
    _migrated(settings, url).close()
    stop = _stop_event(args.supervised)
    with _scheduling(settings, url, stop, True):
        stop.wait()
    return 0


def _stop_event(supervised: bool) -> threading.Event:
    """Set on SIGINT or SIGTERM, or (supervised) once the supervising serve is gone."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    if supervised:
        stop_when_stdin_closes(stop)
    return stop


@contextlib.contextmanager
def _scheduling(
    settings: Settings, url: str, stop: threading.Event, wanted: bool
) -> Iterator[None]:
    """Run the scheduler in a thread of this process (if `wanted`) until `stop` is set and the
    block has ended: a thread, not a process of its own, since it only looks at what is due
    once a second, and a Python process costs about 50 MB (docs/operations.md)."""
    if not wanted:
        yield
        return
    from api.scheduling import scheduler_for

    scheduler = scheduler_for(settings, url)
    thread = threading.Thread(target=scheduler.run, args=(stop,), name="scheduler", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)
        scheduler.close()


def cmd_serve(args: argparse.Namespace) -> int:
    from api import processes  # uvicorn: only for the commands that serve

    settings, url, embedded = _database(args.port)
    _migrated(settings, url).close()
    _exit_on_sigterm()
    _greet(settings, url, embedded, args.host, args.port)
    processes.serve(
        settings,
        url,
        host=args.host,
        port=args.port,
        workers=args.workers,
        background=processes.background_processes(settings, url),
    )
    return 0


def cmd_api(args: argparse.Namespace) -> int:
    from api import processes

    settings, url, _ = _database(args.port)
    _migrated(settings, url).close()
    _exit_on_sigterm()
    say(f"API processes ({args.workers}) serving http://{args.host}:{args.port}")
    processes.run_api(settings, url, host=args.host, port=args.port, workers=args.workers)
    return 0


def _exit_on_sigterm() -> None:
    """uvicorn shuts down on SIGTERM, then raises it again with the handler it found here: by
    default that kills the process before exit hooks run, which left the embedded PostgreSQL
    running (and the worker processes). Exiting instead lets them stop it."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


def _greet(settings: Settings, url: str, embedded: bool, host: str, port: int) -> None:
    """Say where the server listens and how to start using it; on the first start of an empty
    embedded database, create the demo account (with an e-mail address, a password and a
    token, so that a client can log in and a script can post) and print its credentials."""
    base = f"http://{host}:{port}"
    lines = [f"tootlog is serving {base} (Ctrl-C stops it)."]
    demo = _demo_account(url) if embedded else None
    if demo is not None:
        email, password, token = demo
        lines += [
            f"Created the demo account @{DEMO_USERNAME}: e-mail {email}, password {password}",
            "Log in with a client, e.g. the toot command line:",
            f"  toot login_cli --instance {base} --email {email} --password {password}",
            f"Or post with its bearer token:\n  {token}",
            f"  curl -H {shlex.quote('Authorization: Bearer ' + token)}"
            f" -d status='Hello from tootlog' {base}/api/v1/statuses",
        ]
    elif embedded:
        lines.append(
            f"A new token for @{DEMO_USERNAME} (password as printed at the first start):"
            f" tootlog tokens create {DEMO_USERNAME}"
        )
    if log_format() == "json":
        say("\n".join(lines))
    else:
        print("\n".join(lines) + "\n", flush=True)


def _demo_account(url: str) -> tuple[str, str, str] | None:
    """(e-mail, password, token) of a new demo account, or None when the database is not
    empty (the demo account was made at the first start)."""
    from commands.accounts import issue_token, register_account
    from commands.app import TootlogApplication

    write_model = TootlogApplication(url, pool_size=1)
    try:
        if write_model.last_position() > 0:
            return None
        email = f"{DEMO_USERNAME}@tootlog.localhost"
        password = secrets.token_urlsafe(12)
        account = register_account(
            write_model, DEMO_USERNAME, email=email, password=password, display_name="Demo"
        )
        token, _ = issue_token(write_model, account.id, "read write follow")
    finally:
        write_model.close()
    return email, password, token


if __name__ == "__main__":
    sys.exit(main())
