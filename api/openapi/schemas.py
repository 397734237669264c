"""The entities tootlog answers with, as JSON Schema (2020-12, as OpenAPI 3.1 uses it).

They describe what tootlog sends, which is a subset of Mastodon's entities (mastodon-api.md §3):
closed objects wherever tootlog's shape is fixed, so a key that appears or disappears is a
difference between the document and the server, not an accident a client finds.
"""

from __future__ import annotations

from api.openapi.parts import (
    BOOLEAN,
    COUNT,
    NULL,
    STRING,
    URL,
    Schema,
    array,
    closed,
    nullable,
    ref,
)
from domain import card, media, poll
from domain.oauth import DESCRIPTIONS as OAUTH_ERRORS
from domain.scopes import VALID_SCOPES
from domain.visibility import VISIBILITIES

ID = ref("Id")
DATETIME = ref("Datetime")
EMPTY_LIST: Schema = {"type": "array", "maxItems": 0}

_ACCOUNT = {
    "id": ID,
    "username": STRING,
    "acct": {**STRING, "description": "The username: every account is local."},
    "display_name": STRING,
    "locked": BOOLEAN,
    "bot": BOOLEAN,
    "discoverable": nullable(BOOLEAN),
    "indexable": BOOLEAN,
    "group": BOOLEAN,
    "created_at": {
        "allOf": [DATETIME, {"pattern": r"T00:00:00\.000Z$"}],
        "description": "Midnight UTC of the sign-up day.",
    },
    "note": {**STRING, "description": "HTML."},
    "url": URL,
    "uri": URL,
    "avatar": URL,
    "avatar_static": URL,
    "header": URL,
    "header_static": URL,
    "hide_collections": nullable(BOOLEAN),
    "noindex": BOOLEAN,
    "emojis": array(ref("CustomEmoji")),
    "roles": array(closed({"id": STRING, "name": STRING, "color": STRING})),
    "fields": array(ref("Field")),
    "followers_count": COUNT,
    "following_count": COUNT,
    "statuses_count": {**COUNT, "description": "Statuses and reblogs, not direct ones."},
    "last_status_at": nullable(ref("Date")),
}

_SOURCE = closed(
    {
        "privacy": {"enum": ["public", "unlisted", "private"]},
        "sensitive": BOOLEAN,
        "language": nullable(STRING),
        "note": {**STRING, "description": "The bio as plain text."},
        "fields": array(ref("Field")),
        "follow_requests_count": COUNT,
        "hide_collections": nullable(BOOLEAN),
        "discoverable": nullable(BOOLEAN),
        "indexable": BOOLEAN,
        "attribution_domains": array(STRING),
        "quote_policy": {"enum": ["public", "followers", "nobody"]},
    }
)
_ROLE = closed(
    {
        "id": STRING,
        "name": STRING,
        "permissions": {"type": "string", "pattern": r"^[0-9]+$"},
        "color": STRING,
        "highlighted": BOOLEAN,
    }
)

_VIEWER_KEYS = ("favourited", "reblogged", "muted", "bookmarked", "filtered")


def _status(body_key: str, reblog: Schema, description: str) -> Schema:
    """The Status entity with `content` (HTML) or, in a DELETE answer, `text` (its source)."""
    body = (
        {"content": {**STRING, "description": "HTML; empty for a reblog wrapper."}}
        if body_key == "content"
        else {"text": {**STRING, "description": "The source text, for redrafting."}}
    )
    schema = closed(
        {
            "id": ID,
            "created_at": DATETIME,
            "in_reply_to_id": nullable(ID),
            "in_reply_to_account_id": nullable(ID),
            "sensitive": BOOLEAN,
            "spoiler_text": STRING,
            "visibility": ref("Visibility"),
            "language": nullable(STRING),
            "uri": URL,
            "url": nullable(URL),
            "replies_count": COUNT,
            "reblogs_count": COUNT,
            "favourites_count": COUNT,
            "edited_at": nullable(DATETIME),
            **body,
            "reblog": reblog,
            "application": nullable(ref("StatusApplication")),
            "account": ref("Account"),
            "media_attachments": array(
                ref("MediaAttachment"), maxItems=media.MAX_MEDIA_ATTACHMENTS
            ),
            "mentions": array(ref("Mention")),
            "tags": array(ref("Tag")),
            "emojis": array(ref("CustomEmoji")),
            "card": {
                **nullable(ref("PreviewCard")),
                "description": "The preview of the status's first link: null until the card "
                "worker has fetched it (seconds after posting), when the page gave none, and "
                "always for statuses with media.",
            },
            "poll": nullable(ref("Poll")),
        },
        {
            "favourited": BOOLEAN,
            "reblogged": BOOLEAN,
            "muted": BOOLEAN,
            "bookmarked": BOOLEAN,
            "filtered": {**EMPTY_LIST, "description": "tootlog has no filters."},
            "pinned": {
                **BOOLEAN,
                "description": "Only on the viewer's own statuses that can be pinned "
                "(not a reblog, not direct).",
            },
        },
    )
    # The per-viewer keys come together, for a viewer with a user, or not at all.
    schema["dependentRequired"] = {
        **{key: [other for other in _VIEWER_KEYS if other != key] for key in _VIEWER_KEYS},
        "pinned": list(_VIEWER_KEYS),
    }
    schema["description"] = description
    return schema


def _instance_statuses() -> Schema:
    return closed(
        {
            "max_characters": COUNT,
            "max_media_attachments": COUNT,
            "characters_reserved_per_url": COUNT,
        }
    )


def _instance_media(*extra: str) -> Schema:
    return closed(
        {
            "supported_mime_types": array(STRING),
            "image_size_limit": COUNT,
            "image_matrix_limit": COUNT,
            "video_size_limit": COUNT,
            "video_frame_rate_limit": COUNT,
            "video_matrix_limit": COUNT,
            **{name: COUNT for name in extra},
        }
    )


def _instance_polls() -> Schema:
    return closed(
        {
            "max_options": COUNT,
            "max_characters_per_option": COUNT,
            "min_expiration": COUNT,
            "max_expiration": COUNT,
        }
    )


_POLL = closed(
    {
        "id": ID,
        "expires_at": DATETIME,
        "expired": {**BOOLEAN, "description": "Past `expires_at` at the moment of the answer."},
        "multiple": BOOLEAN,
        "votes_count": COUNT,
        "voters_count": COUNT,
        "options": array(
            closed(
                {
                    "title": {"type": "string", "maxLength": poll.MAX_OPTION_CHARS * 8},
                    "votes_count": {
                        **nullable(COUNT),
                        "description": "null while the poll hides its totals (until it ends).",
                    },
                }
            ),
            minItems=2,
            maxItems=poll.MAX_OPTIONS,
        ),
        "emojis": array(ref("CustomEmoji")),
    },
    {
        "voted": {**BOOLEAN, "description": "The viewer voted, or wrote the poll."},
        "own_votes": array({"type": "integer", "minimum": 0}),
    },
)
_POLL["dependentRequired"] = {"voted": ["own_votes"], "own_votes": ["voted"]}
_POLL["description"] = "A poll (REST::PollSerializer); `voted` and `own_votes` for a user only."

_SCHEDULED = closed(
    {
        "id": ID,
        "scheduled_at": DATETIME,
        "params": {
            "type": "object",
            "description": "What the client asked for, as sent (Mastodon's params; keys in "
            "jsonb's order): text, poll, media_ids, sensitive, spoiler_text, visibility, "
            "language, in_reply_to_id (a number), idempotency, scheduled_at, with_rate_limit.",
            "required": ["text", "poll", "media_ids", "visibility", "in_reply_to_id"],
        },
        "media_attachments": array(ref("MediaAttachment")),
    }
)
_SCHEDULED["description"] = "A status waiting for its time (REST::ScheduledStatusSerializer)."

_RULE = closed({"id": STRING, "text": STRING, "hint": STRING})
_VERSION = {"type": "string", "pattern": r"^[0-9]+\.[0-9]+\.[0-9]+"}

INSTANCE_V1 = closed(
    {
        "uri": {**STRING, "description": "The bare domain."},
        "title": STRING,
        "short_description": STRING,
        "description": STRING,
        "email": STRING,
        "version": _VERSION,
        "urls": closed({"streaming_api": STRING}),
        "stats": closed({"user_count": COUNT, "status_count": COUNT, "domain_count": COUNT}),
        "thumbnail": nullable(URL),
        "languages": array(STRING),
        "registrations": BOOLEAN,
        "approval_required": BOOLEAN,
        "invites_enabled": BOOLEAN,
        "configuration": closed(
            {
                "accounts": closed({"max_featured_tags": COUNT}),
                "statuses": _instance_statuses(),
                "media_attachments": _instance_media(),
                "polls": _instance_polls(),
            }
        ),
        "contact_account": nullable(ref("Account")),
        "rules": array(_RULE),
    }
)

INSTANCE_V2 = closed(
    {
        "domain": STRING,
        "title": STRING,
        "version": _VERSION,
        "source_url": URL,
        "description": STRING,
        "usage": closed({"users": closed({"active_month": COUNT})}),
        "thumbnail": closed({"url": URL}),
        "icon": array(closed({"src": URL, "size": STRING})),
        "languages": array(STRING),
        "configuration": closed(
            {
                "urls": closed(
                    {
                        "streaming": STRING,
                        "status": nullable(URL),
                        "about": URL,
                        "privacy_policy": nullable(URL),
                        "terms_of_service": nullable(URL),
                    }
                ),
                "vapid": closed({"public_key": STRING}),
                "accounts": closed({"max_featured_tags": COUNT, "max_pinned_statuses": COUNT}),
                "statuses": _instance_statuses(),
                "media_attachments": _instance_media("description_limit"),
                "polls": _instance_polls(),
                "translation": closed({"enabled": BOOLEAN}),
            }
        ),
        "registrations": closed(
            {
                "enabled": BOOLEAN,
                "approval_required": BOOLEAN,
                "message": nullable(STRING),
                "url": nullable(URL),
            }
        ),
        "api_versions": closed({"mastodon": COUNT}),
        "contact": closed({"email": STRING, "account": nullable(ref("Account"))}),
        "rules": array(_RULE),
    }
)

_GEOMETRY = closed(
    {
        "width": {"type": "integer", "minimum": 1},
        "height": {"type": "integer", "minimum": 1},
        "size": {"type": "string", "pattern": r"^[0-9]+x[0-9]+$"},
        "aspect": {"type": "number", "exclusiveMinimum": 0},
    }
)
_FOCUS_COORDINATE = {"type": "number", "minimum": -1, "maximum": 1}

_APPLICATION = {
    "id": ID,
    "name": STRING,
    "website": nullable(STRING),
    "scopes": array(ref("Scope")),
    "redirect_uris": array(STRING),
    "redirect_uri": {**STRING, "description": "`redirect_uris` joined by newlines (deprecated)."},
    "vapid_key": {**STRING, "description": "Always empty: tootlog has no Web Push."},
}

SCHEMAS: dict[str, Schema] = {
    "Id": {
        "type": "string",
        "pattern": r"^[0-9]+$",
        "description": "A decimal integer as a string (snowflakes exceed 2^53).",
    },
    "Datetime": {
        "type": "string",
        "format": "date-time",
        "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$",
        "description": "ISO 8601 in UTC with milliseconds.",
    },
    "Date": {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
    "Visibility": {"enum": list(VISIBILITIES)},
    "Scope": {"enum": sorted(VALID_SCOPES)},
    "Error": closed({"error": {**STRING, "description": "A human-readable message."}}),
    "ValidationError": closed(
        {
            "error": {"type": "string", "pattern": "^Validation failed: "},
            "details": {
                "type": "object",
                "description": "Each failing field's errors.",
                "additionalProperties": array(
                    closed(
                        {
                            "error": {"type": "string", "pattern": "^ERR_[A-Z_]+$"},
                            "description": STRING,
                        }
                    ),
                    minItems=1,
                ),
            },
        }
    ),
    "OAuthError": closed({"error": {"enum": sorted(OAUTH_ERRORS)}, "error_description": STRING}),
    "EmptyObject": {"type": "object", "maxProperties": 0},
    "CustomEmoji": closed(
        {"shortcode": STRING, "url": URL, "static_url": URL, "visible_in_picker": BOOLEAN},
        {"category": nullable(STRING)},
    ),
    "Field": closed({"name": STRING, "value": STRING, "verified_at": nullable(DATETIME)}),
    "Account": {**closed(_ACCOUNT), "description": "A local account (REST::AccountSerializer)."},
    "CredentialAccount": {
        **closed({**_ACCOUNT, "source": _SOURCE, "role": _ROLE}),
        "description": "The viewer's own account, with its source and role.",
    },
    "Relationship": closed(
        {
            "id": ID,
            "following": BOOLEAN,
            "showing_reblogs": BOOLEAN,
            "notifying": BOOLEAN,
            "languages": nullable(array(STRING)),
            "followed_by": BOOLEAN,
            "blocking": BOOLEAN,
            "blocked_by": BOOLEAN,
            "muting": BOOLEAN,
            "muting_notifications": BOOLEAN,
            "requested": BOOLEAN,
            "requested_by": BOOLEAN,
            "domain_blocking": BOOLEAN,
            "endorsed": BOOLEAN,
            "note": STRING,
        }
    ),
    "Mention": closed({"id": ID, "username": STRING, "url": URL, "acct": STRING}),
    "Tag": closed({"name": {**STRING, "description": "Normalised (lowercase)."}, "url": URL}),
    "StatusApplication": closed({"name": STRING, "website": nullable(STRING)}),
    "Status": _status(
        "content",
        nullable(ref("ReblogOriginal")),
        "A status or a reblog wrapper. Per-viewer keys appear only for a viewer with a user.",
    ),
    "ReblogOriginal": _status("content", NULL, "The original status inside a reblog wrapper."),
    "DeletedStatus": _status(
        "text",
        nullable(ref("DeletedReblogOriginal")),
        "A status as it was before its deletion, with its source `text` instead of `content`.",
    ),
    "DeletedReblogOriginal": _status(
        "text", NULL, "The original inside a deleted reblog wrapper, with its source `text`."
    ),
    "Context": closed({"ancestors": array(ref("Status")), "descendants": array(ref("Status"))}),
    "MediaAttachment": closed(
        {
            "id": ID,
            "type": {"enum": ["unknown", "image", "gifv", "video", "audio"]},
            "url": nullable(URL),
            "preview_url": nullable(URL),
            "remote_url": nullable(URL),
            "preview_remote_url": nullable(URL),
            "text_url": nullable(URL),
            "meta": nullable(
                closed(
                    {"original": _GEOMETRY, "small": _GEOMETRY},
                    {"focus": closed({"x": _FOCUS_COORDINATE, "y": _FOCUS_COORDINATE})},
                )
            ),
            "description": nullable({"type": "string", "maxLength": media.DESCRIPTION_LIMIT}),
            "blurhash": nullable(STRING),
        }
    ),
    "Application": {**closed(_APPLICATION), "description": "An app as its tokens see it."},
    "CredentialApplication": {
        **closed(
            {
                **_APPLICATION,
                "client_id": STRING,
                "client_secret": STRING,
                "client_secret_expires_at": {"const": 0},
            }
        ),
        "description": "A newly registered app, with its client credentials.",
    },
    "Token": closed(
        {
            "access_token": STRING,
            "token_type": {"const": "Bearer"},
            "scope": {**STRING, "description": "Every granted scope, space-separated."},
            "created_at": {"type": "integer", "description": "Unix time."},
        }
    ),
    "PreviewCard": {
        **closed(
            {
                "url": URL,
                "title": STRING,
                "description": STRING,
                "language": nullable(STRING),
                "type": {"enum": list(card.CARD_TYPES)},
                "author_name": STRING,
                "author_url": STRING,
                "provider_name": STRING,
                "provider_url": STRING,
                "html": {
                    **STRING,
                    "description": "An iframe rebuilt from an oEmbed `video`/`rich` answer of "
                    "an allow-listed provider (TOOTLOG_CARD_OEMBED_PROVIDERS), else empty.",
                },
                "width": COUNT,
                "height": COUNT,
                "image": {
                    **nullable(URL),
                    "description": "The page's own image URL (tootlog checks the image but "
                    "does not copy it); null when it could not be fetched as an image.",
                },
                "image_description": STRING,
                "embed_url": STRING,
                "blurhash": nullable(STRING),
                "published_at": nullable(DATETIME),
                "authors": array(
                    closed({"name": STRING, "url": STRING, "account": NULL}), maxItems=1
                ),
            }
        ),
        "description": "A link preview, fetched once from the page and recorded as an event.",
    },
    "Poll": _POLL,
    "ScheduledStatus": _SCHEDULED,
    "InstanceV1": INSTANCE_V1,
    "InstanceV2": INSTANCE_V2,
}
