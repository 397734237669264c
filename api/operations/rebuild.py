"""`tootlog rebuild` and `tootlog verify`: the read models rebuilt from the log, and proved equal
to a fresh replay of it."""

from __future__ import annotations

import argparse
import signal
import sys
from typing import TYPE_CHECKING

from api.operations.common import database, positive
from api.operations.progress import Progress
from projections.schema import BATCH_SIZE

if TYPE_CHECKING:
    from projections.verify import Report

REBUILD_HELP = """\
Rebuild every read model from the event log.

By default the rebuild is online: a complete new copy is built beside the live read models (in
the schema tootlog_rebuild) while the server keeps serving reads and writes from the live ones;
the copy then catches up with the last event and is switched in atomically, and the old copy is
dropped. Interrupted (Ctrl-C, SIGTERM, even SIGKILL), it leaves the live read models untouched;
run it again and it carries on where the copy stopped.

--offline empties the live read models and rebuilds them in place: for a stopped server (it
refuses to start while a projection worker is running).
"""

VERIFY_HELP = """\
Prove the live read models right: replay the log into a scratch copy up to the live read models'
position and compare the two, table by table and row by row (counters included). Works while the
server is serving writes. Prints a summary and the first differences (table, key, column, live
value, replayed value); exits 0 only when they are equal, 1 when they differ.
"""


def add_parsers(sub: argparse._SubParsersAction) -> None:
    rebuild = sub.add_parser(
        "rebuild",
        help="rebuild the read models from the log (online by default)",
        description=REBUILD_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    rebuild.add_argument(
        "--offline", action="store_true", help="truncate and rebuild in place (server stopped)"
    )
    rebuild.add_argument(
        "--batch-size",
        type=positive,
        default=BATCH_SIZE,
        help=f"events per transaction (default {BATCH_SIZE:,})",
    )
    rebuild.set_defaults(handler=run_rebuild)

    check = sub.add_parser(
        "verify",
        help="compare the live read models with a fresh replay of the log",
        description=VERIFY_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "--show", type=positive, default=20, help="how many differences to print (default 20)"
    )
    check.add_argument(
        "--batch-size",
        type=positive,
        default=BATCH_SIZE,
        help=f"events per transaction (default {BATCH_SIZE:,})",
    )
    check.set_defaults(handler=run_verify)


def stop_on_sigterm() -> None:
    """SIGTERM ends the command as Ctrl-C does: its transaction is rolled back, what it holds is
    released, and the live read models are left as they were."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def run_rebuild(args: argparse.Namespace) -> int:
    from projections.rebuild import rebuild_offline, rebuild_online

    stop_on_sigterm()
    settings, url, _ = database()
    progress = Progress("rebuild")
    build = rebuild_offline if args.offline else rebuild_online
    try:
        position = build(
            url,
            settings.urls,
            batch_size=args.batch_size,
            progress=progress,
            read_model_url=settings.read_model_url(url),
        )
    finally:
        progress.close()
    how = "in place" if args.offline else "beside the live read models, then switched"
    print(
        f"rebuilt the read models {how}: {progress.applied:,} events in"
        f" {progress.elapsed:.1f} s ({progress.rate:,.0f} events/s); position {position}"
    )
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from projections.verify import verify

    stop_on_sigterm()
    settings, url, _ = database()
    progress = Progress("verify")
    try:
        report = verify(
            url,
            settings.urls,
            batch_size=args.batch_size,
            progress=progress,
            show=args.show,
            read_model_url=settings.read_model_url(url),
        )
    finally:
        progress.close()
    print_report(report)
    return 0 if report.equal else 1


def print_report(report: Report, out=sys.stdout) -> None:  # noqa: ANN001
    print(f"compared at position {report.position}", file=out)
    for table in report.tables:
        verdict = "equal" if table.differing_rows == 0 else f"{table.differing_rows} differ"
        print(
            f"  {table.table:<22} live {table.live_rows:>9,}  replayed {table.replayed_rows:>9,}"
            f"  {verdict}",
            file=out,
        )
    if report.equal:
        print("the live read models equal a fresh replay of the log", file=out)
        return
    print("differences (table, key, column, live, replayed):", file=out)
    for d in report.differences:
        print(
            f"  - {d.table}  {d.key}  {d.column}  live={d.live!r}  replayed={d.replayed!r}",
            file=out,
        )
