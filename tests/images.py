"""Images made with Pillow for the media tests (no binary fixtures in the repository)."""

from __future__ import annotations

import io

from PIL import Image

# EXIF tags: Orientation, and the GPS IFD pointer.
ORIENTATION = 0x0112
GPS_IFD = 0x8825


def image_bytes(
    image_format: str = "PNG",
    size: tuple[int, int] = (64, 48),
    mode: str = "RGB",
    color: object = (200, 40, 40),
    **options: object,
) -> bytes:
    """An image of `size` in `image_format`, a gradient so that encoders have work to do."""
    image = Image.linear_gradient("L").resize(size).convert(mode)
    if mode in ("RGB", "RGBA"):
        image = Image.blend(image, Image.new(mode, size, color), 0.5)
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def jpeg_with_exif(size: tuple[int, int] = (80, 40), orientation: int = 6) -> bytes:
    """A JPEG that records a camera orientation and a GPS position."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 0.0)})
    return image_bytes("JPEG", size, exif=exif.tobytes())


def animated_gif(frames: int = 3, size: tuple[int, int] = (20, 10)) -> bytes:
    images = [Image.new("RGB", size, (80 * n % 256, 40, 200)) for n in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, "GIF", save_all=True, append_images=images[1:], duration=50, loop=0)
    return buffer.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
