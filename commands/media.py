"""Use cases: upload media, change its description, focus or preview (§8.8)."""

from __future__ import annotations

import logging
from typing import BinaryIO

from commands.accounts import Written
from commands.app import TootlogApplication, retrying
from commands.images import process_thumbnail, process_upload
from commands.storage import MediaStorage, new_keys, new_preview_key
from domain.errors import RecordNotFound
from domain.ids import snowflakes
from domain.media import MediaAttachment, check_media_update, check_upload, parse_focus

log = logging.getLogger("tootlog.media")


def upload(
    app: TootlogApplication,
    storage: MediaStorage,
    *,
    account_id: int,
    file: BinaryIO | None,
    file_size: int | None,
    thumbnail: BinaryIO | None = None,
    thumbnail_size: int | None = None,
    description: str | None = None,
    focus: object = None,
) -> Written:
    """Verify and store an image (and its custom preview), then record the facts as Uploaded.

    The files are written before the event; if the event is not stored they are removed again.
    """
    check_upload(file_size, description, thumbnail_size)
    assert file is not None  # check_upload refuses a missing file
    focus_point = parse_focus(focus)
    processed = process_upload(file, thumbnail)
    keys = new_keys(processed.original.content_type, processed.small.content_type)
    original_key, small_key = keys
    try:
        storage.save(original_key, processed.original.data)
        storage.save(small_key, processed.small.data)

        def attempt() -> Written:
            media = MediaAttachment(
                media_id=snowflakes.next_id(),
                account_id=account_id,
                media_type="image",
                file={
                    "key": original_key,
                    "content_type": processed.original.content_type,
                    "size": len(processed.original.data),
                    "width": processed.original.width,
                    "height": processed.original.height,
                },
                preview={
                    "key": small_key,
                    "content_type": processed.small.content_type,
                    "width": processed.small.width,
                    "height": processed.small.height,
                },
                blurhash=processed.blurhash,
                description=description,
                focus=focus_point,
            )
            recordings = app.save(media)
            return Written(media.media_id, recordings[-1].notification.id)

        return retrying(attempt)
    except BaseException:
        remove_files(storage, list(keys))
        raise


def update(
    app: TootlogApplication,
    storage: MediaStorage,
    *,
    account_id: int,
    media_id: int,
    description: str | None = None,
    focus: object = None,
    thumbnail: BinaryIO | None = None,
    thumbnail_size: int | None = None,
) -> Written:
    """Change the description, focus and/or custom preview of one of the caller's unattached
    uploads. A new preview is stored under a new key before the event; the replaced preview's
    file goes once the event is recorded (a crash in between leaves garbage, never a gap)."""
    check_media_update(description, thumbnail_size)
    focus_point = parse_focus(focus)
    preview = None
    if thumbnail is not None:
        _editable(app, media_id, account_id)  # 404 before the costly decoding
        preview = process_thumbnail(thumbnail)
        preview_key = new_preview_key(preview.small.content_type)
        storage.save(preview_key, preview.small.data)
    replaced: list[str] = []

    def attempt() -> Written:
        media = _editable(app, media_id, account_id)
        changed = media.update(description, focus_point)
        if preview is not None:
            small = preview.small
            stored = {"key": preview_key, "content_type": small.content_type}
            geometry = {"width": small.width, "height": small.height}
            replaced[:] = [media.replace_thumbnail({**stored, **geometry}, preview.blurhash)]
        elif not changed:
            return Written(media_id, app.last_position())
        recordings = app.save(media)
        return Written(media_id, recordings[-1].notification.id)

    try:
        written = retrying(attempt)
    except BaseException:
        if preview is not None:
            remove_files(storage, [preview_key])
        raise
    remove_files(storage, replaced)
    return written


def _editable(app: TootlogApplication, media_id: int, account_id: int) -> MediaAttachment:
    media = app.get_or_none(MediaAttachment.create_id(media_id), MediaAttachment)
    if media is None:
        raise RecordNotFound
    media.check_editable_by(account_id)
    return media


def load_media(app: TootlogApplication, media_ids: list[int]) -> dict[int, MediaAttachment | None]:
    """The aggregates of `media_ids` (None for an id that names no upload)."""
    return {
        media_id: app.get_or_none(MediaAttachment.create_id(media_id), MediaAttachment)
        if media_id
        else None
        for media_id in dict.fromkeys(media_ids)
    }


def remove_files(storage: MediaStorage, keys: list[str]) -> None:
    """Best effort: a file left behind is garbage, never wrong data (the log says it is gone)."""
    for key in keys:
        try:
            storage.delete(key)
        except OSError:
            log.warning("could not remove media file %s", key, exc_info=True)
