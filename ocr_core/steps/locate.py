"""The locate step for printed text: even light, ink, character size, and text-line boxes on
an upright page, found by smearing characters into lines (no engine involved); and a text
detector's lines of any picture at a bounded cost (a blank one, a strip)."""
from __future__ import annotations

import cv2
import numpy as np

from ocr_core.engines.base import Engine
from ocr_core.geometry import Quad, reading_order, scale_image

# Closing width, in characters: joins the characters of a line (gaps of about a tenth of a
# character, a little more after full-width punctuation) but not lines (gaps of half a line).
SMEAR = 0.35
# Pieces of one row closer than this (in characters) are one line: a gap after a
# full-width comma is ~0.6; a form's label and its value far apart stay two lines.
_JOIN_GAP = 1.5
# Taller than this (in characters) a blob must look like a line of large text to be read.
_MAX_LINE = 2.5
# Up to this tall (in characters) a blob is one line, never cut into rows.
_ONE_LINE = 1.8
# A rule line is longer than this many characters and about a stroke thick.
_RULE_CHARS = 4
# Rows of a page divided at a time (memory, not speed: a band of a wide page is a few MB).
_BAND_ROWS = 256


#: The longest side, in multiples of the shorter, of a picture handed to a text detector.
#: PP-OCR's scales a picture's longer side down to 2000 px and then its shorter side up to 736:
#: a blank strip of 40 x 4000 (100:1, what the API admits) became 736 x 73 600, 54 MP, and took
#: 110 s. At 4:1 it sees 2944 x 736, 2.2 MP (the process's peak 648 MiB on noise; 813 at 6:1).
DETECTOR_ASPECT = 4.0
#: PP-OCR's own bound on the longer side (its max_side_len): a strip is brought to it before it
#: is padded, so that the detector sees it at the scale it would have.
DETECTOR_SIDE = 2000
#: Most pixels a detector is handed: a 4:3 photo at DETECTOR_SIDE. PP-OCR's detector on a square
#: of 2000 x 2000 (any picture of 3000 x 3000 and more) raised the process's peak to 973 MiB, on
#: 2000 x 1500 to about 740 MiB (noise; the budget is 1 GiB per process).
DETECTOR_PIXELS = 3_000_000


#: Grey levels between a picture's darkest and lightest spot, sensor and JPEG grain smoothed out,
#: below which it holds nothing to read: print stands tens of levels off its paper even when faint.
FLAT_CONTRAST = 12


def is_blank(image: np.ndarray) -> bool:
    """Whether a picture is of one even tone, with nothing on it a detector could find."""
    smooth = cv2.blur(grey_of(image), (3, 3))
    low, high, _, _ = cv2.minMaxLoc(smooth)
    return high - low < FLAT_CONTRAST


def detect_lines_within(detector: Engine, image: np.ndarray) -> list[Quad]:
    """`detector`'s text lines of `image` at a bounded cost, its boxes carried back to `image`: a
    blank picture has none; a picture the detector would see as more than DETECTOR_PIXELS is
    scaled down to them; a strip longer than DETECTOR_ASPECT:1 is brought to DETECTOR_SIDE and
    padded at its right or bottom, with its own median colour (no edge to take for text), to
    that aspect. Other pictures are handed over as they are."""
    if is_blank(image):
        return []  # a blank page costs the detector as much as a written one
    height, width = image.shape[:2]
    factor = min(1.0, DETECTOR_SIDE / max(height, width))
    strip = max(height, width) > DETECTOR_ASPECT * min(height, width)
    if not strip and width * height * factor ** 2 <= DETECTOR_PIXELS:
        return detector.detect_lines(image)
    factor = min(factor, (DETECTOR_PIXELS / (width * height)) ** 0.5)
    small, back = scale_image(image, factor)
    h, w = small.shape[:2]
    bottom = max(0, int(np.ceil(w / DETECTOR_ASPECT)) - h) if strip else 0
    right = max(0, int(np.ceil(h / DETECTOR_ASPECT)) - w) if strip else 0
    if bottom or right:
        colour = [float(c) for c in np.atleast_1d(np.median(small.reshape(h * w, -1), axis=0))]
        small = cv2.copyMakeBorder(small, 0, bottom, 0, right, cv2.BORDER_CONSTANT,
                                   value=colour + [0.0] * (4 - len(colour)))
    quads = [back.apply_quad(quad) for quad in detector.detect_lines(small)]
    # A box wholly in the padding is nothing of the picture's.
    return [quad for quad in quads if quad.bounds()[0] < width and quad.bounds()[1] < height]


def grey_of(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image


def even_light(grey: np.ndarray, size: float) -> np.ndarray:
    """The page divided by its own paper brightness, so that shading, a light gradient or a
    vignette leaves white paper and dark ink everywhere (the engine thresholds a line as a
    whole, and a shaded end of a line then drowns).

    The paper is what remains after a closing wider than a stroke wipes the ink out, taken
    at a quarter of the size for speed and smoothed.
    """
    h, w = grey.shape
    factor = min(1.0, 0.25 * 40 / max(size, 1.0)) if size else 0.25
    small = cv2.resize(grey, (max(1, int(w * factor)), max(1, int(h * factor))), interpolation=cv2.INTER_AREA)
    k = max(3, int(round(size * factor)) | 1)
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    paper = cv2.GaussianBlur(paper, (0, 0), k)
    paper = cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR)
    # In bands of rows: the division in floats over a whole page of 80 MP (a noise picture scaled
    # up to reading size) held five float copies of it at once, 1.6 GB.
    flat = np.empty_like(grey)
    for top in range(0, h, _BAND_ROWS):
        rows = slice(top, top + _BAND_ROWS)
        band = grey[rows].astype(np.float32) * 255.0 / np.maximum(paper[rows].astype(np.float32), 1.0)
        flat[rows] = np.clip(band, 0, 255).astype(np.uint8)
    return flat


def ink_mask(grey: np.ndarray) -> np.ndarray:
    """Marks darker than their neighbourhood as 255 on 0. A local threshold survives uneven
    light and a coloured paper where a global one does not."""
    smooth = cv2.GaussianBlur(grey, (3, 3), 0)
    return cv2.adaptiveThreshold(smooth, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 12)


def character_size(ink: np.ndarray) -> float | None:
    """Typical character height in pixels: the 90th percentile of the ink components'
    smaller side. A component is a stroke group, a character, or (small or blurred text)
    several characters run together: its smaller side is at most the line's height,
    whichever it is, where its larger side overshoots."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    w, h, area = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT], stats[1:, cv2.CC_STAT_AREA]
    keep = (np.maximum(w, h) >= 4) & (np.maximum(w, h) <= max(ink.shape) / 8) & (area >= 8)
    # One component is enough: a word of two complex characters (数量) is two blobs.
    if not keep.any():
        return None
    return float(np.percentile(np.minimum(w, h)[keep], 90))


def smear(ink: np.ndarray, size: float) -> np.ndarray:
    """Characters closed into line-shaped blobs."""
    k = max(2, int(round(size * SMEAR)))
    return cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))


def without_rules(ink: np.ndarray, size: float) -> np.ndarray:
    """Ink minus long horizontal and vertical strokes (table borders, underlines), which
    would otherwise weld the text they touch into one blob."""
    length = max(15, int(round(_RULE_CHARS * size)))
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    rules |= cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length)))
    return cv2.subtract(ink, rules)


def find_text_lines(image: np.ndarray, char_size: float | None = None) -> list[Quad]:
    """Boxes of the horizontal text lines of an upright page, in reading order."""
    ink = ink_mask(grey_of(image))
    size = char_size or character_size(ink)
    if not size:
        return []
    blobs = smear(without_rules(ink, size), size)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(blobs, connectivity=8)
    del blobs  # the labels say it all now, and a page of 80 MP holds 80 MB of it
    boxes = []
    for label in range(1, count):
        x, y, w, h, area = stats[label]
        # Specks and stray dots are too small; a character-sized blob may be a lone
        # character or a full-width mark, which the row joining below picks up.
        if h < 0.3 * size or w < 0.2 * size or area < 0.08 * size * size:
            continue
        if h <= _ONE_LINE * size:
            boxes.append((x, y, x + w, y + h))  # one line: nothing to cut, nor too tall to be text
            continue
        own = labels[y:y + h, x:x + w] == label
        # Rows are cut on the ink, not the smear: smearing half fills the gap of tight leading.
        own_ink = np.logical_and(own, ink[y:y + h, x:x + w])
        for left, top, right, bottom in _split_rows(own_ink, size):
            piece = own[top:bottom, left:right]
            if bottom - top > _MAX_LINE * size and (piece.mean() < 0.5 or right - left < 1.5 * (bottom - top)):
                continue  # a frame, a picture, a stamp: hollow or not line-shaped
            boxes.append((x + left, y + top, x + right, y + bottom))
    pieces = _join_rows(boxes, size)
    quads = [Quad.from_box(*box) for box in pieces]
    return [quads[i] for i in reading_order(quads)]


def _split_rows(blob: np.ndarray, size: float) -> list[tuple[int, int, int, int]]:
    """Boxes (left, top, right, bottom) within a blob's mask of the lines it holds. A blob
    taller than a line is lines touching (tight leading, a descender on an ascender) or
    large text: it is cut at the rows where it is thinnest, if that leaves lines."""
    h, w = blob.shape
    if h <= _ONE_LINE * size:
        return [(0, 0, w, h)]
    profile = np.convolve(blob.sum(axis=1).astype(np.float64), np.ones(3) / 3, mode="same")
    # Cuts are rows that are nearly empty compared with the text around them.
    quiet = profile <= 0.08 * profile.max()
    cuts, start = [], None
    for i, q in enumerate(np.append(quiet, False)):
        if q and start is None:
            start = i
        elif not q and start is not None:
            cuts.append((start + i) // 2)
            start = None
    edges = [0] + [c for c in cuts if 0 < c < h] + [h]
    rows = [(a, b) for a, b in zip(edges, edges[1:]) if b - a >= 0.3 * size]
    if len(rows) < 2:
        return [(0, 0, w, h)]
    result = []
    for a, b in rows:
        cols = np.nonzero(blob[a:b].any(axis=0))[0]
        if len(cols):
            result.append((int(cols[0]), a, int(cols[-1]) + 1, b))
    return result


def _join_rows(boxes: list[tuple[int, int, int, int]], size: float) -> list[tuple[int, int, int, int]]:
    """Join pieces that share a row and lie close together, left to right."""
    lines: list[list[int]] = []
    for left, top, right, bottom in sorted(boxes):
        for line in lines:
            overlap = min(line[3], bottom) - max(line[1], top)
            if overlap >= 0.5 * min(line[3] - line[1], bottom - top) and left - line[2] <= _JOIN_GAP * size:
                line[:] = [min(line[0], left), min(line[1], top), max(line[2], right), max(line[3], bottom)]
                break
        else:
            lines.append([left, top, right, bottom])
    return [tuple(line) for line in lines]
