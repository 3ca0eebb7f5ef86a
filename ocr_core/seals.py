"""The find step for seals and stamps: regions of red ink, whatever the stamp says.

Red is two hue ranges in OpenCV's HSV (0-10 and 160-180 of 180). Seal ink fades to pink and
a phone's white balance dims it, so saturation and brightness are only asked to be moderate;
the paper's beige (hue about 17), a blue-grey form and black print fall outside. The strokes
of one stamp (its outline, its characters) are joined by a closing whose size follows the
picture, and regions too small for the page are dropped as specks of red in the background.
"""
from __future__ import annotations

import cv2
import numpy as np

from ocr_core.geometry import Quad

# Hue bounds of red (OpenCV hue runs 0-179); faded pink still sits in them.
RED_HUES = ((0, 10), (160, 180))
# Least saturation and value of red ink: faded pink (230, 160, 160) has saturation 77.
MIN_SATURATION = 60
MIN_VALUE = 80
# How far apart the strokes of one stamp may be, as a fraction of the picture's shorter side.
JOIN = 0.012
# A stamp covers at least this fraction of the picture's area (its box, not its ink).
MIN_AREA = 0.0015
# ...and has at least this fraction of its box inked: a thin red thread is not a stamp.
MIN_INK = 0.04


def red_mask(image: np.ndarray) -> np.ndarray:
    """255 where a BGR picture shows red or faded-red ink, else 0."""
    hsv = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)
    mask = np.zeros(hsv.shape[:2], np.uint8)
    for low, high in RED_HUES:
        mask |= cv2.inRange(hsv, (low, MIN_SATURATION, MIN_VALUE), (high, 255, 255))
    return mask


def find_red_regions(image: np.ndarray) -> list[Quad]:
    """The red stamps of a BGR picture, each as the rotated rectangle around its ink, in the
    picture's coordinates, largest first. A grey picture has no red: the answer is empty."""
    if image.ndim != 3 or image.shape[2] < 3:
        return []
    height, width = image.shape[:2]
    mask = red_mask(image[..., :3])
    # A lone red pixel (JPEG fringes, noise) is no ink.
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    size = max(3, round(JOIN * min(height, width)))
    joined = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    # Outer outlines only: the characters inside a seal's ring or frame belong to the seal.
    contours, _ = cv2.findContours(joined, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    regions = []
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        if w * h < MIN_AREA * height * width:
            continue
        if cv2.countNonZero(mask[y:y + h, x:x + w]) < MIN_INK * w * h:
            continue
        corners = cv2.boxPoints(cv2.minAreaRect(contour))
        regions.append((w * h, _upright_order(corners)))
    return [quad for _, quad in sorted(regions, key=lambda r: -r[0])]


def _upright_order(corners: np.ndarray) -> Quad:
    """A rotated rectangle's corners as top-left, top-right, bottom-right, bottom-left of the picture."""
    centre = corners.mean(axis=0)
    angles = np.arctan2(corners[:, 1] - centre[1], corners[:, 0] - centre[0])
    ordered = corners[np.argsort(angles)]          # from the left going clockwise (y down)
    start = int(np.argmin(ordered[:, 0] + ordered[:, 1]))
    ordered = np.roll(ordered, -start, axis=0)
    return Quad(*(tuple(float(v) for v in p) for p in ordered))
