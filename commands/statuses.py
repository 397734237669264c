"""Use cases: publish a status (with Idempotency-Key), delete a status."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from commands.accounts import Written
from commands.app import TootlogApplication, retrying
from commands.media import load_media, remove_files
from commands.recent_keys import KeyUse, RecentKeys
from commands.social import delete_wrapper, find_target, visible_target
from commands.storage import MediaStorage
from domain.account import Username
from domain.errors import (
    DomainError,
    NotFound,
    RecordNotFound,
    ReplyTargetNotFound,
)
from domain.idempotency import IdempotencyKey
from domain.ids import snowflakes
from domain.media import MediaAttachment, check_attachable, check_media_count
from domain.pins import Pins
from domain.poll import MIN_EXPIRATION, Poll
from domain.reblog import ReblogWrapper
from domain.status import (
    Author,
    Draft,
    Mentioned,
    Parent,
    Status,
    compose,
    local_mention_name,
)
from domain.urls import Urls


@dataclass(frozen=True)
class Publishing:
    """Server settings that publishing depends on."""

    urls: Urls
    idempotency_retention: float = 3600.0
    # Polls may close this soon at the earliest (Mastodon: 5 minutes; lower only for tests).
    poll_min_expiration: int = MIN_EXPIRATION


def publish(
    app: TootlogApplication,
    settings: Publishing,
    *,
    author: Author,
    draft: Draft,
    in_reply_to_id: int | None = None,
    reply_target_given: bool = False,
    idempotency_key: str | None = None,
    application: dict | None = None,
    recent_keys: RecentKeys | None = None,
) -> Written:
    """Publish a status, or return the one an unexpired Idempotency-Key already names.

    Checks run in Mastodon's order: reply target, idempotency, media, then the model rules.
    A key in `recent_keys` is answered from there (a retry then costs no event-store read).
    """

    author_id = author.account_id
    retention = settings.idempotency_retention

    def remember(used_at: float, written: Written) -> Written:
        if recent_keys is not None and idempotency_key:
            use = KeyUse(written.id, used_at, written.position)
            recent_keys.remember(author_id, idempotency_key, use)
        return written

    def attempt(look_up_key: bool) -> Written:
        parent = reply_target(app, author_id, in_reply_to_id, reply_target_given)
        key = None
        if idempotency_key and recent_keys is not None:
            use = recent_keys.live(author_id, idempotency_key, time.time(), retention)
            if use is not None:
                return Written(use.status_id, use.position, created=False)
        if idempotency_key and look_up_key:
            key = app.get_or_none(
                IdempotencyKey.create_id(author_id, idempotency_key), IdempotencyKey
            )
            earlier = key.live_status_id(time.time(), retention) if key else None
            if key is not None and earlier is not None:
                return remember(key.used_at, _earlier_status(app, earlier))
        status, poll, attached = new_status(
            app, settings, draft, author=author, parent=parent, application=application
        )
        # Attaching is saved with the status: of two posts racing for one upload, the event
        # store lets exactly one commit; the other decides again and finds it attached.
        for item in attached:
            item.attach(status.status_id)
        now = time.time()
        if key is None and idempotency_key:
            key = IdempotencyKey(
                account_id=author_id, key=idempotency_key, status_id=status.status_id, used_at=now
            )
        elif key is not None:
            key.use_again(status_id=status.status_id, used_at=now)
        recordings = app.save(status, poll, *attached, key)
        return remember(now, Written(status.status_id, recordings[-1].notification.id))

    attempts = 0

    def next_attempt() -> Written:
        # Most keys are new, so the first attempt does not load the key: it creates it, and the
        # store refuses that if the key exists (the retries load it). A live key still wins over
        # a validation error, so such an error is checked by an attempt that loads the key.
        nonlocal attempts
        attempts += 1
        if not idempotency_key or attempts > 1:
            return attempt(look_up_key=True)
        try:
            return attempt(look_up_key=False)
        except DomainError:
            return attempt(look_up_key=True)

    return retrying(next_attempt)


def new_status(
    app: TootlogApplication,
    settings: Publishing,
    draft: Draft,
    *,
    author: Author,
    parent: Parent | None,
    application: dict | None,
) -> tuple[Status, Poll | None, list[MediaAttachment]]:
    """A new Status decided from a draft, its Poll when it has one, and the uploads it is to
    attach, in order (checked: how many, whose, not attached elsewhere; not attached yet)."""
    check_media_count(draft.media_ids, with_poll=draft.poll is not None)
    media = load_media(app, draft.media_ids)
    media_ids = check_attachable(draft.media_ids, media, author.account_id)
    draft = replace(draft, media_ids=media_ids)
    fields = compose(
        draft,
        status_id=snowflakes.next_id(),
        author=author,
        parent=parent,
        resolve_mention=lambda acct: resolve_mention(app, settings.urls, acct),
        profile_url=settings.urls.profile,
        tag_base_url=settings.urls.tags,
        application=application,
        poll_id=snowflakes.next_id() if draft.poll is not None else None,
        now=time.time(),
        poll_min_expiration=settings.poll_min_expiration,
    )
    status = Status(**fields)
    poll = None
    if fields["poll"] is not None:
        poll = Poll(
            poll_id=fields["poll"]["id"],
            status_id=status.status_id,
            account_id=author.account_id,
            options_count=len(fields["poll"]["options"]),
            multiple=fields["poll"]["multiple"],
            expires_at=fields["poll"]["expires_at"],
        )
    return status, poll, [media[media_id] for media_id in media_ids]


def reply_target(
    app: TootlogApplication, author_id: int, status_id: int | None, given: bool
) -> Parent | None:
    if not given:
        return None
    try:
        # A reply to a reblog wrapper goes to its original (§3.1).
        parent = visible_target(app, author_id, status_id).status
    except NotFound:
        raise ReplyTargetNotFound from None
    return Parent(
        status_id=parent.status_id,
        account_id=parent.account_id,
        in_reply_to_id=parent.in_reply_to_id,
        in_reply_to_account_id=parent.in_reply_to_account_id,
    )


def _earlier_status(app: TootlogApplication, status_id: int) -> Written:
    status = app.get_or_none(Status.create_id(status_id), Status)
    if status is None or status.deleted:
        raise RecordNotFound
    # The earlier request committed before we read its key; the store's head covers it.
    return Written(status_id, app.last_position(), created=False)


def resolve_mention(app: TootlogApplication, urls: Urls, acct: str) -> Mentioned | None:
    """The local account an '@acct' names, or None."""
    username = local_mention_name(acct, urls.domain)
    if username is None:
        return None
    claim = app.get_or_none(Username.create_id(username), Username)
    return Mentioned(claim.account_id, claim.username) if claim else None


def delete(
    app: TootlogApplication,
    *,
    account_id: int,
    status_id: int,
    delete_media: bool = False,
    storage: MediaStorage | None = None,
) -> Written:
    """Delete one of the caller's own statuses (and its pin), or undo their reblog wrapper.

    Its media are detached for a redraft, or deleted with their files when `delete_media` (§6.7).
    """
    removed_files: list[str] = []

    def attempt() -> Written:
        status = app.get_or_none(Status.create_id(status_id), Status | ReblogWrapper)
        if isinstance(status, ReblogWrapper):
            target = find_target(app, status_id)
            if target is None:
                raise RecordNotFound
            return delete_wrapper(app, account_id=account_id, target=target)
        if status is None:
            raise RecordNotFound
        status.check_deletable_by(account_id)
        status.delete(delete_media=delete_media)
        media = [m for m in load_media(app, status.attached_media_ids).values() if m is not None]
        media = [m for m in media if m.status_id == status_id]
        for item in media:
            if delete_media:
                item.delete()
            else:
                item.detach()
        pins = app.get_or_none(Pins.create_id(account_id), Pins)
        if pins is not None:
            pins.unpin(status_id)
        recordings = app.save(status, pins, *media)
        if delete_media:
            removed_files[:] = [key for item in media for key in item.file_keys]
        return Written(status_id, recordings[-1].notification.id)

    written = retrying(attempt)
    # Files go only after the log says the media are deleted; a crash in between leaves
    # unreferenced files behind, never a referenced file missing.
    if storage is not None:
        remove_files(storage, removed_files)
    return written
