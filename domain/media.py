"""Media attachments: the limits a server advertises and enforces (§8.7, §8.8)."""

from __future__ import annotations

MAX_MEDIA_ATTACHMENTS = 4
IMAGE_SIZE_LIMIT = 16 * 1024 * 1024  # bytes
IMAGE_MATRIX_LIMIT = 33_177_600  # pixels (width * height)
VIDEO_SIZE_LIMIT = 99 * 1024 * 1024  # bytes
VIDEO_FRAME_RATE_LIMIT = 120
VIDEO_MATRIX_LIMIT = 8_294_400
DESCRIPTION_LIMIT = 1500  # characters
# Types whose bytes the server verifies and accepts.
SUPPORTED_MIME_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
