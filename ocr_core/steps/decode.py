"""The decode step: a request's base64 string to bytes, bytes to BGR arrays for OpenCV.

Formats are recognised by content; the pixel bound and the side bound (MAX_SIDE) are checked from
the header before any decoding, and the page bound of a PDF or a multi-page TIFF from its page tree
or IFD chain before any page is.
"""
from __future__ import annotations

import base64
import binascii
import io
import math
import re
import struct
import threading
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
from ocr_core.steps.orient import MAX_ASPECT

try:
    import pillow_heif
except ImportError:  # pragma: no cover - a dependency; without it HEIC is refused as any unknown format
    pillow_heif = None
else:
    # Only the primary picture of a HEIF file is read: its thumbnails, depth and auxiliary images never.
    pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)

# Pillow's names for the contract's formats: its PPM plugin reads PBM/PGM/PPM; HEIF is pillow-heif's
# (HEIC from phones), AVIF Pillow's own.
_FORMATS = ["BMP", "JPEG", "JPEG2000", "PNG", "PPM", "TIFF", "GIF", "WEBP", "HEIF", "AVIF"]
#: Formats answered page by page (every other one is one picture: a GIF's or WebP's first frame).
PAGED = ("PDF", "TIFF")
#: The longest side of a picture: OpenCV's warps (remap) take none longer, and a strip of 63 200 x 632,
#: under the pixel bound and at the aspect bound, failed in them as 464 (ocr_table_parse's page turn).
MAX_SIDE = 32766
#: PDF pages are rendered at this resolution (text of 10 pt is then about 28 px high), or less when the
#: page would be over the pixel bound or MAX_SIDE (a poster, a roll).
PDF_DPI = 200
_PDF_MAGIC = b"%PDF-"
# PDFium is not thread-safe, and the API probes PDFs from several threads of one process.
_PDF_LOCK = threading.RLock()
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
    width: int      # of the first page; a PDF's as rendered
    height: int
    frames: int     # frames or pages in the file

    @property
    def pages(self) -> int:
        """Pages answered one by one: a PDF's or a TIFF's; 1 for every other format."""
        return self.frames if self.format in PAGED else 1


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


def probe_image(data: bytes, max_pixels: int | None = None, max_pages: int | None = None) -> ImageInfo:
    """Format, size and page count from the header alone; refuses what is over the pixel or page bound."""
    with Document(data, max_pixels, max_pages) as document:
        return document.info


def decode_image(data: bytes, max_pixels: int | None = None) -> np.ndarray:
    """The first frame or page as a BGR uint8 array (H, W, 3), upright per its EXIF orientation."""
    # One page is read whatever the count: the page bound is for files answered page by page.
    with Document(data, max_pixels, max_pages=0) as document:
        return document.picture(0)


def decode_pages(data: bytes, max_pixels: int | None = None, max_pages: int | None = None) -> list[np.ndarray]:
    """Every page of a PDF or a multi-page TIFF, each within the pixel bound; one picture for other formats."""
    with Document(data, max_pixels, max_pages) as document:
        return [document.picture(index) for index in range(len(document))]


class Document:
    """A picture file opened from its header, its pages decoded one at a time when asked for.

    Opening checks the format, the first page's size against the pixel bound and the page count
    against the page bound (`max_pages`; 0: not checked), and decodes nothing. `picture(i)` and
    `image(i)` decode page i, or raise the contract's 462 for that page alone.
    """

    def __init__(self, data: bytes, max_pixels: int | None = None, max_pages: int | None = None):
        self.max_pixels = _limit(max_pixels)
        max_pages = get_settings().max_pages if max_pages is None else max_pages
        self._pdf = self._image = None
        if not data:
            raise ImageEmpty()
        if _is_pdf(data):
            self._pdf, self.info = _open_pdf(data, self.max_pixels, max_pages)
        else:
            self._image, self.info = _open(data, self.max_pixels, max_pages)
            self._data = data

    def __len__(self) -> int:
        return self.info.pages

    def __enter__(self) -> "Document":
        return self

    def __exit__(self, *_) -> None:
        self.close()

    def close(self) -> None:
        if self._image is not None:
            self._image.close()
            self._image = None
        if self._pdf is not None:
            with _PDF_LOCK:
                self._pdf.close()
            self._pdf = None

    def picture(self, index: int) -> np.ndarray:
        """Page `index` (from 0) as a BGR uint8 array, upright."""
        if self._pdf is not None:
            return np.ascontiguousarray(self._render(index)[:, :, :3])
        picture = _to_bgr(self._frame(index), self.info.format)
        if len(self) == 1:
            # Pillow keeps the decoded pixels (4 bytes each: 160 MB at the pixel bound) while the
            # file is open, that is through the whole recognition: opened afresh, header only.
            self._image.close()
            self._image = Image.open(io.BytesIO(self._data), formats=_FORMATS)
        return picture

    def image(self, index: int) -> Image.Image:
        """Page `index` (from 0) as an RGB picture, upright (what `ocrq ingest` sends of one page)."""
        return Image.fromarray(np.ascontiguousarray(self.picture(index)[:, :, ::-1]))

    def _frame(self, index: int) -> Image.Image:
        if not 0 <= index < len(self):
            raise IndexError(index)
        if index:
            try:
                self._image.seek(index)
            except Exception:
                raise ImageDecodeFailed() from None
            # Pillow checks only the first page's size when it opens the file.
            _check_size(self._image.size, self.max_pixels)
        return self._image

    def _render(self, index: int) -> np.ndarray:
        if not 0 <= index < len(self):
            raise IndexError(index)
        with _PDF_LOCK:
            try:
                page = self._pdf[index]
            except Exception:
                raise ImageDecodeFailed() from None
            try:
                scale = _pdf_scale(page.get_size(), self.max_pixels)
                bitmap = page.render(scale=scale)
                try:
                    array = bitmap.to_numpy().copy()
                    mode = bitmap.mode
                finally:
                    bitmap.close()
            except ImageTooLarge:
                raise
            except Exception:
                raise ImageDecodeFailed() from None
            finally:
                page.close()
        _check_size((array.shape[1], array.shape[0]), self.max_pixels)
        # PDFium renders BGR (or BGRA / BGRX, from which the first three channels are taken).
        if mode not in ("BGR", "BGRA", "BGRX") or array.ndim != 3:
            raise ImageDecodeFailed()
        return array


def page_count(data: bytes, max_pages: int | None = None) -> int:
    """Pages a file is answered as (1 but for a PDF or a multi-page TIFF), from its header; 462 past the bound."""
    return probe_image(data, max_pages=max_pages).pages


def _limit(max_pixels: int | None) -> int:
    return get_settings().max_pixels if max_pixels is None else max_pixels


def _check_size(size: tuple[int, int], limit: int) -> None:
    width, height = size
    if width * height > limit:
        raise ImageTooLarge(detail=f"{width}x{height}")
    # A strip past orient's aspect bound is left to its own answer (too small to hold text).
    if max(width, height) > MAX_SIDE and max(width, height) <= MAX_ASPECT * min(width, height):
        raise ImageTooLarge(detail=f"{width}x{height}: over {MAX_SIDE} pixels a side")


def _check_pages(pages: int, max_pages: int, exact: bool = True) -> None:
    if max_pages and pages > max_pages:
        detail = (f"{pages} pages, more than the bound of {max_pages} pages" if exact
                  else f"more than {max_pages} pages, the bound")
        raise ImageTooLarge(detail=detail + " (OCR_MAX_PAGES)")


def _is_pdf(data: bytes) -> bool:
    # PDFium, like Acrobat, finds the header anywhere in the first KiB; a picture's own magic comes first.
    return data[:5] == _PDF_MAGIC or (_PDF_MAGIC in data[:1024] and not _is_picture(data))


def _is_picture(data: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(data), formats=_FORMATS):
            return True
    except Exception:
        return False


def _open_pdf(data: bytes, max_pixels: int, max_pages: int):
    import pypdfium2

    with _PDF_LOCK:
        try:
            pdf = pypdfium2.PdfDocument(data)
        except Exception:
            # Broken, or encrypted with a password.
            raise ImageDecodeFailed() from None
        try:
            pages = len(pdf)  # the page tree's count: no page is loaded
            if pages < 1:
                raise ImageEmpty()
            _check_pages(pages, max_pages)
            page = pdf[0]
            try:
                size = page.get_size()
            finally:
                page.close()
            scale = _pdf_scale(size, max_pixels)
        except ImageTooLarge:
            pdf.close()
            raise
        except ImageEmpty:
            pdf.close()
            raise
        except Exception:
            pdf.close()
            raise ImageDecodeFailed() from None
    width, height = (math.ceil(side * scale) for side in size)
    return pdf, ImageInfo("PDF", width, height, pages)


def _pdf_scale(size: tuple[float, float], max_pixels: int) -> float:
    """Pixels per point to render a page of `size` points at PDF_DPI, or less to stay within the pixel bound."""
    width, height = size
    if not (math.isfinite(width) and math.isfinite(height)) or width < 1 or height < 1:
        raise ImageDecodeFailed()
    # A hair under: pypdfium2 rounds each side up, and a page of 30 px at 200 dpi is 10.8000002 pt in float32.
    scale = min(PDF_DPI / 72, math.sqrt(max_pixels / (width * height)), MAX_SIDE / max(width, height)) * (1 - 1e-6)
    # PDFium rounds each side up: shrink until the rendered page is within the bound.
    while scale > 0 and math.ceil(width * scale) * math.ceil(height * scale) > max_pixels:
        scale *= 0.999
    if math.ceil(width * scale) < 1 or math.ceil(height * scale) < 1 or scale <= 0:
        raise ImageTooLarge(detail=f"{width:.0f}x{height:.0f} pt")
    return scale


def _tiff_pages(data: bytes, bound: int) -> int:
    """IFDs in a TIFF's chain, counted from their offsets without reading any page, and no further than
    `bound + 1` (a file of 60 000 one-pixel pages costs as little as one of `bound`)."""
    order = {b"II": "<", b"MM": ">"}.get(data[:2])
    if order is None or len(data) < 8:
        return 1
    version = struct.unpack_from(order + "H", data, 2)[0]
    if version == 42:
        offset, count, entry, pointer = struct.unpack_from(order + "I", data, 4)[0], "H", 12, "I"
    elif version == 43 and len(data) >= 16:  # BigTIFF
        offset, count, entry, pointer = struct.unpack_from(order + "Q", data, 8)[0], "Q", 20, "Q"
    else:
        return 1
    count_size, pointer_size = struct.calcsize(count), struct.calcsize(pointer)
    seen, pages = set(), 0
    while offset and offset not in seen and pages <= bound:
        if offset + count_size > len(data):
            break
        seen.add(offset)
        pages += 1
        end = offset + count_size + struct.unpack_from(order + count, data, offset)[0] * entry
        if end + pointer_size > len(data):
            break
        offset = struct.unpack_from(order + pointer, data, end)[0]
    return max(pages, 1)


def _open(data: bytes, max_pixels: int, max_pages: int) -> tuple[Image.Image, ImageInfo]:
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
        _check_size(image.size, max_pixels)
        if fmt == "TIFF":
            # Pillow's n_frames reads every IFD in full (37 s for 60 000 one-pixel pages): counted here from
            # their offsets, and no further than one past the bound (0: no bound, every page counted).
            frames = _tiff_pages(data, max_pages or 10**9)
            _check_pages(frames, max_pages, exact=False)
        else:
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
        # Pillow's convert copies even a picture already RGB (160 MB at the pixel bound).
        rgb = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
        return np.ascontiguousarray(rgb[:, :, ::-1])
    except Exception:
        raise (GifDecodeFailed if fmt == "GIF" else ImageDecodeFailed)() from None
