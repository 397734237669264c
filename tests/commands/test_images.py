"""Image uploads are verified from their bytes and stored clean, with a preview and a blurhash."""

from __future__ import annotations

import io

import blurhash
import pytest
from PIL import Image

from commands.images import image_facts, process_upload
from domain.errors import Unprocessable
from domain.media import FILE_TYPE_NOT_VERIFIED, ORIGINAL_PIXEL_LIMIT, SMALL_PIXEL_LIMIT
from tests.images import GPS_IFD, ORIENTATION, animated_gif, image_bytes, jpeg_with_exif, opened


def process(data: bytes, thumbnail: bytes | None = None):  # noqa: ANN201
    return process_upload(io.BytesIO(data), io.BytesIO(thumbnail) if thumbnail else None)


@pytest.mark.parametrize(
    ("image_format", "content_type"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif"), ("WEBP", "image/webp")],
)
def test_each_supported_format_is_recognised_from_its_bytes(
    image_format: str, content_type: str
) -> None:
    result = process(image_bytes(image_format, (64, 48)))
    assert result.original.content_type == content_type
    assert (result.original.width, result.original.height) == (64, 48)
    assert opened(result.original.data).size == (64, 48)
    assert result.small.content_type == "image/jpeg"
    assert opened(result.small.data).size == (result.small.width, result.small.height)
    assert blurhash.components(result.blurhash) == (4, 4)


@pytest.mark.parametrize(
    "data",
    [
        b"this is text, whatever its name says",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,  # a PNG signature and nothing behind it
        image_bytes("PNG")[:-60],  # truncated
        image_bytes("BMP"),  # a real image of a type we do not accept
    ],
    ids=["text", "signature-only", "truncated", "bmp"],
)
def test_anything_else_is_refused_as_unverifiable(data: bytes) -> None:
    with pytest.raises(Unprocessable, match=f"^{FILE_TYPE_NOT_VERIFIED}$"):
        process(data)


def test_a_decompression_bomb_is_refused_from_its_header() -> None:
    # 33.6 million pixels in a few kilobytes: refused before anything is decoded.
    buffer = io.BytesIO()
    Image.new("1", (8000, 4200)).save(buffer, "PNG")
    bomb = buffer.getvalue()
    assert len(bomb) < 100_000
    with pytest.raises(Unprocessable, match="^8000x4200 images are not supported$"):
        process(bomb)


def test_exif_orientation_is_applied_and_metadata_dropped() -> None:
    result = process(jpeg_with_exif((80, 40), orientation=6))
    stored = opened(result.original.data)
    assert stored.size == (40, 80) == (result.original.width, result.original.height)
    exif = stored.getexif()
    assert ORIENTATION not in exif and not exif.get_ifd(GPS_IFD)
    assert "exif" not in stored.info
    assert (result.small.width, result.small.height) == (40, 80)


def test_large_originals_are_scaled_to_mastodons_area_and_previews_to_640x360s() -> None:
    result = process(image_bytes("JPEG", (4000, 3000)))
    width, height = result.original.width, result.original.height
    assert width * height <= ORIGINAL_PIXEL_LIMIT and width * height > 0.99 * ORIGINAL_PIXEL_LIMIT
    assert abs(width / height - 4 / 3) < 0.01
    assert result.small.width * result.small.height <= SMALL_PIXEL_LIMIT
    assert opened(result.original.data).size == (width, height)


def test_gifs_are_kept_as_uploaded_with_a_still_preview() -> None:
    data = animated_gif(frames=3, size=(20, 10))
    result = process(data)
    assert result.original.data == data
    assert (result.original.content_type, result.original.width) == ("image/gif", 20)
    assert result.small.content_type == "image/jpeg"


def test_a_transparent_image_gets_a_png_preview() -> None:
    result = process(image_bytes("PNG", mode="RGBA", color=(0, 0, 0, 0)))
    assert result.small.content_type == "image/png"
    assert opened(result.small.data).mode == "RGBA"


def test_a_custom_thumbnail_becomes_the_preview() -> None:
    result = process(image_bytes("PNG", (64, 48)), thumbnail=image_bytes("JPEG", (30, 10)))
    assert (result.original.width, result.original.height) == (64, 48)
    assert (result.small.width, result.small.height) == (30, 10)


def test_a_thumbnail_that_is_no_image_is_refused() -> None:
    with pytest.raises(Unprocessable, match=FILE_TYPE_NOT_VERIFIED):
        process(image_bytes("PNG"), thumbnail=b"not an image")


def _mean_colour(hash_: str) -> list[float]:
    pixels = [pixel for row in blurhash.decode(hash_, 8, 8) for pixel in row]
    return [sum(pixel[channel] for pixel in pixels) / len(pixels) for channel in range(3)]


def test_blurhash_tracks_the_picture() -> None:
    red_r, _, red_b = _mean_colour(process(image_bytes("PNG", color=(255, 0, 0))).blurhash)
    blue_r, _, blue_b = _mean_colour(process(image_bytes("PNG", color=(0, 0, 255))).blurhash)
    assert red_r > red_b + 50 and blue_b > blue_r + 50


def test_image_facts_give_the_size_and_blurhash_of_a_card_image() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "teal").save(buffer, "JPEG")
    width, height, blurhash = image_facts(buffer.getvalue())
    assert (width, height) == (300, 200) and len(blurhash) > 6


@pytest.mark.parametrize("data", [b"", b"<html>", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40])
def test_image_facts_refuse_what_is_not_an_image(data: bytes) -> None:
    with pytest.raises(Unprocessable):
        image_facts(data)
