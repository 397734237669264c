"""The `tootlog` command: serve, project, cards, migrate, accounts create, tokens create."""

from __future__ import annotations

import argparse
import logging
import shlex
import signal
import sys
import threading

from api.config import Settings
from api.database import resolve_database_url
from api.worker_process import stop_when_stdin_closes
from commands.accounts import account_id_for_username, issue_token, register_account
from commands.app import TootlogApplication
from domain.errors import DomainError, NotFound
from projections.worker import ProjectionWorker, wait_until_applied, worker_is_running

DEMO_USERNAME = "demo"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("psycopg.pool").setLevel(logging.WARNING)
    try:
        return args.handler(args)
    except DomainError as error:
        message = "not found" if isinstance(error, NotFound) else str(error)
        print(f"tootlog: {message}", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tootlog", description=__doc__)
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the HTTP API (and a projection worker process)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    serve.set_defaults(handler=cmd_serve)

    project = sub.add_parser("project", help="run a projection worker on its own")
    # Set by `serve` for the worker it supervises: stop when serve is gone.
    project.add_argument("--supervised", action="store_true", help=argparse.SUPPRESS)
    project.set_defaults(handler=cmd_project)

    cards = sub.add_parser("cards", help="run the link preview card worker on its own")
    cards.add_argument("--supervised", action="store_true", help=argparse.SUPPRESS)
    cards.set_defaults(handler=cmd_cards)

    migrate = sub.add_parser("migrate", help="create the event store and read-model tables")
    migrate.set_defaults(handler=cmd_migrate)

    accounts = sub.add_parser("accounts", help="manage accounts").add_subparsers(required=True)
    create_account = accounts.add_parser("create", help="create an account; prints its id")
    create_account.add_argument("username")
    create_account.add_argument("--email")
    create_account.add_argument("--password")
    create_account.add_argument("--display-name", default="")
    create_account.set_defaults(handler=cmd_accounts_create)

    tokens = sub.add_parser("tokens", help="manage access tokens").add_subparsers(required=True)
    create_token = tokens.add_parser("create", help="issue a token; prints only the token")
    create_token.add_argument("username")
    create_token.add_argument("--scopes", default="read write follow")
    create_token.set_defaults(handler=cmd_tokens_create)
    return parser


def _database(port: int = 8000) -> tuple[Settings, str, bool]:
    settings = Settings.from_env(port)
    url, embedded = resolve_database_url(settings.database_url, settings.data_dir)
    return settings, url, embedded


def _migrated(settings: Settings, url: str) -> ProjectionWorker:
    worker = ProjectionWorker(url, settings.urls, batch_size=settings.projection_batch_size)
    worker.create_tables()
    return worker


def cmd_migrate(args: argparse.Namespace) -> int:
    settings, url, _ = _database()
    _migrated(settings, url).close()
    print("tables are in place")
    return 0


def cmd_project(args: argparse.Namespace) -> int:
    settings, url, _ = _database()
    worker = _migrated(settings, url)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    if args.supervised:
        stop_when_stdin_closes(stop)
    worker.run(stop)
    worker.close()
    return 0


def cmd_cards(args: argparse.Namespace) -> int:
    from api.cards.command import run_card_worker

    settings, url, _ = _database()
    _migrated(settings, url).close()
    return run_card_worker(url, settings.urls, supervised=args.supervised)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app

    settings, url, embedded = _database(args.port)
    worker = _migrated(settings, url)
    worker.close()
    if embedded:
        _greet_with_demo_account(settings, url, args.host, args.port)
    if args.workers > 1:
        raise SystemExit("--workers > 1: run `tootlog project` plus uvicorn api.asgi:app instead")
    # uvicorn shuts down on SIGTERM, then raises it again with the handler it found here: by
    # default that kills the process before exit hooks run, which left the embedded PostgreSQL
    # running. Exiting instead lets them stop it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.run(
        create_app(settings, url),
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
        loop="uvloop",
        http="httptools",
    )
    return 0


def _greet_with_demo_account(settings: Settings, url: str, host: str, port: int) -> None:
    """On the first start of an empty embedded database, create a demo account and say how."""
    write_model = TootlogApplication(url, pool_size=1)
    try:
        if write_model.last_position() > 0:
            return
        account = register_account(write_model, DEMO_USERNAME, display_name="Demo")
        token, _ = issue_token(write_model, account.id, "read write follow")
    finally:
        write_model.close()
    base = f"http://{host}:{port}"
    print(
        f"Created the demo account @{DEMO_USERNAME}. Its bearer token:\n  {token}\n"
        f"Post a status:\n  curl -H {shlex.quote('Authorization: Bearer ' + token)} "
        f"-d status='Hello from tootlog' {base}/api/v1/statuses\n",
        flush=True,
    )


def _with_write_model(url: str, action):  # noqa: ANN001, ANN202
    write_model = TootlogApplication(url, pool_size=1)
    try:
        return action(write_model)
    finally:
        write_model.close()


def _await_projection(url: str, settings: Settings, position: int) -> None:
    """If a worker is running, return once it has applied `position` (so the API sees it)."""
    if not worker_is_running(url):
        return
    worker = ProjectionWorker(url, settings.urls)
    try:
        wait_until_applied(worker, position, timeout=10)
    except TimeoutError:
        print("tootlog: warning: the projection has not caught up yet", file=sys.stderr)
    finally:
        worker.close()


def cmd_accounts_create(args: argparse.Namespace) -> int:
    settings, url, _ = _database()
    _migrated(settings, url).close()
    written = _with_write_model(
        url,
        lambda app: register_account(
            app,
            args.username,
            email=args.email,
            password=args.password,
            display_name=args.display_name,
        ),
    )
    _await_projection(url, settings, written.position)
    print(written.id)
    return 0


def cmd_tokens_create(args: argparse.Namespace) -> int:
    settings, url, _ = _database()
    _migrated(settings, url).close()

    def create(app: TootlogApplication) -> tuple[str, int]:
        account_id = account_id_for_username(app, args.username)
        token, written = issue_token(app, account_id, args.scopes)
        return token, written.position

    token, position = _with_write_model(url, create)
    _await_projection(url, settings, position)
    print(token)
    return 0


if __name__ == "__main__":
    sys.exit(main())
