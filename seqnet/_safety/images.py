"""Images decoded by Pillow's JPEG, PNG, BMP and GIF decoders only, their size checked first.

Pillow picks a decoder by a file's content, and some of its plugins do far more than decode: it
hands an EPS to Ghostscript. A file that is not one of the four formats seqnet documents is
refused whatever its name says, and every Pillow error becomes the caller's ``error``.
"""
from __future__ import annotations

import io
from typing import Any

import numpy as np

from .limits import LIMITS

IMAGE_FORMATS = ("JPEG", "PNG", "BMP", "GIF")
COLOR_MODES = {"rgb": ("RGB", 3), "grayscale": ("L", 1), "rgba": ("RGBA", 4)}


def _pillow() -> Any:
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("reading images needs Pillow: pip install pillow") from None
    return Image


def decode_image(data: bytes, where: str, error: type[Exception], color_mode: str = "rgb",
                 size: tuple[int, int] | None = None) -> np.ndarray:
    """The image in ``data`` as a uint8 array ``(height, width, channels)`` in ``color_mode``,
    resized (bilinear) to ``size = (height, width)`` if given."""
    Image = _pillow()
    try:
        with Image.open(io.BytesIO(data), formats=IMAGE_FORMATS) as image:
            if image.width * image.height > LIMITS.image_pixels:  # checked before the pixels are decoded
                raise error(f"'{where}' declares {image.width} x {image.height} pixels, more than the "
                            f"{LIMITS.image_pixels:,} seqnet decodes")
            image = image.convert(COLOR_MODES[color_mode][0])
            if size is not None and image.size != (size[1], size[0]):
                image = image.resize((size[1], size[0]), Image.BILINEAR)
            array = np.asarray(image, dtype=np.uint8)
    except error:
        raise
    except Image.DecompressionBombError as err:  # Pillow's own limit, met as the header is read
        raise error(f"'{where}' declares more pixels than seqnet decodes ({err})") from None
    except Exception as err:  # a damaged image can make a decoder raise nearly anything (OSError, SyntaxError, ...)
        raise error(f"'{where}' is not an image Pillow can read ({type(err).__name__}: {err})") from None
    return array[..., None] if array.ndim == 2 else array
