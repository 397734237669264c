"""Image uploads: verify the bytes with Pillow, store a clean original and a small preview.

The type comes from the bytes, never from the file name or the client's content type. The
dimensions are checked from the header before anything is decoded, so a decompression bomb is
refused cheaply. Static originals are re-encoded (EXIF orientation applied, metadata such as GPS
positions dropped, scaled down to Mastodon's 3840x2160 area); GIFs and animated WebPs are kept
as uploaded.
"""

from __future__ import annotations

import io
import logging
import math
import threading
import warnings
from dataclasses import dataclass
from typing import BinaryIO

import blurhash
from PIL import Image, ImageOps

from domain.errors import Unprocessable
from domain.media import (
    FILE_TYPE_NOT_VERIFIED,
    IMAGE_MATRIX_LIMIT,
    ORIGINAL_PIXEL_LIMIT,
    SMALL_PIXEL_LIMIT,
)

log = logging.getLogger("tootlog.media")

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
PROCESSING_FAILED = "Error processing thumbnail for uploaded media"
BLURHASH_COMPONENTS = 4
# The blurhash of a 32 px rendition is that of the full image for 4x4 components.
BLURHASH_SOURCE_SIZE = (32, 32)
# Decoding a large image takes tens of megabytes; a few at a time bound the server's memory.
_decoding = threading.BoundedSemaphore(2)
# Dimensions are checked against IMAGE_MATRIX_LIMIT before decoding; Pillow's own warning for
# merely large images would only repeat that check in the log.
warnings.simplefilter("ignore", Image.DecompressionBombWarning)


@dataclass(frozen=True)
class EncodedImage:
    content_type: str
    data: bytes
    width: int
    height: int


@dataclass(frozen=True)
class ProcessedPreview:
    """A preview and its blurhash."""

    small: EncodedImage
    blurhash: str


@dataclass(frozen=True)
class ProcessedUpload:
    """What an upload becomes: the stored original, its preview and the preview's blurhash."""

    original: EncodedImage
    small: EncodedImage
    blurhash: str


def process_upload(file: BinaryIO, thumbnail: BinaryIO | None = None) -> ProcessedUpload:
    """Verify and process an uploaded image (and an optional custom preview), or a 422."""
    with _decoding:
        image = _open_verified(file, ORIGINAL_PIXEL_LIMIT)
        preview_source = image
        if thumbnail is not None:
            preview_source = _open_verified(thumbnail, SMALL_PIXEL_LIMIT)
        try:
            original = _original(image, file)
            small = _small(preview_source)
            return ProcessedUpload(original, small, _blurhash(small))
        except Exception:  # a file Pillow verified but cannot re-encode: never a 500
            log.exception("processing a verified image failed")
            raise Unprocessable(PROCESSING_FAILED) from None


def process_thumbnail(thumbnail: BinaryIO) -> ProcessedPreview:
    """Verify and process a custom preview uploaded on its own (`PUT /api/v1/media/:id`)."""
    with _decoding:
        source = _open_verified(thumbnail, SMALL_PIXEL_LIMIT)
        try:
            small = _small(source)
            return ProcessedPreview(small, _blurhash(small))
        except Exception:  # a file Pillow verified but cannot re-encode: never a 500
            log.exception("processing a verified thumbnail failed")
            raise Unprocessable(PROCESSING_FAILED) from None


@dataclass(frozen=True)
class ProfileImage:
    """An avatar or header: the image shown (animated ones stay animated) and a still one."""

    shown: EncodedImage
    still: EncodedImage


def process_profile_image(file: BinaryIO, size: tuple[int, int]) -> ProfileImage:
    """Verify an avatar or header and crop it to fill `size` (Mastodon's `WxH#`), centred.

    Animated images are kept as uploaded (Mastodon resizes their frames; browsers scale them
    the same way) and their still version is the first frame, cropped, as PNG.
    """
    with _decoding:
        image = _open_verified(file, ORIGINAL_PIXEL_LIMIT)
        try:
            still = _cropped(image, size)
            if _is_kept_as_uploaded(image):
                file.seek(0)
                shown = EncodedImage(FORMATS[image.format], file.read(), *image.size)
                return ProfileImage(shown, still)
            return ProfileImage(still, still)
        except Exception:  # a file Pillow verified but cannot re-encode: never a 500
            log.exception("processing a verified profile image failed")
            raise Unprocessable(PROCESSING_FAILED) from None


def _cropped(image: Image.Image, size: tuple[int, int]) -> EncodedImage:
    """PNG for images that may have sharp edges or transparency (PNG, GIF), else JPEG."""
    image.seek(0)
    lossless = image.format in ("PNG", "GIF")
    if not _is_kept_as_uploaded(image):
        image = ImageOps.exif_transpose(image)
    transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    frame = image.convert("RGBA" if transparent else "RGB")
    fitted = ImageOps.fit(frame, size, Image.Resampling.LANCZOS)
    if transparent or lossless:
        return EncodedImage("image/png", _encode(fitted, "PNG"), *fitted.size)
    return EncodedImage("image/jpeg", _encode(fitted, "JPEG", quality=90), *fitted.size)


def image_facts(data: bytes) -> tuple[int, int, str]:
    """The width, height and blurhash of an image (a link card's), or Unprocessable."""
    with _decoding:
        try:
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as header:
                width, height = header.size
        except Exception:  # Pillow raises many kinds for hostile bytes; all mean "not an image"
            raise Unprocessable(FILE_TYPE_NOT_VERIFIED) from None
        image = _open_verified(io.BytesIO(data), SMALL_PIXEL_LIMIT)
        try:
            return width, height, _blurhash(_small(image))
        except Exception:
            raise Unprocessable(PROCESSING_FAILED) from None


def _open_verified(file: BinaryIO, wanted_pixels: int) -> Image.Image:
    """The decoded image, after checking its type and dimensions from its header."""
    try:
        file.seek(0)
        image = Image.open(file, formats=list(FORMATS))
    except Image.DecompressionBombError:
        raise Unprocessable(f"Images over {IMAGE_MATRIX_LIMIT} pixels are not supported") from None
    except Exception:  # Pillow raises many kinds for hostile bytes; all mean "not an image"
        raise Unprocessable(FILE_TYPE_NOT_VERIFIED) from None
    width, height = image.size
    if width * height > IMAGE_MATRIX_LIMIT:
        raise Unprocessable(f"{width}x{height} images are not supported")
    try:
        image.verify()
        file.seek(0)
        image = Image.open(file, formats=list(FORMATS))
        if image.format == "JPEG" and width * height > wanted_pixels:
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale: less memory, less time.
            image.draft(image.mode, _fitted_size(image.size, wanted_pixels))
        image.load()
    except Exception:
        raise Unprocessable(FILE_TYPE_NOT_VERIFIED) from None
    if image.width < 1 or image.height < 1:
        raise Unprocessable(FILE_TYPE_NOT_VERIFIED)
    return image


def _is_kept_as_uploaded(image: Image.Image) -> bool:
    return image.format == "GIF" or bool(getattr(image, "is_animated", False))


def _original(image: Image.Image, file: BinaryIO) -> EncodedImage:
    content_type = FORMATS[image.format]
    if _is_kept_as_uploaded(image):
        file.seek(0)
        return EncodedImage(content_type, file.read(), image.width, image.height)
    clean = _fit(ImageOps.exif_transpose(image), ORIGINAL_PIXEL_LIMIT)
    icc_profile = image.info.get("icc_profile")
    # Keep only what the pixels need; EXIF, XMP and text chunks are left behind.
    clean.info = {k: v for k, v in clean.info.items() if k == "transparency"}
    options: dict = {"icc_profile": icc_profile} if icc_profile else {}
    if image.format in ("JPEG", "WEBP"):
        options["quality"] = 90
    return EncodedImage(
        content_type, _encode(clean, image.format, **options), clean.width, clean.height
    )


def _small(image: Image.Image) -> EncodedImage:
    """A preview within 640x360's area: JPEG, or PNG when the image has transparency."""
    image.seek(0)
    if not _is_kept_as_uploaded(image):
        image = ImageOps.exif_transpose(image)
    transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    frame = image.convert("RGBA" if transparent else "RGB")
    small = _fit(frame, SMALL_PIXEL_LIMIT)
    if transparent:
        return EncodedImage("image/png", _encode(small, "PNG"), small.width, small.height)
    return EncodedImage("image/jpeg", _encode(small, "JPEG", quality=90), small.width, small.height)


def _blurhash(small: EncodedImage) -> str:
    with Image.open(io.BytesIO(small.data)) as image:
        tiny = image.convert("RGB")
        tiny.thumbnail(BLURHASH_SOURCE_SIZE)
        pixels = tiny.tobytes()
    width, height = tiny.size
    rows = [
        [pixels[i : i + 3] for i in range(row * width * 3, (row + 1) * width * 3, 3)]
        for row in range(height)
    ]
    return blurhash.encode(rows, BLURHASH_COMPONENTS, BLURHASH_COMPONENTS)


def _fitted_size(size: tuple[int, int], max_pixels: int) -> tuple[int, int]:
    width, height = size
    if width * height <= max_pixels:
        return size
    scale = math.sqrt(max_pixels / (width * height))
    return max(1, math.floor(width * scale)), max(1, math.floor(height * scale))


def _fit(image: Image.Image, max_pixels: int) -> Image.Image:
    size = _fitted_size(image.size, max_pixels)
    return image if size == image.size else image.resize(size, Image.Resampling.LANCZOS)


def _encode(image: Image.Image, image_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()
