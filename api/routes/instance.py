"""GET /api/v1/instance and GET /api/v2/instance (§8.7): what clients read to know the server.

The advertised limits are the ones the code enforces.
"""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.config import Settings
from api.services import services
from domain import media, poll
from domain.pins import MAX_PINNED_STATUSES
from domain.status import MAX_CHARACTERS
from domain.text import URL_COUNTED_LENGTH
from projections.instance_reads import InstanceStats

# Mastodon answers the deprecated v1 with the date of its deprecation (2022-11-14).
V1_DEPRECATION = "@1668384000"
API_VERSION = 2  # Mastodon 4.3's api_versions.mastodon
MAX_FEATURED_TAGS = 10
INSTANCE_CACHE = "public, max-age=180"


def _statuses() -> dict:
    return {
        "max_characters": MAX_CHARACTERS,
        "max_media_attachments": media.MAX_MEDIA_ATTACHMENTS,
        "characters_reserved_per_url": URL_COUNTED_LENGTH,
    }


def _polls(settings: Settings) -> dict:
    return {
        "max_options": poll.MAX_OPTIONS,
        "max_characters_per_option": poll.MAX_OPTION_CHARS,
        "min_expiration": settings.poll_min_expiration,
        "max_expiration": poll.MAX_EXPIRATION,
    }


def _media_attachments() -> dict:
    return {
        "supported_mime_types": list(media.SUPPORTED_MIME_TYPES),
        "image_size_limit": media.IMAGE_SIZE_LIMIT,
        "image_matrix_limit": media.IMAGE_MATRIX_LIMIT,
        "video_size_limit": media.VIDEO_SIZE_LIMIT,
        "video_frame_rate_limit": media.VIDEO_FRAME_RATE_LIMIT,
        "video_matrix_limit": media.VIDEO_MATRIX_LIMIT,
    }


def _streaming_url(settings: Settings) -> str:
    scheme = "wss" if settings.urls.scheme == "https" else "ws"
    return f"{scheme}://{settings.urls.domain}"


def _thumbnail(settings: Settings) -> str:
    return f"{settings.urls.base}/packs/media/images/preview.png"


def instance_v1(settings: Settings, stats: InstanceStats) -> dict:
    """REST::V1::InstanceSerializer."""
    return {
        "uri": settings.urls.domain,
        "title": settings.title,
        "short_description": "",
        "description": "",
        "email": "",
        "version": settings.version,
        "urls": {"streaming_api": _streaming_url(settings)},
        "stats": {
            "user_count": stats.user_count,
            "status_count": stats.status_count,
            "domain_count": 0,
        },
        "thumbnail": _thumbnail(settings),
        "languages": ["en"],
        "registrations": settings.registrations_open,
        "approval_required": False,
        "invites_enabled": False,
        "configuration": {
            "accounts": {"max_featured_tags": MAX_FEATURED_TAGS},
            "statuses": _statuses(),
            "media_attachments": _media_attachments(),
            "polls": _polls(settings),
        },
        "contact_account": None,
        "rules": [],
    }


def instance_v2(settings: Settings, stats: InstanceStats) -> dict:
    """REST::InstanceSerializer."""
    base = settings.urls.base
    return {
        "domain": settings.urls.domain,
        "title": settings.title,
        "version": settings.version,
        "source_url": f"{base}/source",
        "description": "",
        "usage": {"users": {"active_month": stats.active_month}},
        "thumbnail": {"url": _thumbnail(settings)},
        "icon": [],
        "languages": ["en"],
        "configuration": {
            "urls": {
                "streaming": _streaming_url(settings),
                "status": None,
                "about": f"{base}/about",
                "privacy_policy": f"{base}/privacy-policy",
                "terms_of_service": None,
            },
            "vapid": {"public_key": ""},
            "accounts": {
                "max_featured_tags": MAX_FEATURED_TAGS,
                "max_pinned_statuses": MAX_PINNED_STATUSES,
            },
            "statuses": _statuses(),
            "media_attachments": {
                **_media_attachments(),
                "description_limit": media.DESCRIPTION_LIMIT,
            },
            "polls": _polls(settings),
            "translation": {"enabled": False},
        },
        "registrations": {
            "enabled": settings.registrations_open,
            "approval_required": False,
            "message": None,
            "url": None,
        },
        "api_versions": {"mastodon": API_VERSION},
        "contact": {"email": "", "account": None},
        "rules": [],
    }


def _json(body: dict, headers: dict[str, str]) -> Response:
    return Response(
        orjson.dumps(body),
        media_type="application/json; charset=utf-8",
        headers={"Cache-Control": INSTANCE_CACHE, **headers},
    )


async def show_v1(request: Request) -> Response:
    svc = services(request)
    stats = await svc.queries.instance_stats()
    return _json(instance_v1(svc.settings, stats), {"Deprecation": V1_DEPRECATION})


async def show_v2(request: Request) -> Response:
    svc = services(request)
    stats = await svc.queries.instance_stats()
    return _json(instance_v2(svc.settings, stats), {})


routes = [
    Route("/api/v1/instance", show_v1, methods=["GET"]),
    Route("/api/v2/instance", show_v2, methods=["GET"]),
]
