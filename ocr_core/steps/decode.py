"""The decode step: a request's base64 string to bytes, bytes to BGR arrays for OpenCV.

Formats are recognised by content; the pixel bound is checked from the header before any decoding.
"""
from __future__ import annotations

import base64
import binascii
import io
import re
import struct
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from ocr_core.errors import (
    Base64Error,
    Base64IllegalCharacters,
    Base64Padding,
    DataUrlHeader,
    GifDecodeFailed,
    GifEmpty,
    GifNoColorMap,
    GifOpenFailed,
    GifReadFailed,
    ImageDecodeFailed,
    ImageEmpty,
    ImageTooLarge,
)
from ocr_core.settings import get_settings

# Pillow's names for the contract's formats: its PPM plugin reads PBM/PGM/PPM.
_FORMATS = ["BMP", "JPEG", "JPEG2000", "PNG", "PPM", "TIFF", "GIF"]
# The PPM plugin also reads PFM and Pillow's own "Py" variants, which the contract does not list.
_NETPBM_MAGIC = {b"P1", b"P2", b"P3", b"P4", b"P5", b"P6"}
_GIF_MAGIC = (b"GIF87a", b"GIF89a")
_B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
# Java's MIME encoder breaks lines every 76 characters; those are not errors.
_WHITESPACE = b" \t\r\n\v\f"
_DATA_URL = re.compile(r"\s*(data:[^,]{0,256},)", re.IGNORECASE)
_ALPHA_MODES = {"RGBA", "RGBa", "LA", "La", "PA"}
_16BIT_MODES = {"I", "I;16", "I;16L", "I;16B", "I;16N"}


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int
    frames: int


def decode_base64(value: str) -> bytes:
    """The image bytes of a request's base64 string, or the reference's error for what is wrong with it."""
    header = _DATA_URL.match(value)
    if header:
        raise DataUrlHeader(detail=header.group(1))
    try:
        raw = value.encode("ascii")
    except UnicodeEncodeError:
        raise Base64IllegalCharacters() from None
    raw = raw.translate(None, _WHITESPACE)
    if not raw:
        raise ImageEmpty()
    if raw.translate(None, _B64_ALPHABET):
        raise Base64IllegalCharacters()
    unpadded = raw.rstrip(b"=")
    if len(raw) % 4 or len(raw) - len(unpadded) > 2 or b"=" in unpadded:
        raise Base64Padding()
    try:
        data = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise Base64Error() from None
    if not data:
        raise ImageEmpty()
    return data


def probe_image(data: bytes, max_pixels: int | None = None) -> ImageInfo:
    """Format, size and page count from the header alone; refuses what is over the pixel bound."""
    image, info = _open(data, max_pixels)
    image.close()
    return info


def decode_image(data: bytes, max_pixels: int | None = None) -> np.ndarray:
    """The first frame or page as a BGR uint8 array (H, W, 3), upright per its EXIF orientation."""
    image, info = _open(data, max_pixels)
    with image:
        return _to_bgr(image, info.format)


def decode_pages(data: bytes, max_pixels: int | None = None) -> list[np.ndarray]:
    """Every page of a multi-page TIFF, each within the pixel bound; one picture for other formats."""
    image, info = _open(data, max_pixels)
    with image:
        if info.format != "TIFF":
            return [_to_bgr(image, info.format)]
        pages = []
        for index in range(info.frames):
            try:
                image.seek(index)
            except Exception:
                raise ImageDecodeFailed() from None
            # Pillow checks only the first page's size when it opens the file.
            _check_size(image.size, _limit(max_pixels))
            pages.append(_to_bgr(image, info.format))
        return pages


def _limit(max_pixels: int | None) -> int:
    return get_settings().max_pixels if max_pixels is None else max_pixels


def _check_size(size: tuple[int, int], limit: int) -> None:
    width, height = size
    if width * height > limit:
        raise ImageTooLarge(detail=f"{width}x{height}")


def _open(data: bytes, max_pixels: int | None) -> tuple[Image.Image, ImageInfo]:
    if not data:
        raise ImageEmpty()
    gif = data[:6] in _GIF_MAGIC
    if gif:
        _check_gif(data)
    opening_error = GifOpenFailed if gif else ImageDecodeFailed
    try:
        image = Image.open(io.BytesIO(data), formats=_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own guard (far above ours) fired before the size could be read back.
        pixels = re.search(r"\((\d+) pixels\)", str(exc))
        raise ImageTooLarge(detail=f"{pixels.group(1)} pixels" if pixels else "") from None
    except Exception:
        # Hostile headers make Pillow's plugins raise anything from struct.error to MemoryError.
        raise opening_error() from None
    fmt = "JPEG" if image.format == "MPO" else image.format
    if (fmt == "PPM" and data[:2] not in _NETPBM_MAGIC) or 0 in image.size:
        image.close()
        raise opening_error()
    try:
        _check_size(image.size, _limit(max_pixels))
        frames = getattr(image, "n_frames", 1)
    except ImageTooLarge:
        image.close()
        raise
    except Exception:
        image.close()
        raise opening_error() from None
    return image, ImageInfo(fmt, image.width, image.height, frames)


def _check_gif(data: bytes) -> None:
    """Walk the blocks up to the first image descriptor, for the errors Pillow does not tell apart."""
    if len(data) < 13:
        raise GifOpenFailed()
    width, height, flags = struct.unpack_from("<HHB", data, 6)
    if not width or not height:
        raise GifEmpty()
    global_map = flags & 0x80
    pos = 13 + (3 << ((flags & 7) + 1) if global_map else 0)
    while pos < len(data):
        block = data[pos]
        if block == 0x3B:  # trailer before any image
            raise GifEmpty()
        if block == 0x21:  # extension: label, then sub-blocks until an empty one
            pos += 2
            while pos < len(data) and data[pos]:
                pos += data[pos] + 1
            pos += 1
        elif block == 0x2C:  # image descriptor: position, size, flags
            if pos + 10 > len(data):
                break
            width, height, local = struct.unpack_from("<HHB", data, pos + 5)
            if not width or not height:
                raise GifEmpty()
            if not (global_map or local & 0x80):
                raise GifNoColorMap()
            return
        else:
            raise GifOpenFailed()
    raise GifReadFailed()


def _to_bgr(image: Image.Image, fmt: str) -> np.ndarray:
    try:
        image.load()
    except Exception as exc:
        if fmt != "GIF":
            raise ImageDecodeFailed() from None
        raise (GifReadFailed if "truncated" in str(exc) else GifDecodeFailed)() from None
    try:
        image = ImageOps.exif_transpose(image)
    except Exception:
        pass  # a broken EXIF block costs only the orientation, not the picture
    try:
        if image.mode in _16BIT_MODES:
            # Pillow's convert to "L" clips 16-bit values instead of scaling them.
            gray = (np.clip(np.asarray(image), 0, 65535) >> 8).astype(np.uint8)
            return np.repeat(gray[:, :, None], 3, axis=2)
        if image.mode in _ALPHA_MODES or "transparency" in image.info:
            rgba = image.convert("RGBA")
            image = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
        rgb = np.asarray(image.convert("RGB"))
        return np.ascontiguousarray(rgb[:, :, ::-1])
    except Exception:
        raise (GifDecodeFailed if fmt == "GIF" else ImageDecodeFailed)() from None
