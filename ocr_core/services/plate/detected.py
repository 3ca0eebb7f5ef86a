"""Plates found the second way: by PP-OCR's text detector on the whole picture, what raw PP-OCR
finds where a plate's colour and rim do not show (night cameras, blur, close-ups, a coach's
yellow under glare), a motorcycle's plate in two rows (its province and letter above, the serial
below), and a picture that is a plate and nothing else (a bare crop). Every reading is still held
to the plate grammar, and more strictly than a plate found by its colour: the recogniser must
read the province (or 使) itself, for a province the grammar picked is a guess."""
from __future__ import annotations

import numpy as np

from ocr_core.chinese_text import edit_distance
from ocr_core.checks.plate_number import EMBASSY, PROVINCES, plate_text
from ocr_core.geometry import Quad, enclosing_quad
from ocr_core.services.plate.find import PlateCandidate, ground_colour

# A bare plate crop: a whole picture shaped like a plate (440 × 140 mm; a crop's margins vary).
CROP_ASPECT = (2.2, 6.0)
CROP_MAX_HEIGHT = 200
# Detector boxes that may hold a plate's row: as long as 1.5 to 9 times their height.
ROW_ASPECT = (1.5, 9.0)


def whole_picture(image: np.ndarray) -> list[PlateCandidate]:
    """The picture itself as a candidate when it is shaped like a plate and small: a bare crop."""
    height, width = image.shape[:2]
    if height > CROP_MAX_HEIGHT or not CROP_ASPECT[0] <= width / max(height, 1) <= CROP_ASPECT[1]:
        return []
    quad = Quad.from_box(0, 0, width, height)
    return [PlateCandidate(quad, ground_colour(image, quad))]


def detected_rows(image: np.ndarray, boxes: list[Quad]) -> list[PlateCandidate]:
    """The detector's boxes shaped like a plate's row of characters, each as a candidate, and
    also widened by one character to the left (a detector often leaves the province out)."""
    found = []
    for quad in boxes:
        if quad.thickness < 9 or not ROW_ASPECT[0] <= quad.length / quad.thickness <= ROW_ASPECT[1]:
            continue
        if abs(quad.direction) > 35:
            continue
        colour = ground_colour(image, quad)
        found.append(PlateCandidate(quad, colour))
        tl, tr, br, bl = quad.as_array()
        along = (tr - tl) / max(float(np.linalg.norm(tr - tl)), 1.0) * 0.9 * quad.thickness
        found.append(PlateCandidate(Quad.from_points([tl - along, tr, br, bl - along]), colour))
    return found


def two_row_pairs(boxes: list[Quad]) -> list[tuple[Quad, Quad]]:
    """Pairs of detector boxes that may be a two-row plate: a short upper row (province and
    letter) centred over a longer lower row (five characters), close below it."""
    pairs = []
    for upper in boxes:
        for lower in boxes:
            if upper is lower:
                continue
            ul, ut, ur, ub = upper.bounds()
            ll, lt, lr, lb = lower.bounds()
            uw, lw = ur - ul, lr - ll
            # The detector's boxes of the two rows often overlap: the centres must stand apart.
            if not (0.3 * lw <= uw <= 1.0 * lw and (lt + lb) / 2 - (ut + ub) / 2 >= 0.35 * (lb - lt)):
                continue
            if lt - ub > 1.0 * (lb - lt) or abs((ul + ur) / 2 - (ll + lr) / 2) > 0.25 * lw:
                continue
            if not 0.5 <= (ub - ut) / max(lb - lt, 1) <= 1.3:
                continue
            pairs.append((upper, lower))
    return pairs


def two_row_text(upper: str, lower: str) -> str | None:
    """A two-row plate's number from its rows' readings, or None when the rows are not one."""
    return plate_text(upper + lower)


def province_read(reading: str, plate: str) -> bool:
    """Whether the recogniser itself read the plate's first character (its province, or 使) at
    the start of its reading, and the rest of the reading is the plate but for one character."""
    chars = [ch for ch in reading.upper() if ch.isalnum()]
    start = next((i for i, ch in enumerate(chars) if ch in PROVINCES + EMBASSY), None)
    if start is None or chars[start] != plate[0]:
        return False
    return edit_distance("".join(chars[start:]), plate) <= 1


def enclosing(a: Quad, b: Quad) -> Quad:
    return enclosing_quad([a, b])
