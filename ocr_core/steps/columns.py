"""Vertical lines (竖排): a crop told apart as a column, and read as a horizontal line by laying its
characters side by side (the read step and the orient step's reading score both use it)."""
from __future__ import annotations

import cv2
import numpy as np

from ocr_core.engines.base import Engine, Reading
from ocr_core.steps.locate import grey_of

# A crop this many times taller than wide is a vertical line; at most this many characters of it are read.
COLUMN_RATIO = 2.0
_MAX_COLUMN_CHARS = 40


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
