"""An account's public profile: what `PATCH /api/v1/accounts/update_credentials` may change and
Mastodon's rules for it (Account validations, Account::Avatar, Account::Header)."""

from __future__ import annotations

from dataclasses import dataclass

from domain import text as texts
from domain.account import DISPLAY_NAME_MAX

NOTE_MAX = 500  # characters, counted as a status counts them (URLs as 23)
PROFILE_IMAGE_LIMIT = 8 * 1024 * 1024  # bytes, as Mastodon with libvips (its default)
AVATAR_SIZE = (400, 400)  # cropped to fill, as Mastodon's "400x400#"
HEADER_SIZE = (1500, 500)
# Mastodon's profile parameters tootlog does not implement yet: refused when given, never
# silently dropped (a client would believe its profile fields or privacy default were saved).
NOT_YET_SUPPORTED = (
    "discoverable",
    "hide_collections",
    "indexable",
    "fields_attributes",
    "source",
    "attribution_domains",
)


@dataclass(frozen=True)
class StoredImage:
    """An avatar or header as stored: the file shown, and a still image of its first frame."""

    key: str
    static_key: str

    def as_fields(self) -> dict:
        return {"key": self.key, "static_key": self.static_key}


@dataclass(frozen=True)
class ProfileChange:
    """What one request asks to change; None leaves a field as it is."""

    display_name: str | None = None
    note: str | None = None
    bot: bool | None = None
    avatar: StoredImage | None = None
    header: StoredImage | None = None


def profile_problems(display_name: str | None, note: str | None) -> list[str]:
    """Mastodon's validations of the text fields, as 'Validation failed:' messages."""
    problems = []
    if display_name is not None and len(display_name) > DISPLAY_NAME_MAX:
        problems.append(f"Display name is too long (maximum is {DISPLAY_NAME_MAX} characters)")
    if note is not None and texts.status_length(note, "") > NOTE_MAX:
        problems.append(f"Note is too long (maximum is {NOTE_MAX} characters)")
    return problems


def image_size_problem(field: str, size: int | None) -> str | None:
    """Mastodon's size rule for an avatar or header upload."""
    if size is not None and size > PROFILE_IMAGE_LIMIT:
        megabytes = PROFILE_IMAGE_LIMIT // (1024 * 1024)
        return f"{field.capitalize()} file size must be less than {megabytes} MB"
    return None
