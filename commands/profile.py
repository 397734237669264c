"""Use case: change one's public profile (`PATCH /api/v1/accounts/update_credentials`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from commands.accounts import Written
from commands.app import TootlogApplication, retrying
from commands.images import process_profile_image
from commands.media import remove_files
from commands.statuses import resolve_mention
from commands.storage import MediaStorage, new_keys
from domain import entities
from domain import text as texts
from domain.account import Account
from domain.errors import NotFound, ValidationFailed
from domain.profile import (
    AVATAR_SIZE,
    HEADER_SIZE,
    ProfileChange,
    StoredImage,
    image_size_problem,
    profile_problems,
)
from domain.urls import Urls


@dataclass(frozen=True)
class Upload:
    """An avatar or header as the request carried it."""

    file: BinaryIO
    size: int | None


def update_profile(
    app: TootlogApplication,
    storage: MediaStorage,
    urls: Urls,
    *,
    account_id: int,
    display_name: str | None = None,
    note: str | None = None,
    bot: bool | None = None,
    locked: bool | None = None,
    avatar: Upload | None = None,
    header: Upload | None = None,
) -> Written:
    """Record the profile the request asks for, or nothing when it changes nothing.

    Text rules and image sizes are checked before any image is decoded; images are stored
    before the event (removed again if it is not recorded), and the files they replace are
    removed once it is.
    """
    problems = profile_problems(display_name, note)
    for field, upload in (("avatar", avatar), ("header", header)):
        problem = image_size_problem(field, upload.size) if upload else None
        if problem:
            problems.append(problem)
    if problems:
        raise ValidationFailed(*problems)
    stored: list[str] = []
    try:
        change = ProfileChange(
            display_name=display_name,
            note=note,
            bot=bot,
            avatar=_store(storage, avatar, AVATAR_SIZE, stored) if avatar else None,
            header=_store(storage, header, HEADER_SIZE, stored) if header else None,
        )
        replaced: list[str] = []

        def attempt() -> Written:
            account = app.get_or_none(Account.create_id(account_id), Account)
            if account is None:
                raise NotFound
            if locked is not None and locked != account.locked:
                # Follow requests do not exist yet, so a locked account could not be followed.
                raise ValidationFailed("Locked accounts are not supported by this server yet")
            fields = _profile_after(account, change, urls, app)
            if fields is None:
                return Written(account_id, app.last_position())
            replaced[:] = _files_replaced(account, fields)
            account.update_profile(account_id=account_id, **fields)
            recordings = app.save(account)
            return Written(account_id, recordings[-1].notification.id)

        written = retrying(attempt)
    except BaseException:
        remove_files(storage, stored)
        raise
    remove_files(storage, replaced)
    return written


def _store(
    storage: MediaStorage, upload: Upload, size: tuple[int, int], stored: list[str]
) -> StoredImage:
    image = process_profile_image(upload.file, size)
    key, still_key = new_keys(image.shown.content_type, image.still.content_type)
    storage.save(key, image.shown.data)
    stored.append(key)
    if image.still is image.shown:
        return StoredImage(key, key)
    storage.save(still_key, image.still.data)
    stored.append(still_key)
    return StoredImage(key, still_key)


def _profile_after(
    account: Account, change: ProfileChange, urls: Urls, app: TootlogApplication
) -> dict | None:
    """The ProfileUpdated fields, or None when the request leaves the profile as it is."""
    note = account.note if change.note is None else change.note
    note_html = account.note_html if note == account.note else _note_html(note, urls, app)
    fields = {
        "display_name": account.display_name
        if change.display_name is None
        else change.display_name,
        "note": note,
        "note_html": note_html,
        "bot": account.bot if change.bot is None else change.bot,
        "avatar": change.avatar.as_fields() if change.avatar else account.avatar,
        "header": change.header.as_fields() if change.header else account.header,
    }
    before = {
        "display_name": account.display_name,
        "note": account.note,
        "note_html": account.note_html,
        "bot": account.bot,
        "avatar": account.avatar,
        "header": account.header,
    }
    return None if fields == before else fields


def _note_html(note: str, urls: Urls, app: TootlogApplication) -> str:
    """The note as Mastodon shows it: links, hashtags and mentions of local accounts."""
    mentioned = {}
    for acct in entities.mention_names(note):
        account = resolve_mention(app, urls, acct)
        if account is not None:
            mentioned[acct.lower()] = urls.profile(account.username)
    return texts.render_html(note.strip(), mentions=mentioned, tag_base_url=urls.tags)


def _files_replaced(account: Account, fields: dict) -> list[str]:
    """The stored files of the avatar and header this change replaces."""
    keys: list[str] = []
    for name in ("avatar", "header"):
        old, new = getattr(account, name), fields[name]
        if old and old != new:
            keys.extend(dict.fromkeys((old["key"], old["static_key"])))
    return keys
