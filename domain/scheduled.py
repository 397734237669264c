"""Scheduled statuses: one Schedule aggregate per account holds the account's scheduled
statuses, so its limits (Mastodon's ScheduledStatus validations) hold under races, and so a
scheduled status is published once: publishing removes it from the schedule in the same
transaction as the new status, and of two schedulers doing that at once only one commits.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import RecordNotFound, Unprocessable, ValidationFailed
from domain.ids import derived_uuid

TOTAL_LIMIT = 300
DAILY_LIMIT = 25
MIN_SCHEDULE_OFFSET = 300  # PostStatusService::MIN_SCHEDULE_OFFSET, seconds
TOO_SOON = "Scheduled at date must be in the future"
OVER_TOTAL = f"You have exceeded the limit of {TOTAL_LIMIT} scheduled posts"
OVER_DAILY = f"You have exceeded the limit of {DAILY_LIMIT} scheduled posts for today"


class RecordInvalid(Unprocessable):
    """Rails' bare `raise ActiveRecord::RecordInvalid`: 422 `Record invalid`, no details."""

    def __init__(self) -> None:
        super().__init__("Record invalid")


def parse_scheduled_at(raw: object) -> float | None:
    """`scheduled_at` as seconds since the epoch (a time without a zone is UTC); None when
    blank; RecordInvalid when it is not a time (Rails' `to_datetime` raising ArgumentError)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if not isinstance(raw, str):
        raise RecordInvalid
    text = raw.strip()
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] in "zZ" else text)
    except ValueError:
        raise RecordInvalid from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).date().isoformat()


class Schedule(Aggregate):
    """An account's scheduled statuses: entry id -> when it is due (ms since the epoch)."""

    TOPIC = "tootlog.schedule"

    class Created(Aggregate.Created):
        TOPIC = "tootlog.schedule.created.v1"

    @event("Opened", topic="tootlog.schedule.opened.v1")
    def __init__(self, account_id: int) -> None:
        self.account_id = account_id
        self.entries: dict[int, int] = {}
        # entry id -> (params, media ids, application): what publishing it needs
        self.details: dict[int, tuple[dict, list[int], dict | None]] = {}

    @staticmethod
    def create_id(account_id: int) -> UUID:
        return derived_uuid("schedule", account_id)

    def check(self, scheduled_at: int, now: float, min_offset: float, entry_id: int | None) -> None:
        """ScheduledStatus's validations, all of them, in Mastodon's order. The limits count
        every entry, the one being moved too (Rails counts it when it updates one)."""
        problems = []
        if scheduled_at <= (now + min_offset) * 1000:
            problems.append(TOO_SOON)
        if len(self.entries) >= TOTAL_LIMIT:
            problems.append(OVER_TOTAL)
        day = _day(scheduled_at)
        if sum(1 for due in self.entries.values() if _day(due) == day) >= DAILY_LIMIT:
            problems.append(OVER_DAILY)
        if problems:
            raise ValidationFailed(*problems)

    def due_at(self, entry_id: int) -> int:
        """When a live entry is due; RecordNotFound when it is not (or no longer) scheduled."""
        if entry_id not in self.entries:
            raise RecordNotFound
        return self.entries[entry_id]

    @event("Scheduled", topic="tootlog.schedule.scheduled.v1")
    def schedule(
        self,
        entry_id: int,
        account_id: int,
        scheduled_at: int,
        params: dict,
        media_ids: list[int],
        application: dict | None,
    ) -> None:
        """`params` are Mastodon's (what the client asked for, as ScheduledStatus#params
        shows them); `application` the token's app, for the status when it is published."""
        self.entries = {**self.entries, entry_id: scheduled_at}
        self.details = {**self.details, entry_id: (params, media_ids, application)}

    @event("Rescheduled", topic="tootlog.schedule.rescheduled.v1")
    def reschedule(self, entry_id: int, account_id: int, scheduled_at: int) -> None:
        self.entries = {**self.entries, entry_id: scheduled_at}

    @event("Cancelled", topic="tootlog.schedule.cancelled.v1")
    def cancel(self, entry_id: int, account_id: int) -> None:
        self._forget(entry_id)

    @event("Published", topic="tootlog.schedule.published.v1")
    def published(self, entry_id: int, account_id: int, status_id: int) -> None:
        """Saved with the new status: the entry is gone."""
        self._forget(entry_id)

    @event("Dropped", topic="tootlog.schedule.dropped.v1")
    def dropped(self, entry_id: int, account_id: int, reason: str) -> None:
        """At its time the status could not be published (its reply target or media are gone,
        it breaks a rule): Mastodon's worker drops it silently; here the reason is recorded."""
        self._forget(entry_id)

    def _forget(self, entry_id: int) -> None:
        self.entries = {k: v for k, v in self.entries.items() if k != entry_id}
        self.details = {k: v for k, v in self.details.items() if k != entry_id}
