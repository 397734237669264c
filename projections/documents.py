"""The pre-rendered JSON stored in read-model rows: everything that is the same for every viewer.

Counters and per-viewer fields are not here: queries add them from their columns, so a counter
change never rewrites a document.
"""

from __future__ import annotations

from datetime import UTC, datetime

from domain.ids import format_datetime, snowflake_iso, snowflake_time
from domain.urls import Urls


def account_document(urls: Urls, event) -> dict:  # noqa: ANN001  (Account.Registered)
    """REST::AccountSerializer for a local account, minus its counters."""
    created = snowflake_time(event.account_id)
    midnight = datetime(created.year, created.month, created.day, tzinfo=UTC)
    return {
        "id": str(event.account_id),
        "username": event.username,
        "acct": event.username,
        "display_name": event.display_name,
        "locked": event.locked,
        "bot": event.bot,
        "discoverable": None,
        "indexable": False,
        "group": False,
        "created_at": format_datetime(midnight),
        "note": "",
        "url": urls.profile(event.username),
        "uri": urls.actor(event.username),
        **profile_images(urls, None, None),
        "hide_collections": None,
        "noindex": False,
        "emojis": [],
        "roles": [],
        "fields": [],
    }


def profile_fields(urls: Urls, event) -> dict:  # noqa: ANN001  (Account.ProfileUpdated)
    """The Account keys a profile change sets."""
    return {
        "display_name": event.display_name,
        "bot": event.bot,
        "note": event.note_html,
        **profile_images(urls, event.avatar, event.header),
    }


def profile_images(urls: Urls, avatar: dict | None, header: dict | None) -> dict:
    """The avatar and header URLs: the stored files, or the defaults every account starts with."""
    return {
        "avatar": urls.media_file(avatar["key"]) if avatar else urls.avatar_missing(),
        "avatar_static": urls.media_file(avatar["static_key"]) if avatar else urls.avatar_missing(),
        "header": urls.media_file(header["key"]) if header else urls.header_missing(),
        "header_static": urls.media_file(header["static_key"]) if header else urls.header_missing(),
    }


def status_document(
    urls: Urls,
    event,  # noqa: ANN001  (Status.Published)
    author_username: str,
    media_attachments: list[dict] | None = None,
) -> dict:
    """REST::StatusSerializer for a local status, minus counters, account and viewer fields.

    `media_attachments` are the documents of its media, in the order of `media_ids`.
    """
    fields = edited_fields(urls, event, media_attachments)
    return {
        "id": str(event.status_id),
        "created_at": snowflake_iso(event.status_id),
        "in_reply_to_id": _str_or_none(event.in_reply_to_id),
        "in_reply_to_account_id": _str_or_none(event.in_reply_to_account_id),
        "sensitive": fields["sensitive"],
        "spoiler_text": fields["spoiler_text"],
        "visibility": event.visibility,
        "language": fields["language"],
        "uri": urls.status_uri(author_username, event.status_id),
        "url": urls.status_url(author_username, event.status_id),
        "edited_at": None,
        "content": fields["content"],
        "reblog": None,
        "application": event.application,
        "media_attachments": fields["media_attachments"],
        "mentions": fields["mentions"],
        "tags": fields["tags"],
        "emojis": [],
        "card": None,
        "poll": None,
    }


def edited_fields(
    urls: Urls,
    event,  # noqa: ANN001  (Status.Published or Status.Edited)
    media_attachments: list[dict] | None = None,
) -> dict:
    """The fields of a status document that an edit may change (all but `edited_at`)."""
    return {
        "sensitive": event.sensitive,
        "spoiler_text": event.spoiler_text,
        "language": event.language,
        "content": event.content,
        "media_attachments": media_attachments or [],
        "mentions": [
            {
                "id": str(m["id"]),
                "username": m["username"],
                "url": urls.profile(m["username"]),
                "acct": m["username"],
            }
            for m in event.mentions
        ],
        "tags": [{"name": name, "url": f"{urls.tags}/{name}"} for name in event.tags],
    }


def media_document(urls: Urls, event) -> dict:  # noqa: ANN001  (MediaAttachment.Uploaded)
    """REST::MediaAttachmentSerializer for a local upload."""
    meta: dict = {"original": _geometry(event.file), "small": _geometry(event.preview)}
    if event.focus is not None:
        meta["focus"] = event.focus
    return {
        "id": str(event.media_id),
        "type": event.media_type,
        "url": urls.media_file(event.file["key"]),
        "preview_url": urls.media_file(event.preview["key"]),
        "remote_url": None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": meta,
        "description": event.description,
        "blurhash": event.blurhash,
    }


def media_preview_fields(urls: Urls, event) -> dict:  # noqa: ANN001  (.ThumbnailReplaced)
    """The fields of a media document that a replaced preview changes (`meta.small` too)."""
    return {
        "preview_url": urls.media_file(event.preview["key"]),
        "blurhash": event.blurhash,
        "small": _geometry(event.preview),
    }


def _geometry(file: dict) -> dict:
    width, height = file["width"], file["height"]
    return {"width": width, "height": height, "size": f"{width}x{height}", "aspect": width / height}


def application_document(event) -> dict:  # noqa: ANN001  (OAuthApp.Registered)
    """REST::ApplicationSerializer: what any of the app's tokens may read about it (no secret)."""
    return {
        "id": str(event.app_id),
        "name": event.name,
        "website": event.website,
        "scopes": event.scopes,
        "redirect_uris": event.redirect_uris,
        "redirect_uri": "\n".join(event.redirect_uris),
        # tootlog has no Web Push, hence no VAPID key; the field is deprecated anyway.
        "vapid_key": "",
    }


def _str_or_none(value: int | None) -> str | None:
    return None if value is None else str(value)


def wrapper_document(urls: Urls, wrapper_status_id: int, visibility: str, username: str) -> dict:
    """A reblog wrapper, minus counters, account, viewer fields and the nested original."""
    activity = f"{urls.status_uri(username, wrapper_status_id)}/activity"
    return {
        "id": str(wrapper_status_id),
        "created_at": snowflake_iso(wrapper_status_id),
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": visibility,
        "language": None,
        "uri": activity,
        "url": activity,
        "edited_at": None,
        "content": "",
        "application": None,
        "media_attachments": [],
        "mentions": [],
        "tags": [],
        "emojis": [],
        "card": None,
        "poll": None,
    }
