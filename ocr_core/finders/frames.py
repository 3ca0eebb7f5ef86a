"""The clean step for certificates in a printed frame (a business licence's ornamented border):
the frame's ink painted over with the paper's colour, so that the steps after it see text only.

A closed frame encloses the whole page: finding lines as outer outlines then finds the frame
and nothing inside it, and the page reads as having no text direction. A frame is told from
text by its extent: one connected stroke spanning most of the picture both ways.
"""
from __future__ import annotations

import cv2
import numpy as np

from ocr_core.steps.locate import grey_of, ink_mask

# A stroke spanning this fraction of the picture's width and of its height is a frame.
FRAME_SPAN = 0.45
# Frames are found on a picture scaled to about this longer side (px), for speed.
_WORK_SIDE = 1200


def erase_frames(image: np.ndarray) -> np.ndarray:
    """A copy of `image` with every frame-sized stroke painted in the paper's colour; the
    picture itself when it has none. Coordinates are unchanged."""
    grey = grey_of(image)
    scale = min(1.0, _WORK_SIDE / max(grey.shape))
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else grey
    ink = ink_mask(small)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    height, width = ink.shape
    frames = [k for k in range(1, count)
              if stats[k, cv2.CC_STAT_WIDTH] >= FRAME_SPAN * width and stats[k, cv2.CC_STAT_HEIGHT] >= FRAME_SPAN * height]
    if not frames:
        return image
    mask = np.isin(labels, frames).astype(np.uint8) * 255
    mask = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    if scale < 1:
        mask = cv2.resize(mask, (grey.shape[1], grey.shape[0]), interpolation=cv2.INTER_NEAREST)
        mask = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    out = image.copy()
    # The paper's colour beside the frame, not the desk's beyond the sheet.
    beside = (cv2.dilate(mask, np.ones((9, 9), np.uint8)) > 0) & (mask == 0)
    paper = np.median(image[beside], axis=0)
    out[mask > 0] = paper.astype(image.dtype)
    return out
