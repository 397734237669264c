"""`tootlog replay`: what happened, from the log, for an auditor.

Events stream oldest first as JSON lines (or a table on a terminal): position, recorded_at,
topic, aggregate (type and id as the API names it), version and payload (ids as strings; password
and token hashes left out). `--as-of TIME --status ID` prints the status as an anonymous
`GET /api/v1/statuses/:id` would have answered at that moment, computed from the events alone.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Iterator
from datetime import datetime
from typing import TextIO
from uuid import UUID

import orjson
import psycopg

from api.operations.common import CommandError, database, moment, positive
from domain.account import Account, Username
from domain.ids import format_datetime, parse_id
from domain.status import Status
from projections.errors import UnknownStatus
from projections.history import Filters, Recorded, first_events, recorded_events

# How each aggregate is named: its type as the API would say it, and the event fields that make
# up its id (joined by "/"). Others are named by their aggregate UUID.
AGGREGATE_NAMES: dict[str, tuple[str, tuple[str, ...]]] = {
    "Status": ("status", ("status_id",)),
    "ReblogWrapper": ("status", ("wrapper_status_id",)),
    "Account": ("account", ("account_id",)),
    "Username": ("username", ("username",)),
    "EmailAddress": ("email", ("email",)),
    "Reblog": ("reblog", ("account_id", "original_status_id")),
    "Favourite": ("favourite", ("account_id", "status_id")),
    "Bookmark": ("bookmark", ("account_id", "status_id")),
    "ConversationMute": ("conversation_mute", ("account_id", "root_id")),
    "Follow": ("follow", ("follower_id", "followee_id")),
    "Pins": ("pins", ("account_id",)),
    "MediaAttachment": ("media_attachment", ("media_id",)),
    "OAuthApp": ("application", ("app_id",)),
    "ClientId": ("client_id", ("client_id",)),
    "IdempotencyKey": ("idempotency_key", ("account_id", "key")),
    "AccessToken": ("access_token", ()),
    "AuthorizationCode": ("authorization_code", ()),
}
# Event fields never shown: what a hash of a secret would let someone try offline.
SECRET_MARKERS = ("password", "secret", "_hash")
HIDDEN = ("originator_id", "originator_version", "timestamp")


def add_parser(sub: argparse._SubParsersAction) -> None:
    replay = sub.add_parser(
        "replay",
        help="print what happened, from the event log (JSON lines or a table)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    replay.add_argument("--status", metavar="ID", help="only what happened to this status")
    replay.add_argument(
        "--account", metavar="ID|@NAME", help="only what this account did (its id or @username)"
    )
    replay.add_argument("--since", type=moment, metavar="TIME", help="recorded at or after TIME")
    replay.add_argument("--until", type=moment, metavar="TIME", help="recorded at or before TIME")
    replay.add_argument(
        "--from", dest="first", type=positive, metavar="POSITION", help="from this position"
    )
    replay.add_argument(
        "--to", dest="last", type=positive, metavar="POSITION", help="up to this position"
    )
    replay.add_argument(
        "--topic", metavar="PATTERN", help="topics matching a glob, e.g. 'status.*'"
    )
    replay.add_argument(
        "--format",
        choices=("jsonl", "table"),
        help="output format (default: table on a terminal, jsonl otherwise)",
    )
    replay.add_argument(
        "--as-of",
        type=moment,
        metavar="TIME",
        help="with --status: the status as GET /api/v1/statuses/:id answered anonymously then",
    )
    replay.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings, url, _ = database()
    out = sys.stdout
    with psycopg.connect(url, autocommit=True) as conn:
        status_id = _status(conn, args.status) if args.status is not None else None
        account_id = _account(conn, args.account) if args.account is not None else None
    if args.as_of is not None:
        if status_id is None:
            raise CommandError("--as-of needs --status ID")
        return _as_of(url, settings, status_id, args.as_of, out)
    filters = Filters(
        status_id=status_id,
        account_id=account_id,
        since=args.since,
        until=args.until,
        first=args.first,
        last=args.last,
        topic=args.topic,
    )
    table = args.format == "table" or (args.format is None and out.isatty())
    records = recorded_events(url, filters, settings.read_model_url(url))
    if table:
        _print_table(records, out)
    else:
        for record in records:
            out.write(orjson.dumps(describe(record)).decode() + "\n")
    out.flush()
    return 0


def _status(conn: psycopg.Connection, raw: str) -> int:
    status_id = parse_id(raw)
    if status_id is None or not _recorded(conn, Status.create_id(status_id)):
        raise CommandError(f"status not found: {raw}")
    return status_id


def _account(conn: psycopg.Connection, raw: str) -> int:
    if raw.startswith("@"):
        first = _first_event(conn, Username.create_id(raw[1:]))
        if first is None:
            raise CommandError(f"account not found: {raw}")
        return first.event.account_id  # type: ignore[attr-defined]
    account_id = parse_id(raw)
    if account_id is None or not _recorded(conn, Account.create_id(account_id)):
        raise CommandError(f"account not found: {raw}")
    return account_id


def _recorded(conn: psycopg.Connection, originator_id: UUID) -> bool:
    return _first_event(conn, originator_id) is not None


def _first_event(conn: psycopg.Connection, originator_id: UUID) -> Recorded | None:
    found = first_events(conn, [originator_id])
    return found[0] if found else None


def describe(record: Recorded) -> dict:
    """One event as `replay` prints it."""
    event = record.event
    fields = {k: v for k, v in event.__dict__.items() if k not in HIDDEN}
    return {
        "position": record.position,
        "recorded_at": format_datetime(event.timestamp),  # type: ignore[attr-defined]
        "topic": record.stored.topic,
        "aggregate": _aggregate(record, fields),
        "version": record.stored.originator_version,
        "payload": _shown(fields),
    }


def _aggregate(record: Recorded, fields: dict) -> dict:
    owner = type(record.event).__qualname__.split(".")[0]
    kind, keys = AGGREGATE_NAMES.get(owner, (owner.lower(), ()))
    if keys and all(fields.get(key) is not None for key in keys):
        return {"type": kind, "id": "/".join(str(fields[key]) for key in keys)}
    return {"type": kind, "id": str(record.stored.originator_id)}


def _shown(value: object, key: str = "") -> object:
    """Ids as strings (as the API writes them), secrets left out, everything JSON."""
    if isinstance(value, dict):
        return {
            k: _shown(v, k)
            for k, v in value.items()
            if not any(marker in k for marker in SECRET_MARKERS)
        }
    if isinstance(value, list | tuple):
        return [_shown(item, key) for item in value]
    if type(value) is int and (key == "id" or key.endswith(("_id", "_ids"))):
        return str(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return format_datetime(value)
    return value


def _print_table(records: Iterator[Recorded], out: TextIO) -> None:
    width = shutil.get_terminal_size((160, 24)).columns
    header = f"{'POSITION':>9}  {'RECORDED AT':<24}  {'TOPIC':<34}  {'AGGREGATE':<30}  PAYLOAD"
    print(header, file=out)
    for record in records:
        row = describe(record)
        aggregate = f"{row['aggregate']['type']} {row['aggregate']['id']}"
        topic = row["topic"].removeprefix("tootlog.")
        payload = orjson.dumps(row["payload"]).decode()
        line = f"{row['position']:>9}  {row['recorded_at']:<24}  {topic:<34}  {aggregate:<30}  "
        room = max(width - len(line), 20)
        print(line + (payload if len(payload) <= room else payload[: room - 1] + "…"), file=out)


def _as_of(url: str, settings, status_id: int, when: datetime, out: TextIO) -> int:  # noqa: ANN001
    from projections.as_of import status_as_of  # the rendering machinery: for --as-of only

    try:
        found = status_as_of(
            url, settings.urls, status_id, when, read_model_url=settings.read_model_url(url)
        )
    except UnknownStatus as error:
        raise CommandError(str(error)) from None
    at = format_datetime(when)
    if not found.existed:
        raise CommandError(
            f"status {status_id} did not exist yet at {at}"
            f" (published at {format_datetime(found.published_at)})"
        )
    if found.deleted_at is not None:
        raise CommandError(
            f"status {status_id} was deleted at {format_datetime(found.deleted_at)} (before {at})"
        )
    if found.json is None:
        raise CommandError(
            f"status {status_id} was {found.visibility} at {at}: an anonymous viewer got 404"
        )
    print(found.json, file=out)
    return 0
