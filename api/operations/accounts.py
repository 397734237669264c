"""`tootlog accounts create` and `tootlog tokens create`: accounts and tokens for people and
scripts, with the same rules as the API's sign-up."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING

from api.operations.common import CommandError, database
from domain.errors import NotFound
from domain.registration import PASSWORD_MAX, PASSWORD_MIN

if TYPE_CHECKING:
    from commands.app import TootlogApplication

PROMPT = object()  # --password given without a value: ask for it
DEFAULT_SCOPES = "read write follow"


def add_parsers(sub: argparse._SubParsersAction) -> None:
    accounts = sub.add_parser("accounts", help="manage accounts").add_subparsers(
        required=True, metavar="ACTION"
    )
    create = accounts.add_parser(
        "create",
        help="create an account; prints its id",
        description="Create a local account and print its id. Without --email and --password "
        "it can use the API only through tokens made with `tootlog tokens create`.",
    )
    create.add_argument("username", help="letters, digits and underscores (30 at most)")
    create.add_argument("--email", help="its e-mail address: the user name for logging in")
    create.add_argument(
        "--password",
        nargs="?",
        const=PROMPT,
        metavar="PASSWORD",
        help=f"{PASSWORD_MIN} to {PASSWORD_MAX} characters; given without a value, it is asked"
        " for (not echoed), which keeps it out of the shell's history",
    )
    create.add_argument("--display-name", default="", help="the name shown (default: none)")
    create.set_defaults(handler=run_accounts_create)

    tokens = sub.add_parser("tokens", help="manage access tokens").add_subparsers(
        required=True, metavar="ACTION"
    )
    token = tokens.add_parser(
        "create",
        help="issue a token; prints only the token",
        description="Issue an access token for an account and print only the token.",
    )
    token.add_argument("username", help="the account's username")
    token.add_argument(
        "--scopes",
        default=DEFAULT_SCOPES,
        help=f"space-separated OAuth scopes (default: {DEFAULT_SCOPES!r})",
    )
    token.set_defaults(handler=run_tokens_create)


def ask_password() -> str:
    """The password typed at a prompt (twice, on a terminal) or read from standard input."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise CommandError("the passwords differ")
    return first


def check_password(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise CommandError(f"password is too short (minimum is {PASSWORD_MIN} characters)")
    if len(password) > PASSWORD_MAX:
        raise CommandError(f"password is too long (maximum is {PASSWORD_MAX} characters)")


def run_accounts_create(args: argparse.Namespace) -> int:
    from commands.accounts import register_account
    from projections.rebuild import prepare

    password = ask_password() if args.password is PROMPT else args.password
    if password is not None:
        check_password(password)
    if password is not None and not args.email:
        raise CommandError("a password needs an e-mail address (--email): it is what logs in")
    settings, url, _ = database()
    prepare(url, settings.urls, read_model_url=settings.read_model_url(url))
    written = with_write_model(
        url,
        lambda app: register_account(
            app,
            args.username,
            email=args.email,
            password=password,
            display_name=args.display_name,
        ),
    )
    await_projection(url, settings, written.position)
    if password is None:
        print(
            f"tootlog: warning: @{args.username} has no password, so no client can log in as"
            f" it; give it --email and --password, or a token: tootlog tokens create"
            f" {args.username}",
            file=sys.stderr,
        )
    print(written.id)
    return 0


def run_tokens_create(args: argparse.Namespace) -> int:
    from commands.accounts import account_id_for_username, issue_token
    from projections.rebuild import prepare

    scopes = " ".join(args.scopes.split())
    if not scopes:
        raise CommandError("--scopes names no scope (e.g. --scopes 'read write follow')")
    settings, url, _ = database()
    prepare(url, settings.urls, read_model_url=settings.read_model_url(url))

    def create(app: TootlogApplication) -> tuple[str, int]:
        try:
            account_id = account_id_for_username(app, args.username)
        except NotFound:
            raise CommandError(f"account not found: {args.username}") from None
        token, written = issue_token(app, account_id, scopes)
        return token, written.position

    token, position = with_write_model(url, create)
    await_projection(url, settings, position)
    print(token)
    return 0


def with_write_model(url: str, action):  # noqa: ANN001, ANN201
    from commands.app import TootlogApplication

    write_model = TootlogApplication(url, pool_size=1)
    try:
        return action(write_model)
    finally:
        write_model.close()


def await_projection(url: str, settings, position: int) -> None:  # noqa: ANN001
    """If a worker is running, return once it has applied `position` (so the API sees it)."""
    from projections.worker import ProjectionWorker, wait_until_applied, worker_is_running

    read_model_url = settings.read_model_url(url)
    if not worker_is_running(read_model_url):
        return
    worker = ProjectionWorker(url, settings.urls, read_model_url=read_model_url)
    try:
        wait_until_applied(worker, position, timeout=10)
    except TimeoutError:
        print("tootlog: warning: the projection has not caught up yet", file=sys.stderr)
    finally:
        worker.close()
