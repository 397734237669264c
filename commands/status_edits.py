"""Use case: edit a status (PUT /api/v1/statuses/:id, Mastodon's UpdateStatusService)."""

from __future__ import annotations

from dataclasses import dataclass

from commands.accounts import Written
from commands.app import TootlogApplication, retrying
from commands.media import load_media
from commands.social import find_target
from commands.statuses import Publishing, resolve_mention
from domain.errors import RecordNotFound
from domain.media import check_attachable, check_media_count, parse_focus
from domain.reblog import ReblogWrapper
from domain.status import Draft, Status, revise


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
) -> Written:
    """Edit one of the caller's statuses, in Mastodon's order: find it among the caller's own
    (else 404), the media (count, ownership, kinds), their alt texts and focus, then the text
    rules. An edit that changes nothing records nothing.

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
            return Written(found.wrapper_status_id, app.last_position())
        if found is None:
            raise RecordNotFound
        status = found
        status.check_editable_by(account_id)
        check_media_count(draft.media_ids)  # before loading any of them
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
        revision = revise(
            draft,
            status,
            media_ids=media_ids,
            media_changed=bool(revised),
            resolve_mention=lambda acct: resolve_mention(app, settings.urls, acct),
            profile_url=settings.urls.profile,
            tag_base_url=settings.urls.tags,
        )
        if revision is None:
            return Written(status.status_id, app.last_position())
        attached = [media[i] for i in media_ids if media[i].status_id is None]
        for item in attached:
            item.attach(status.status_id)
        status.edit(revision, [_description(media[i]) for i in media_ids], previous_descriptions)
        # The media's events first: the status's new document is built from their rows.
        changed_media = list({id(m): m for m in [*revised, *attached]}.values())
        recordings = app.save(*changed_media, status)
        return Written(status.status_id, recordings[-1].notification.id)

    return retrying(attempt)


def _description(media: object) -> str | None:
    return getattr(media, "description", None)
