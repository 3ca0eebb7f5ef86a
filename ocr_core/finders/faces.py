"""The portrait on a card: found with OpenCV's frontal-face Haar cascade on the upright card."""
from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from ocr_core.geometry import Quad

# Cards are searched at this width: a portrait is then 120-250 px, where the cascade is sure.
_WORK_WIDTH = 800


@lru_cache(maxsize=1)
def _cascade() -> cv2.CascadeClassifier:
    # Loaded once per process from the opencv wheel, never from the working directory.
    return cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")


def find_face(image: np.ndarray) -> Quad | None:
    """The largest face on an upright picture, as a box in its coordinates, or None."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    scale = _WORK_WIDTH / grey.shape[1]
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    # No histogram equalisation: on a light card it flattened the portrait until it was missed.
    faces = _cascade().detectMultiScale(small, scaleFactor=1.1, minNeighbors=5,
                                        minSize=(small.shape[1] // 12,) * 2)
    if len(faces) == 0:
        return None
    x, y, w, h = (v / scale for v in max(faces, key=lambda f: f[2] * f[3]))
    return Quad.from_box(x, y, x + w, y + h)
