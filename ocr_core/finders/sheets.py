"""The find step for several small paper documents lying apart on a darker background in one
photo (receipts, tickets on a desk): each sheet's outline as a rotated rectangle."""
from __future__ import annotations

import math

import cv2
import numpy as np

from ocr_core.geometry import Quad

# Sheets are found on a copy this size at most: outlines stay exact to a pixel or two.
_WORK_SIDE = 900
# A sheet covers at least this share of the picture, and fills its rotated rectangle this much
# (a receipt is a rectangle; a shadow, a lamp's reflection or a bright desk's blotch is not).
MIN_AREA = 0.01
MIN_FILL = 0.8
# Paper is the bright side of the picture; it fills less than this share of it, else the
# picture is a scan of one sheet, with no background to find sheets against.
_MAX_PAPER = 0.9
# Paper must be this much brighter than the background around it (ratio of medians).
_MIN_CONTRAST = 1.3


def find_sheets(image: np.ndarray) -> list[Quad]:
    """The corners of the sheets in `image`, in the picture's reading order (top to bottom,
    left to right); empty when no sheet stands out from a background.

    Paper is white in every channel, while desks, mats and cloths are coloured or dark, so the
    least of the three channels separates them even where the light is uneven; Otsu's
    threshold splits that channel in two. Each corner set is ordered so that its top edge is
    the one nearest the picture's horizontal: the sheet's own way up is left to the reader.
    """
    least = image.min(axis=2) if image.ndim == 3 else image
    scale = min(1.0, _WORK_SIDE / max(least.shape))
    small = cv2.resize(least, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else least
    small = cv2.GaussianBlur(small, (0, 0), 2)
    _, paper = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    share = float(np.count_nonzero(paper)) / paper.size
    if not 0.0 < share < _MAX_PAPER:
        return []
    inside, outside = small[paper > 0], small[paper == 0]
    if (np.median(inside) + 1) / (np.median(outside) + 1) < _MIN_CONTRAST:
        return []
    side = max(3, int(0.006 * max(small.shape)) | 1)
    # Closing fills the print's gaps at the sheet's edge; opening parts two sheets that touch at a corner.
    paper = cv2.morphologyEx(paper, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (side, side)))
    paper = cv2.morphologyEx(paper, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (side, side)))
    contours, _ = cv2.findContours(paper, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    sheets = []
    for contour in contours:
        hull = cv2.convexHull(contour)
        area = cv2.contourArea(hull)
        if area < MIN_AREA * paper.size:
            continue
        rect = cv2.minAreaRect(hull)
        (w, h) = rect[1]
        if w * h <= 0 or area / (w * h) < MIN_FILL or cv2.contourArea(contour) / (w * h) < MIN_FILL:
            continue
        # The sheet's own four corners when its outline has them (a photo in perspective makes
        # it no rectangle: the desk would come along in the corners of its rotated rectangle).
        corners = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True).reshape(-1, 2)
        if len(corners) != 4 or not cv2.isContourConvex(corners):
            corners = cv2.boxPoints(rect)
        sheets.append(_upright_corners(corners.astype(np.float64) / scale))
    order = sorted(range(len(sheets)), key=lambda i: (round(sheets[i].center[1] / (0.25 * max(image.shape[:2]))),
                                                      sheets[i].center[0]))
    return [sheets[i] for i in order]


def inset(sheet: Quad, fraction: float = 0.015) -> Quad:
    """The sheet's corners pulled towards its centre by `fraction`: what to cut out, so that the
    desk's edge, which reads as a long dark line, does not come along."""
    cx, cy = sheet.center
    return Quad.from_points([(cx + (x - cx) * (1 - fraction), cy + (y - cy) * (1 - fraction)) for x, y in sheet.points])


def _upright_corners(corners: np.ndarray) -> Quad:
    """Four corners as tl, tr, br, bl, the top edge being the one whose direction (left to
    right) is nearest the picture's horizontal."""
    centre = corners.mean(axis=0)
    # Clockwise on screen (y down) from the corner up-left of the centre.
    corners = corners[np.argsort(np.arctan2(corners[:, 1] - centre[1], corners[:, 0] - centre[0]))]
    best = min(range(4), key=lambda k: abs(_direction(corners[k], corners[(k + 1) % 4])))
    return Quad.from_points(np.roll(corners, -best, axis=0))


def _direction(a: np.ndarray, b: np.ndarray) -> float:
    return math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))
