"""`tootlog cards`: the card worker as a process (alone, or supervised by `tootlog serve`)."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading

from api.cards.config import CardSettings
from api.cards.worker import CardWorker
from api.worker_process import stop_when_stdin_closes
from domain.urls import Urls

log = logging.getLogger("tootlog.cards")


def run_card_worker(database_url: str, urls: Urls, *, supervised: bool) -> int:
    """Run the card worker until SIGINT/SIGTERM (or, supervised, until serve is gone)."""
    settings = CardSettings.from_env()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the worker logs each outcome itself
    if not settings.enabled:
        log.warning("TOOTLOG_CARDS=0: link preview cards are not fetched")
        return 0
    stopped = threading.Event()
    if supervised:
        stop_when_stdin_closes(stopped)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        threading.Thread(
            target=lambda: (stopped.wait(), loop.call_soon_threadsafe(stop.set)),
            name="stop-watch",
            daemon=True,
        ).start()
        await CardWorker(database_url, urls, settings).run(stop)

    asyncio.run(main())
    return 0
