"""The find step for QR codes printed on a document: where the symbol is, whether or not it
decodes. OpenCV's detector first; where a phone photo's blur or JPEG defeats it, the three
finder patterns (a dark square ring around a dark square, 7 modules across) found as nested
outlines of similar size, close together."""
from __future__ import annotations

import itertools
import math

import cv2
import numpy as np

from ocr_core.geometry import Quad

# Finder patterns of one symbol: sizes within this ratio, at most this many sizes apart.
_SIZE_RATIO = 1.5
_MAX_SPREAD = 12.0


def find_qr_code(grey: np.ndarray) -> Quad | None:
    """The upright box of a QR code in a grey (or BGR) picture, or None."""
    if grey.ndim == 3:
        grey = cv2.cvtColor(grey, cv2.COLOR_BGR2GRAY)
    try:
        ok, points = cv2.QRCodeDetector().detect(grey)
    except cv2.error:
        ok, points = False, None
    if ok and points is not None:
        xs, ys = points.reshape(-1, 2)[:, 0], points.reshape(-1, 2)[:, 1]
        if xs.max() - xs.min() > 10 and ys.max() - ys.min() > 10:
            return Quad.from_box(float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))
    return _from_finder_patterns(grey)


def finder_patterns(grey: np.ndarray) -> list[tuple[float, float, float, float]]:
    """Boxes (left, top, right, bottom) of square outlines nested two deep with a square core:
    the finder patterns of QR codes."""
    ink = cv2.adaptiveThreshold(cv2.GaussianBlur(grey, (3, 3), 0), 255, cv2.ADAPTIVE_THRESH_MEAN_C,
                                cv2.THRESH_BINARY_INV, 51, 10)
    contours, hierarchy = cv2.findContours(ink, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    tree = hierarchy[0]
    found = []
    for k, contour in enumerate(contours):
        x, y, w, h = cv2.boundingRect(contour)
        if w < 9 or not 0.75 <= w / h <= 1.33 or cv2.contourArea(contour) < 0.7 * w * h:
            continue
        # Ring: the outline's hole, and inside it the core, each square and a fitting size.
        hole = tree[k][2]
        if hole < 0:
            continue
        core = tree[hole][2]
        if core < 0:
            continue
        cx, cy, cw, ch = cv2.boundingRect(contours[core])
        if not 0.25 <= cw / w <= 0.6 or not 0.75 <= cw / max(1, ch) <= 1.33:
            continue
        found.append((float(x), float(y), float(x + w), float(y + h)))
    return found


def _from_finder_patterns(grey: np.ndarray) -> Quad | None:
    """The box around three finder patterns that make a right angle with equal legs."""
    patterns = finder_patterns(grey)
    best = None
    for trio in itertools.combinations(patterns, 3):
        sizes = [b[2] - b[0] for b in trio]
        if max(sizes) > _SIZE_RATIO * min(sizes):
            continue
        centres = [((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for b in trio]
        sides = sorted(math.dist(a, b) for a, b in itertools.combinations(centres, 2))
        size = float(np.mean(sizes))
        # Two equal legs and the hypotenuse of a right angle, the legs a few patterns long.
        if not 1.5 * size <= sides[0] <= _MAX_SPREAD * size or sides[1] > 1.15 * sides[0]:
            continue
        if abs(sides[2] - math.hypot(sides[0], sides[1])) > 0.1 * sides[2]:
            continue
        left, top = min(b[0] for b in trio), min(b[1] for b in trio)
        right, bottom = max(b[2] for b in trio), max(b[3] for b in trio)
        if best is None or size > best[0]:
            best = (size, Quad.from_box(left, top, right, bottom))
    return best[1] if best else None
