"""The locate step for printed text: even light, ink, character size, and text-line boxes on
an upright page, found by smearing characters into lines (no engine involved)."""
from __future__ import annotations

import cv2
import numpy as np

from ocr_core.geometry import Quad, reading_order

# Closing width, in characters: joins the characters of a line (gaps of about a tenth of a
# character, a little more after full-width punctuation) but not lines (gaps of half a line).
SMEAR = 0.35
# Pieces of one row closer than this (in characters) are one line: a gap after a
# full-width comma is ~0.6; a form's label and its value far apart stay two lines.
_JOIN_GAP = 1.5
# Taller than this (in characters) a blob must look like a line of large text to be read.
_MAX_LINE = 2.5
# A rule line is longer than this many characters and about a stroke thick.
_RULE_CHARS = 4


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
    paper = cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    flat = grey.astype(np.float32) * 255.0 / np.maximum(paper, 1.0)
    return np.clip(flat, 0, 255).astype(np.uint8)


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
    boxes = []
    for label in range(1, count):
        x, y, w, h, area = stats[label]
        # Specks and stray dots are too small; a character-sized blob may be a lone
        # character or a full-width mark, which the row joining below picks up.
        if h < 0.3 * size or w < 0.2 * size or area < 0.08 * size * size:
            continue
        own = labels[y:y + h, x:x + w] == label
        # Rows are cut on the ink, not the smear: smearing half fills the gap of tight leading.
        own_ink = own & (ink[y:y + h, x:x + w] > 0)
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
    if h <= 1.8 * size:
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
