"""The pre-rendered JSON stored in read-model rows: everything that is the same for every viewer.

Counters and per-viewer fields are not here: queries add them from their columns, so a counter
change never rewrites a document.
"""

from __future__ import annotations

from datetime import UTC, datetime

from domain.ids import format_datetime, snowflake_time
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
        "avatar": urls.avatar_missing(),
        "avatar_static": urls.avatar_missing(),
        "header": urls.header_missing(),
        "header_static": urls.header_missing(),
        "hide_collections": None,
        "noindex": False,
        "emojis": [],
        "roles": [],
        "fields": [],
    }


def status_document(urls: Urls, event, author_username: str) -> dict:  # noqa: ANN001
    """REST::StatusSerializer for a local status, minus counters, account and viewer fields."""
    return {
        "id": str(event.status_id),
        "created_at": format_datetime(snowflake_time(event.status_id)),
        "in_reply_to_id": _str_or_none(event.in_reply_to_id),
        "in_reply_to_account_id": _str_or_none(event.in_reply_to_account_id),
        "sensitive": event.sensitive,
        "spoiler_text": event.spoiler_text,
        "visibility": event.visibility,
        "language": event.language,
        "uri": urls.status_uri(author_username, event.status_id),
        "url": urls.status_url(author_username, event.status_id),
        "edited_at": None,
        "content": event.content,
        "reblog": None,
        "application": event.application,
        "media_attachments": [],
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
        "emojis": [],
        "card": None,
        "poll": None,
    }


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
