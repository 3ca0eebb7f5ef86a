"""ocr_general: every printed line of a picture, in reading order, as the reference's
`ret` list of rotated rectangles in the original picture's coordinates."""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from ocr_core.engines import get_engine
from ocr_core.engines.base import Engine, TextLine
from ocr_core.geometry import Rect, reading_order, scale_image
from ocr_core.orient import upright_page

OPTIONS = {"min_size": int, "output_prob": bool}
# The reference's `min_size` is the least text height kept ("图片中文字的最小高度"). It gives
# no default; 0 keeps every line, since a small line in a big photo is still real text.
DEFAULT_MIN_SIZE = 0

# Tesseract's LSTM reads Chinese best at about this character height (px); pages are scaled to it.
_READ_CHAR_HEIGHT = 36
_MAX_UPSCALE = 3.0
# Tilt above which the answer warns that it straightened the page (degrees).
_SKEW_WARNING = 2.0
# Laplacian variance of the page at reading scale below which it is called blurry.
_BLUR_VARIANCE = 150.0


@dataclass
class PageText:
    """The lines of a page in the original picture's coordinates, in reading order, and what
    was done to read them."""

    lines: list[TextLine]
    rotation: int = 0
    skew: float = 0.0
    sharpness: float = 0.0
    warnings: list[str] = field(default_factory=list)


def read_page_text(image: np.ndarray, engine: Engine) -> PageText:
    """Orient the page, scale it so characters have the height the engine reads best, read
    it, and carry every line's box back to `image`."""
    page = upright_page(image, engine)
    factor = 1.0
    if page.char_size > 0:
        factor = min(_MAX_UPSCALE, _READ_CHAR_HEIGHT / page.char_size)
        if 0.8 <= factor <= 1.25:
            factor = 1.0  # close enough; resampling would cost sharpness for nothing
    scaled, to_upright = scale_image(page.image, factor)
    found = engine.read_page(scaled)
    order = reading_order([line.quad for line in found])
    to_original = to_upright.then(page.transform)
    lines = [TextLine(found[i].text, to_original.apply_quad(found[i].quad), found[i].prob) for i in order]

    sharpness = _sharpness(scaled)
    warnings = []
    if page.rotation:
        warnings.append(f"rotated_{page.rotation}")
    if abs(page.skew) > _SKEW_WARNING:
        warnings.append("skew_corrected")
    if sharpness < _BLUR_VARIANCE:
        warnings.append("blurry")
    return PageText(lines, page.rotation, page.skew, sharpness, warnings)


def ocr_general(image: np.ndarray, configure: dict) -> dict:
    """The reference's general text answer: {"ret": [{"prob"?, "rect", "word"}], "success"}."""
    page = read_page_text(image, get_engine())
    min_size = configure.get("min_size", DEFAULT_MIN_SIZE)
    output_prob = configure.get("output_prob", False)
    ret, evidence = [], {}
    for line in page.lines:
        rect = Rect.from_quad(line.quad)
        if rect.height < min_size:
            continue
        item: dict = {}
        if output_prob:
            item["prob"] = round(line.prob, 5)
        item["rect"] = rect.to_dict()
        item["word"] = line.text
        evidence[str(len(ret))] = {"box": line.quad.to_list(), "prob": round(line.prob, 5), "valid": None}
        ret.append(item)
    answer: dict = {"ret": ret, "success": True}
    if configure.get("evidence"):
        answer["evidence"] = evidence
        answer["warnings"] = page.warnings
    return answer


def _sharpness(image: np.ndarray) -> float:
    """Variance of the Laplacian: low when edges are soft. Measured at reading scale so that
    it does not depend on the picture's resolution."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())
