"""The specks step: dust, spatter and noise dots wiped off a picture before its lines are
found, when there are many of them, so that a speckled page is not read speck by speck."""
from __future__ import annotations

import cv2
import numpy as np

from ocr_core.steps.locate import grey_of, ink_mask

# A speck is a compact blot (it fills this share of its box, its sides within this ratio)
# with no other ink within this many times its own size: the dot of 文 or the tail of 的
# lies closer to the rest of its character than its own size, as a letter does to the next.
# Specks that touch or nearly touch each other, or the type, are left (the line finder
# skips most of them as too small to be a line).
_FILL = 0.5
_ASPECT = 2.0
_ALONE = 1.0
# Smaller blots are left alone (a full stop, JPEG grain the engine ignores anyway).
_MIN_SIDE = 4
# A picture is wiped only when it has more specks than this: a clean card or page has a few
# lone blots (a colon's dots, an icon before a phone), a dusty one scores of them.
MANY_SPECKS = 40


def speck_mask(image: np.ndarray) -> np.ndarray:
    """The ink of the specks (uint8, 255 on 0, the picture's size)."""
    ink = ink_mask(grey_of(image))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    x, y, w, h, area = (stats[1:, i] for i in range(5))
    side = np.maximum(w, h)
    compact = ((side >= _MIN_SIDE) & (area >= _FILL * w * h) & (side <= _ASPECT * np.minimum(w, h))
               & (side <= max(ink.shape) / 20))
    specks = np.zeros(count, bool)
    height, width = ink.shape
    for index in np.nonzero(compact)[0]:
        reach = int(np.ceil(_ALONE * side[index]))
        x0, y0 = max(0, x[index] - reach), max(0, y[index] - reach)
        x1, y1 = min(width, x[index] + w[index] + reach), min(height, y[index] + h[index] + reach)
        around = labels[y0:y1, x0:x1]
        specks[index + 1] = not np.any((around != 0) & (around != index + 1))
    return np.where(specks[labels], 255, 0).astype(np.uint8)


def without_specks(image: np.ndarray) -> tuple[np.ndarray, int]:
    """The picture with its specks painted over in the paper around them when it has more
    than MANY_SPECKS of them (else the picture itself), and how many it had."""
    mask = speck_mask(image)
    count = cv2.connectedComponents(mask, connectivity=8)[0] - 1
    if count <= MANY_SPECKS:
        return image, count
    # Each speck's paper: the picture with the specks' ink grown over and blurred in.
    grown = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    paper = cv2.inpaint(image, grown, 3, cv2.INPAINT_TELEA)
    return paper, count
