"""Use cases of the card worker: decide whether a status's link must be fetched, record outcomes.

Both are synchronous (the event store is); the worker calls them from a thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from eventsourcing.persistence import IntegrityError

from commands.app import TootlogApplication
from domain.card import PUBLISHED, LinkFetch, Preview, StatusCard
from domain.ids import format_datetime
from domain.status import Status


@dataclass(frozen=True)
class Outcome:
    """What fetching a link gave: a preview, or the reason there is none."""

    preview: Preview | None
    reason: str | None
    fetched_at: float  # unix time

    @property
    def fetched_on(self) -> str:
        return format_datetime(datetime.fromtimestamp(self.fetched_at, tz=UTC))


@dataclass(frozen=True)
class Plan:
    """What to do for a status: nothing (`done`), record a shared outcome, or fetch."""

    done: bool = False
    shared: Outcome | None = None


def plan(
    app: TootlogApplication,
    status_id: int,
    link: str,
    now: float,
    period: float,
    text_version: int = PUBLISHED,
) -> Plan:
    """Whether this version of the status's text still needs an outcome, and whether a recent
    fetch can be shared. Nothing is needed once the status is deleted or a later edit changed
    its text again (that edit's version gets the card, as Mastodon's crawl reads the text as it
    is then)."""
    if app.get_or_none(StatusCard.create_id(status_id, text_version), StatusCard) is not None:
        return Plan(done=True)  # recorded before a restart, or by another worker
    for later in app.events.get(Status.create_id(status_id), gt=text_version):
        if isinstance(later, Status.Deleted) or (
            isinstance(later, Status.Edited) and later.text_changed
        ):
            return Plan(done=True)
    earlier = app.get_or_none(LinkFetch.create_id(link), LinkFetch)
    if earlier is not None and earlier.fresh(now, period):
        return Plan(shared=Outcome(earlier.preview, earlier.reason, earlier.fetched_at or now))
    return Plan()


def record(
    app: TootlogApplication,
    status_id: int,
    link: str,
    outcome: Outcome,
    *,
    new_fetch: bool,
    text_version: int = PUBLISHED,
) -> bool:
    """Record the outcome of this version of the status's text (with the URL's fetch record
    when it was fetched just now), in one transaction. False when that version already had one
    (nothing is saved)."""
    card = StatusCard(status_id=status_id, link=link, text_version=text_version)
    if outcome.preview is not None:
        card.fetched(outcome.preview, outcome.fetched_on)
    else:
        card.failed(outcome.reason or "no card", outcome.fetched_on)
    fetch = None
    if new_fetch:
        fetch = app.get_or_none(LinkFetch.create_id(link), LinkFetch) or LinkFetch(link=link)
        if outcome.preview is not None:
            fetch.fetched(
                preview=outcome.preview.as_fields(),
                fetched_at=outcome.fetched_at,
                fetched_on=outcome.fetched_on,
            )
        else:
            fetch.failed(
                reason=outcome.reason or "no card",
                fetched_at=outcome.fetched_at,
                fetched_on=outcome.fetched_on,
            )
    try:
        app.save(*([card] if fetch is None else [card, fetch]))
    except IntegrityError:
        if fetch is None:
            return False
        # The status's outcome exists (a restart), or the URL's record moved: keep the card.
        try:
            app.save(card)
        except IntegrityError:
            return False
    return True
