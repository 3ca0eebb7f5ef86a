"""Vertical lines (竖排): a crop told apart as a column, and read as a horizontal line by laying its
characters side by side or turned as PP-OCR reads them (the read step and the orient step's
reading score both use it); columns put right to left, and a box's region cut out rectified."""
from __future__ import annotations

import cv2
import numpy as np

from ocr_core.engines.base import Engine, Reading
from ocr_core.geometry import Quad
from ocr_core.steps.locate import grey_of

# A crop this many times taller than wide is a vertical line; at most this many characters of it are read.
COLUMN_RATIO = 2.0
_MAX_COLUMN_CHARS = 40
# A line box this many times taller than wide may be a vertical line of two or three characters
# (a banner's 奋斗): PP-OCR's own pipeline turns such crops before reading them.
TALL_RATIO = 1.5


def is_column(crop: np.ndarray) -> bool:
    """A crop of a vertical line (竖排): much taller than wide."""
    h, w = crop.shape[:2]
    return h >= COLUMN_RATIO * w and w >= 6


def read_column(crop: np.ndarray, engine: Engine) -> Reading:
    """A vertical line read as a horizontal one: cut into characters at the rows without ink,
    laid side by side upright (a recogniser reads lines, and characters turned on their side
    poorly), then read."""
    grey = grey_of(crop)
    h, w = grey.shape
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    paper = int(np.median(border))
    _, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if paper > 127:
        ink = 255 - ink
    cols = np.nonzero((ink > 0).sum(axis=0) > max(1, 0.03 * h))[0]
    if len(cols) < 2:
        return Reading("", 0.0)
    grey, ink = grey[:, cols[0]:cols[-1] + 1], ink[:, cols[0]:cols[-1] + 1]
    w = grey.shape[1]   # the characters' width: about their height too
    rows = (ink > 0).sum(axis=1) > max(1, 0.03 * w)
    runs, start = [], None
    for i, on in enumerate(np.append(rows, False)):
        if on and start is None:
            start = i
        elif not on and start is not None:
            runs.append([start, i])
            start = None
    # Pieces of one character (the strokes of 二, 三, 旦) join while they fit a character's height.
    chars: list[list[int]] = []
    for a, b in runs:
        if chars and b - chars[-1][0] <= 1.1 * w:
            chars[-1][1] = b
        else:
            chars.append([a, b])
    chars = [c for c in chars if c[1] - c[0] >= 0.15 * w][:_MAX_COLUMN_CHARS]
    if not chars:
        return Reading("", 0.0)
    gap = max(2, w // 5)
    pieces = [grey[max(0, a - 1):min(h, b + 1)] for a, b in chars]
    height = max(p.shape[0] for p in pieces) + 2 * gap
    canvas = np.full((height, sum(w + gap for _ in pieces) + gap), paper, np.uint8)
    x = gap
    for piece in pieces:
        top = (height - piece.shape[0]) // 2
        canvas[top:top + piece.shape[0], x:x + w] = piece
        x += w + gap
    return engine.read_line(canvas)


def is_tall(quad: Quad) -> bool:
    """A line box taller than wide by `TALL_RATIO`: a vertical line, or one tall character."""
    left, top, right, bottom = quad.bounds()
    return bottom - top >= TALL_RATIO * max(1.0, right - left)


def tall_crop(image: np.ndarray, quad: Quad) -> np.ndarray:
    """The region of a tall box rectified upright, with a margin of a fifth of its width: the
    upright box around a slanted column takes in the characters of the columns beside it (a
    street sign's two columns read as "20" and "200")."""
    if quad.length > quad.thickness:   # corners that name the long side the reading direction
        quad = Quad(quad.bl, quad.tl, quad.tr, quad.br)
    return rectified(image, quad, 0.2 * quad.length)


def rectified(image: np.ndarray, quad: Quad, margin: float) -> np.ndarray:
    """The region of `quad` warped to an upright rectangle, grown by `margin` px on every side
    (taken from the picture around it, as far as it goes)."""
    w, h = max(1, int(round(quad.length))), max(1, int(round(quad.thickness)))
    m = max(1, int(round(margin)))
    target = np.array([[m, m], [m + w - 1, m], [m + w - 1, m + h - 1], [m, m + h - 1]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(quad.as_array().astype(np.float32), target)
    return cv2.warpPerspective(image, matrix, (w + 2 * m, h + 2 * m), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)


def columns_right_to_left(quads: list[Quad]) -> list[Quad]:
    """Lines in reading order, with the vertical ones among them put right to left (as 竖排 is
    read) in the places they held; the other lines keep their places."""
    places = [i for i, quad in enumerate(quads) if is_tall(quad)]
    if len(places) < 2:
        return quads
    ordered = sorted((quads[i] for i in places), key=lambda q: -q.center[0])
    out = list(quads)
    for place, quad in zip(places, ordered):
        out[place] = quad
    return out


def read_tall(crop: np.ndarray, engine: Engine) -> Reading:
    """A tall crop read as it stands, as a column cut into characters laid side by side, and
    turned a quarter to the left (the column's top at the left, as PP-OCR's recogniser was
    taught vertical text): the most confident reading that holds a letter or character.
    Printed columns read best cut up; a sign's or a brush's characters, whose gaps are uneven,
    turned (realdev: 土地整治… 0.47 cut, 0.99 turned)."""
    readings = [engine.read_line(crop)]
    if crop.shape[1] >= 6:
        readings.append(read_column(crop, engine))
    readings.append(engine.read_line(np.ascontiguousarray(np.rot90(crop))))
    readings = [r for r in readings if any(ch.isalnum() for ch in r.text)]
    # Ties go to the earlier: a lone tall character ("1", "I") read as it stands.
    return max(readings, key=lambda r: r.prob) if readings else Reading("", 0.0)
