"""The unseal step: the red ink of seals and stamps taken out of a picture before its labels and values are read.

A licence's issuing authority stamps its red seal over the lower labels and values. Turned to
grey as it is, the seal's ink is as dark as the print (a red of 220, 40, 40 is a grey of about
100), so the line finder joins the ring and the characters under it and the reader misreads
both. In the red channel the same ink is almost as light as the paper, while black print under
translucent ink stays dark there: each red pixel is replaced by its red channel, stretched
within its stamp so that the ink over the paper becomes paper and the print under it dark.
"""
from __future__ import annotations

import cv2
import numpy as np

from ocr_core.finders.seals import RED_HUES

# Red ink as the unseal step takes it: less saturated than `red_mask` asks, since the edges
# of a stamp's strokes (antialiased, JPEG-blurred) are paler and would stay as grey outlines.
_MIN_SATURATION = 45
_MIN_VALUE = 60
# How far (px, at any scale: a fraction of the picture's shorter side) a stamp's strokes may
# be apart and still be one stamp, whose ink is stretched as one.
_JOIN = 0.02
# A stamp is compact: its box at most this share of the picture's width and height, and no
# more than this elongated (a red desk's grain or a wooden table's streaks are long and wide).
_MAX_SIDE = 0.5
_MAX_ELONGATION = 3.0
# The stretch is capped: a stamp over bare paper has no dark print to stretch towards, and
# its ink's noise must not become specks.
_MAX_GAIN = 6.0
# The grey of black print on paper, which the print under a stamp's ink is stretched to.
_PRINT = 40.0


def without_red_ink(image: np.ndarray) -> np.ndarray:
    """`image` (BGR) with the red ink of its stamps made paper and the print under them kept;
    a grey picture, or one without red, is answered unchanged."""
    if image.ndim != 3 or image.shape[2] < 3:
        return image
    bgr = image[..., :3]
    hsv = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)
    mask = np.zeros(hsv.shape[:2], np.uint8)
    for low, high in RED_HUES:
        mask |= cv2.inRange(hsv, (low, _MIN_SATURATION, _MIN_VALUE), (high, 255, 255))
    if not mask.any():
        return image
    # A stamp's strokes, a pixel wider, joined into stamps.
    around = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    size = max(3, round(_JOIN * min(mask.shape)))
    stamps = cv2.morphologyEx(around, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(stamps)
    red = bgr[..., 2].astype(np.float32)
    grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    # The paper's level: the light grey of the picture where it is not red.
    paper = float(np.percentile(grey[mask == 0], 90)) if (mask == 0).any() else 255.0
    out = bgr.copy()
    height, width = mask.shape
    for k in range(1, count):
        x, y, w, h = (int(v) for v in stats[k, :4])
        if w > _MAX_SIDE * width or h > _MAX_SIDE * height or max(w, h) > _MAX_ELONGATION * max(1, min(w, h)):
            continue
        window = (slice(y, y + h), slice(x, x + w))
        stamp = labels[window] == k
        ink = red[window][stamp & (mask[window] > 0)]
        if ink.size < 20:
            continue
        # Most of a stamp's ink lies over paper: its middle level is the ink over paper (the
        # paler edges of the strokes above it), the print under the ink is its dark end.
        light, dark = float(np.percentile(ink, 50)), float(np.percentile(ink, 3))
        # Stretched so that the print under the ink comes out as dark as print.
        gain = min(_MAX_GAIN, max(1.0, (paper - _PRINT) / max(1.0, light - dark)))
        # The red pixels stretched; the pale fringe around a stroke (JPEG's blurred colour) only
        # by its red channel: stretched as ink it would become a dark outline of the ring.
        taken = stamp & (mask[window] > 0)
        fringe = stamp & (around[window] > 0) & (mask[window] == 0)
        view = out[window]
        view[fringe] = red[window][fringe].astype(np.uint8)[:, None]
        view[taken] = np.clip(paper - (light - red[window][taken]) * gain, 0, 255).astype(np.uint8)[:, None]
    if image.shape[2] > 3:
        return np.concatenate([out, image[..., 3:]], axis=2)
    return out
