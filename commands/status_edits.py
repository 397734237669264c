"""Use case: edit a status (PUT /api/v1/statuses/:id, Mastodon's UpdateStatusService)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from commands.accounts import Written
from commands.app import TootlogApplication, retrying
from commands.media import load_media
from commands.social import find_target
from commands.statuses import Publishing, resolve_mention
from domain.errors import RecordNotFound, ValidationFailed
from domain.ids import snowflakes
from domain.media import check_attachable, check_media_count, parse_focus
from domain.poll import Poll, compose_poll, edit_poll_problems, votes_reset
from domain.reblog import ReblogWrapper
from domain.status import Draft, PollChange, Status, revise


@dataclass(frozen=True)
class MediaAttributes:
    """One `media_attributes[]` entry: new alt text and/or focus of an attachment (None: keep)."""

    media_id: int
    description: str | None = None
    focus: object = None


def edit(
    app: TootlogApplication,
    settings: Publishing,
    *,
    account_id: int,
    status_id: int | None,
    draft: Draft,
    media_attributes: list[MediaAttributes] = (),  # type: ignore[assignment]
    now: float | None = None,
) -> Written:
    """Edit one of the caller's statuses, in Mastodon's order: find it among the caller's own
    (else 404), the media (count, ownership, kinds; media beside a poll is "too many"), their
    alt texts and focus, the poll, then the text rules. An edit that changes nothing records
    nothing.

    The poll is replaced as UpdateStatusService does: `draft.poll` given, the status has that
    poll (the same poll id when it had one, its votes kept unless the options or `multiple`
    changed); not given, a poll it had is removed. The Poll aggregate is saved with the status.

    The status's version check in the event store serialises an edit with a concurrent delete
    or edit: the loser decides again on the new state (a deleted status is then a 404).
    """
    focus_points = {a.media_id: parse_focus(a.focus) for a in media_attributes}

    def attempt() -> Written:
        found = None
        if status_id:
            found = app.get_or_none(Status.create_id(status_id), Status | ReblogWrapper)
        if isinstance(found, ReblogWrapper):
            # Rails finds the caller's own boost and "edits" the boost row itself, which no
            # client shows (they render its `reblog`); tootlog records nothing and answers it.
            if found.account_id != account_id or find_target(app, status_id) is None:
                raise RecordNotFound
            return Written(found.wrapper_status_id, app.last_position(), created=False)
        if found is None:
            raise RecordNotFound
        status = found
        status.check_editable_by(account_id)
        # Before loading any media: more than 4, or any beside a poll, is "too many".
        check_media_count(draft.media_ids, with_poll=draft.poll is not None)
        media = load_media(app, [*draft.media_ids, *status.media_ids])
        media_ids = check_attachable(draft.media_ids, media, account_id, status_id)
        previous_descriptions = [_description(media.get(i)) for i in status.media_ids]
        revised = []
        for attributes in media_attributes:
            item = media.get(attributes.media_id) if attributes.media_id in media_ids else None
            if item is not None and item.revise(
                status.status_id, attributes.description, focus_points[attributes.media_id]
            ):
                revised.append(item)
        poll_change, poll = _poll_change(app, settings, draft, status, now)
        revision = revise(
            draft,
            status,
            media_ids=media_ids,
            media_changed=bool(revised),
            poll_changed=poll_change is not None,
            resolve_mention=lambda acct: resolve_mention(app, settings.urls, acct),
            profile_url=settings.urls.profile,
            tag_base_url=settings.urls.tags,
        )
        if revision is None:
            return Written(status.status_id, app.last_position(), created=False)
        attached = [media[i] for i in media_ids if media[i].status_id is None]
        for item in attached:
            item.attach(status.status_id)
        status.edit(
            revision,
            [_description(media[i]) for i in media_ids],
            previous_descriptions,
            poll_change,
        )
        # The media's events first: the status's new document is built from their rows.
        changed_media = list({id(m): m for m in [*revised, *attached]}.values())
        polls = [poll] if poll is not None else []
        recordings = app.save(*changed_media, *polls, status)
        return Written(status.status_id, recordings[-1].notification.id)

    return retrying(attempt)


def _poll_change(
    app: TootlogApplication,
    settings: Publishing,
    draft: Draft,
    status: Status,
    now: float | None,
) -> tuple[PollChange | None, Poll | None]:
    """update_poll!: the poll's rules (422 with the Poll model's own messages), then what the
    edit does to the poll and the Poll aggregate that records it (not saved yet)."""
    current = status.poll
    if draft.poll is None:
        if current is None:
            return None, None
        poll = app.get_or_none(Poll.create_id(current["id"]), Poll)
        if poll is not None:
            poll.remove()
        return PollChange(None, votes_reset=True), poll
    moment = time.time() if now is None else now
    problems = edit_poll_problems(draft.poll, moment, settings.poll_min_expiration)
    if problems:
        raise ValidationFailed(*problems)
    reset = votes_reset(draft.poll, current)
    new = compose_poll(draft.poll, current["id"] if current else snowflakes.next_id(), moment)
    if current is None:
        poll = Poll(
            poll_id=new["id"],
            status_id=status.status_id,
            account_id=status.account_id,
            options_count=len(new["options"]),
            multiple=new["multiple"],
            expires_at=new["expires_at"],
        )
    else:
        poll = app.get_or_none(Poll.create_id(current["id"]), Poll)
        if poll is not None:
            poll.revise(new, reset)
    return PollChange(new, votes_reset=reset), poll


def _description(media: object) -> str | None:
    return getattr(media, "description", None)
