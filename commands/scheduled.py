"""Use cases on scheduled statuses: schedule one (PostStatusService with a future
`scheduled_at`), move it, cancel it, and publish it when it is due (the scheduler's job)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from commands.accounts import Written
from commands.app import TootlogApplication, retrying
from commands.media import load_media
from commands.statuses import Publishing, new_status, reply_target
from domain.account import Account, default_visibility
from domain.errors import DomainError, RecordNotFound, ValidationFailed
from domain.idempotency import IdempotencyKey
from domain.ids import snowflakes
from domain.media import check_attachable, check_media_count
from domain.scheduled import MIN_SCHEDULE_OFFSET, RecordInvalid, Schedule
from domain.status import Author, Draft


def schedule(
    app: TootlogApplication,
    settings: Publishing,
    *,
    author: Author,
    draft: Draft,
    params: dict,
    scheduled_at: float | None,
    in_reply_to_id: int | None = None,
    reply_target_given: bool = False,
    idempotency_key: str | None = None,
    application: dict | None = None,
    min_offset: float = MIN_SCHEDULE_OFFSET,
) -> Written:
    """Schedule a status; the answer names the scheduled entry. Mastodon's order: reply target
    (404), idempotency (the entry the key names), media (422), `scheduled_at` itself (None: not
    a time, 422 `Record invalid`), the status's own rules as if published now (any failure is
    422 `Record invalid`), then ScheduledStatus's (422 `Validation failed: ...`)."""
    author_id = author.account_id

    def attempt() -> Written:
        now = time.time()
        parent = reply_target(app, author_id, in_reply_to_id, reply_target_given)
        key = None
        if idempotency_key:
            key = app.get_or_none(
                IdempotencyKey.create_id(author_id, idempotency_key), IdempotencyKey
            )
            earlier = key.live_status_id(now, settings.idempotency_retention) if key else None
            if key is not None and earlier is not None:
                return _earlier_entry(app, author_id, earlier)
        if scheduled_at is None:
            check_media_count(draft.media_ids, with_poll=draft.poll is not None)
            check_attachable(draft.media_ids, load_media(app, draft.media_ids), author_id)
            raise RecordInvalid
        try:  # the status it will be, decided now only to check it
            _, _, media = new_status(
                app, settings, draft, author=author, parent=parent, application=application
            )
        except ValidationFailed:
            raise RecordInvalid from None
        media_ids = [item.media_id for item in media]
        at = int(scheduled_at * 1000)
        plan = app.get_or_none(Schedule.create_id(author_id), Schedule) or Schedule(
            account_id=author_id
        )
        plan.check(at, now, min_offset, None)
        entry_id = snowflakes.next_id()
        plan.schedule(
            entry_id=entry_id,
            account_id=author_id,
            scheduled_at=at,
            params={**params, "in_reply_to_id": parent.status_id if parent else None},
            media_ids=media_ids,
            application=application,
        )
        if key is None and idempotency_key:
            key = IdempotencyKey(
                account_id=author_id, key=idempotency_key, status_id=entry_id, used_at=now
            )
        elif key is not None:
            key.use_again(status_id=entry_id, used_at=now)
        recordings = app.save(plan, key)
        return Written(entry_id, recordings[-1].notification.id)

    return retrying(attempt)


def _earlier_entry(app: TootlogApplication, account_id: int, entry_id: int) -> Written:
    """The scheduled entry a key names, while it is still scheduled (else Record not found)."""
    plan = app.get_or_none(Schedule.create_id(account_id), Schedule)
    if plan is None:
        raise RecordNotFound
    plan.due_at(entry_id)
    return Written(entry_id, app.last_position())


def reschedule(
    app: TootlogApplication,
    *,
    account_id: int,
    entry_id: int | None,
    scheduled_at: float | None,
    min_offset: float = MIN_SCHEDULE_OFFSET,
) -> Written:
    """PUT: move one of the account's scheduled statuses (ScheduledStatus's validations)."""

    def attempt() -> Written:
        plan = app.get_or_none(Schedule.create_id(account_id), Schedule)
        if plan is None or entry_id is None:
            raise RecordNotFound
        plan.due_at(entry_id)
        if scheduled_at is None:
            raise RecordInvalid
        at = int(scheduled_at * 1000)
        plan.check(at, time.time(), min_offset, entry_id)
        plan.reschedule(entry_id=entry_id, account_id=account_id, scheduled_at=at)
        recordings = app.save(plan)
        return Written(entry_id, recordings[-1].notification.id)

    return retrying(attempt)


def cancel(app: TootlogApplication, *, account_id: int, entry_id: int | None) -> Written:
    """DELETE: one of the account's scheduled statuses will not be published."""

    def attempt() -> Written:
        plan = app.get_or_none(Schedule.create_id(account_id), Schedule)
        if plan is None or entry_id is None:
            raise RecordNotFound
        plan.due_at(entry_id)
        plan.cancel(entry_id=entry_id, account_id=account_id)
        recordings = app.save(plan)
        return Written(entry_id, recordings[-1].notification.id)

    return retrying(attempt)


def publish_due(
    app: TootlogApplication,
    settings: Publishing,
    *,
    account_id: int,
    entry_id: int,
    to_draft: Callable[[dict], Draft],
    now: float | None = None,
) -> int | None:
    """Publish a scheduled status whose time has come, with its media and poll: the new
    status's id, or None (not due, already published or cancelled, or dropped because it can
    no longer be published). The entry leaves the schedule in the same transaction as the
    status is stored, so of two schedulers doing this at once exactly one publishes.

    `to_draft` turns the entry's Mastodon params into a Draft (the API's one parser)."""

    def attempt() -> int | None:
        moment = time.time() if now is None else now
        plan = app.get_or_none(Schedule.create_id(account_id), Schedule)
        if plan is None or entry_id not in plan.entries:
            return None
        if plan.entries[entry_id] > moment * 1000:
            return None
        params, media_ids, application = plan.details[entry_id]
        account = app.get_or_none(Account.create_id(account_id), Account)
        try:
            if account is None:
                raise RecordNotFound
            author = Author(account_id, default_visibility=default_visibility(account.locked))
            draft = replace(to_draft(params), media_ids=media_ids)
            reply_to = params.get("in_reply_to_id")
            parent = reply_target(app, account_id, reply_to, reply_to is not None)
            status, poll, attached = new_status(
                app, settings, draft, author=author, parent=parent, application=application
            )
        except DomainError as error:
            plan.dropped(
                entry_id=entry_id,
                account_id=account_id,
                reason=str(error) or type(error).__name__,
            )
            app.save(plan)
            return None
        for item in attached:
            item.attach(status.status_id)
        plan.published(entry_id=entry_id, account_id=account_id, status_id=status.status_id)
        app.save(plan, status, poll, *attached)
        return status.status_id

    return retrying(attempt)
