"""Media attachments: the limits a server advertises and enforces (§8.7, §8.8), the MediaAttachment
aggregate, and the rules for uploading, describing and attaching media (§6.6 step 6, §6.7)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import RecordNotFound, Unprocessable, ValidationFailed
from domain.ids import derived_uuid

MAX_MEDIA_ATTACHMENTS = 4
IMAGE_SIZE_LIMIT = 16 * 1024 * 1024  # bytes
IMAGE_MATRIX_LIMIT = 33_177_600  # pixels (width * height)
VIDEO_SIZE_LIMIT = 99 * 1024 * 1024  # bytes
VIDEO_FRAME_RATE_LIMIT = 120
VIDEO_MATRIX_LIMIT = 8_294_400
DESCRIPTION_LIMIT = 1500  # characters
# Types whose bytes the server verifies and accepts.
SUPPORTED_MIME_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
# Stored originals are scaled down to this area (3840x2160), previews to 640x360, as Mastodon.
ORIGINAL_PIXEL_LIMIT = 8_294_400
SMALL_PIXEL_LIMIT = 230_400
# Attachment types that may not share a status with any other attachment.
AUDIO_VIDEO_TYPES = ("video", "audio")

FILE_TYPE_NOT_VERIFIED = "File type of uploaded media could not be verified"
FOCUS_INVALID = "Focus must be two numbers between -1.0 and 1.0"


def human_size(size: int) -> str:
    """Rails' number_to_human_size for the limits we use ("16 MB")."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} Bytes"


def check_upload(
    file_size: int | None, description: str | None, thumbnail_size: int | None = None
) -> None:
    """The model validations of an upload, all failures in one 422 (None: no such part)."""
    problems = []
    if not file_size:
        problems.append("File can't be blank")
    problems += _size_problems("File", file_size)
    problems += _size_problems("Thumbnail", thumbnail_size)
    problems += description_problems(description)
    if problems:
        raise ValidationFailed(*problems)


def check_media_update(description: str | None, thumbnail_size: int | None) -> None:
    """The model validations of a change to an upload, all failures in one 422."""
    problems = _size_problems("Thumbnail", thumbnail_size) + description_problems(description)
    if problems:
        raise ValidationFailed(*problems)


def _size_problems(attachment: str, size: int | None) -> list[str]:
    if size is None or size <= IMAGE_SIZE_LIMIT:
        return []
    # Paperclip reports the limit on both the attachment and its size attribute.
    limit = human_size(IMAGE_SIZE_LIMIT)
    return [
        f"{attachment} must be less than {limit}",
        f"{attachment} file size must be less than {limit}",
    ]


def description_problems(description: str | None) -> list[str]:
    if description is not None and len(description) > DESCRIPTION_LIMIT:
        return [f"Description is too long (maximum is {DESCRIPTION_LIMIT} characters)"]
    return []


def parse_focus(raw: object) -> dict | None:
    """`focus` as "x,y" (or a two-item list) with both in -1..1; None when not given."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    parts = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(parts, list) or len(parts) != 2:
        raise ValidationFailed(FOCUS_INVALID)
    try:
        x, y = (float(part) for part in parts)
    except (TypeError, ValueError):
        raise ValidationFailed(FOCUS_INVALID) from None
    if not all(math.isfinite(v) and -1.0 <= v <= 1.0 for v in (x, y)):
        raise ValidationFailed(FOCUS_INVALID)
    return {"x": x, "y": y}


def check_media_count(media_ids: list[int]) -> None:
    """§6.6 step 6: at most four attachments (counted before duplicates are dropped)."""
    if len(media_ids) > MAX_MEDIA_ATTACHMENTS:
        raise Unprocessable(f"Cannot attach more than {MAX_MEDIA_ATTACHMENTS} files")


class MediaAttachment(Aggregate):
    """An uploaded file's facts, its alt text and focus, and the status it is attached to.

    The facts (type, dimensions, blurhash, where the files are stored) are recorded when the
    file is processed, so a replay never touches a file. Attaching is an event of this
    aggregate saved with the status, so two posts racing for one upload cannot both win.
    """

    TOPIC = "tootlog.media"

    class Created(Aggregate.Created):
        TOPIC = "tootlog.media.created.v1"

    @event("Uploaded", topic="tootlog.media.uploaded.v1")
    def __init__(
        self,
        media_id: int,
        account_id: int,
        media_type: str,
        file: dict,
        preview: dict,
        blurhash: str | None,
        description: str | None,
        focus: dict | None,
    ) -> None:
        self.media_id = media_id
        self.account_id = account_id
        self.media_type = media_type
        self.file = file
        self.preview = preview
        self.description = description
        self.focus = focus
        self.status_id: int | None = None
        self.deleted = False

    @staticmethod
    def create_id(media_id: int) -> UUID:
        return derived_uuid("media", media_id)

    @property
    def file_keys(self) -> list[str]:
        """The storage keys of every file of this attachment."""
        return [self.file["key"], self.preview["key"]]

    def attachable_by(self, account_id: int, status_id: int | None = None) -> bool:
        """The account's own upload, unattached (or already attached to `status_id`, which an
        edit may keep)."""
        return (
            self.account_id == account_id
            and self.status_id in (None, status_id)
            and not self.deleted
        )

    def check_editable_by(self, account_id: int) -> None:
        """GET/PUT /api/v1/media/:id find only the caller's unattached media (§8.8)."""
        if not self.attachable_by(account_id):
            raise RecordNotFound

    def update(self, description: str | None, focus: dict | None) -> bool:
        """Change the alt text and/or focus (None: keep); False when nothing changed."""
        changed = self._changes(description, focus)
        if changed is None:
            return False
        self._updated(media_id=self.media_id, description=changed[0], focus=changed[1])
        return True

    def revise(self, status_id: int, description: str | None, focus: dict | None) -> bool:
        """Change the alt text and/or focus in an edit of its status (`media_attributes`); the
        event names the status, so the status's history (and replay) finds it."""
        changed = self._changes(description, focus)
        if changed is None:
            return False
        self._revised(
            media_id=self.media_id, status_id=status_id, description=changed[0], focus=changed[1]
        )
        return True

    def _changes(self, description: str | None, focus: dict | None) -> tuple | None:
        problems = description_problems(description)
        if problems:
            raise ValidationFailed(*problems)
        new_description = self.description if description is None else description
        new_focus = self.focus if focus is None else focus
        if (new_description, new_focus) == (self.description, self.focus):
            return None
        return new_description, new_focus

    @event("Revised", topic="tootlog.media.revised.v1")
    def _revised(
        self, media_id: int, status_id: int, description: str | None, focus: dict | None
    ) -> None:
        self.description = description
        self.focus = focus

    @event("Updated", topic="tootlog.media.updated.v1")
    def _updated(self, media_id: int, description: str | None, focus: dict | None) -> None:
        self.description = description
        self.focus = focus

    def replace_thumbnail(self, preview: dict, blurhash: str | None) -> str:
        """Use a custom preview (`PUT /api/v1/media/:id` with `thumbnail`); the replaced
        preview's storage key is returned, for its file to go once this is recorded."""
        replaced = self.preview["key"]
        self._thumbnail_replaced(media_id=self.media_id, preview=preview, blurhash=blurhash)
        return replaced

    @event("ThumbnailReplaced", topic="tootlog.media.thumbnail_replaced.v1")
    def _thumbnail_replaced(self, media_id: int, preview: dict, blurhash: str | None) -> None:
        self.preview = preview

    def attach(self, status_id: int) -> None:
        self._attached(media_id=self.media_id, status_id=status_id)

    @event("Attached", topic="tootlog.media.attached.v1")
    def _attached(self, media_id: int, status_id: int) -> None:
        self.status_id = status_id

    def detach(self) -> None:
        """Free the media for a redraft when its status is deleted (§6.7)."""
        self._detached(media_id=self.media_id, status_id=self.status_id)

    @event("Detached", topic="tootlog.media.detached.v1")
    def _detached(self, media_id: int, status_id: int | None) -> None:
        self.status_id = None

    def delete(self) -> None:
        """Delete the media with its status (`delete_media=true`); its files go too."""
        self._deleted(media_id=self.media_id, status_id=self.status_id)

    @event("Deleted", topic="tootlog.media.deleted.v1")
    def _deleted(self, media_id: int, status_id: int | None) -> None:
        self.status_id = None
        self.deleted = True


def check_attachable(
    media_ids: list[int],
    found: Mapping[int, MediaAttachment | None],
    account_id: int,
    status_id: int | None = None,
) -> list[int]:
    """§6.6 step 6: the ids to attach, in the given order without repeats, or a 422.

    `found` maps each requested id to its aggregate (None when there is none); `status_id`: the
    status being edited, whose own media may stay.
    """
    check_media_count(media_ids)
    wanted = list(dict.fromkeys(media_ids))
    missing = [
        i
        for i in wanted
        if (m := found.get(i)) is None or not m.attachable_by(account_id, status_id)
    ]
    if missing:
        ids = ", ".join(map(str, missing))
        raise Unprocessable(f"Media {ids} not found or already attached to another post")
    if len(wanted) > 1 and any(found[i].media_type in AUDIO_VIDEO_TYPES for i in wanted):
        raise Unprocessable("Cannot attach a video to a post that already contains images")
    return wanted
