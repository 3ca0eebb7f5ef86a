"""The read step every service starts with: the page oriented and straightened, its lines found
and read one by one, each line's box carried back to the picture the client sent."""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from ocr_core.engines import Pipeline, get_engine
from ocr_core.engines.base import Reading, TextLine
from ocr_core.engines.ppocr import DETECTOR_SIDE
from ocr_core.geometry import Quad, Transform, reading_order, scale_image
from ocr_core.steps.columns import columns_right_to_left, is_tall, read_tall, rectified, tall_crop
from ocr_core.steps.locate import even_light, find_text_lines, grey_of
from ocr_core.steps.orient import upright_page

# Tesseract's LSTM reads Chinese best at about this character height (px); pages are scaled to it.
_READ_CHAR_HEIGHT = 30
_MAX_UPSCALE = 3.0
# Bounds of one page's work: the side of the picture lines are read on, and the lines read.
_MAX_READ_SIDE = 4000
_MAX_LINES = 300
# A free layout's line is read from its quad grown by this share of its thickness on each side.
_LINE_MARGIN = 0.15
# Readings below this confidence are specks and page edges: on 40 photographed pages with
# heavy noise, blur or shading every real line read at 0.38 or more, and nothing real below.
_MIN_PROB = 0.3
# Tilt above which the answer warns that it straightened the page (degrees).
_SKEW_WARNING = 2.0
# Median Laplacian variance of the lines (at reading scale, even light) below which a page is
# blurry (about a 2 px Gaussian blur at 30 px characters, where reading starts to suffer),
# and the strength of the unsharp mask it then gets.
_BLUR_VARIANCE = 100.0
_SHARPEN = 1.5


@dataclass
class PageText:
    """The lines of a page in the original picture's coordinates, in reading order, and what
    was done to read them."""

    lines: list[TextLine]
    upright: np.ndarray          # the page cut out, turned upright and straightened
    to_original: Transform       # points of `upright` -> points of the picture sent
    engine: str = "tesseract"
    rotation: int = 0
    skew: float = 0.0
    sharpness: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def upright_lines(self) -> list[TextLine]:
        """The lines with their boxes on the upright page, where rows and columns are level."""
        to_upright = self.to_original.inverse()
        return [TextLine(line.text, to_upright.apply_quad(line.quad), line.prob) for line in self.lines]


def read_page_text(image: np.ndarray, pipeline: Pipeline, free_layout: bool = False) -> PageText:
    """Orient the page, scale it so characters have the height the engine reads best, find
    its lines, read each, and carry every line's box back to `image`.

    `free_layout` is for pictures with no document layout (ocr_general): the page's turn is
    checked by reading it (see `upright_page`), tall boxes are read as vertical lines (竖排,
    put right to left) and PP-OCR's slanted boxes from their own quads. Cards and licences
    keep the line-shape turn and the upright crops their rereading was tuned on.

    Unless the pipeline names a detector, lines are found here and read one by one rather
    than left to Tesseract's page layout, which on these pages merged neighbouring lines and
    dropped text (CER 1.8 % against 0.9 % on photographed pages) for the same time.
    """
    engine = get_engine(pipeline.reader)
    page = upright_page(image, engine, free_layout)
    factor = 1.0
    if page.char_size > 0:
        factor = min(_MAX_UPSCALE, _READ_CHAR_HEIGHT / page.char_size)
        if 0.8 <= factor <= 1.25:
            factor = 1.0  # close enough; resampling would cost sharpness for nothing
        # Noise, a pattern or specks give a tiny "character size": scaled by it, a 3000 px
        # picture became 9000 px (1.8 GB, a minute). Never beyond `_MAX_READ_SIDE`.
        factor = min(factor, max(1.0, _MAX_READ_SIDE / max(page.image.shape[:2])))
    scaled, to_upright = scale_image(page.image, factor)
    to_original = to_upright.then(page.transform)
    size = page.char_size * factor or None
    # PP-OCR's detector and recogniser take the picture as it is: evening the light wipes out
    # light text on dark or coloured bands (a film caption, a blue sign), which it reads.
    if size and pipeline.detector != "ppocr":
        scaled = even_light(grey_of(scaled), size)
    if pipeline.detector == "ppocr" and free_layout:
        # PP-OCR's detector brings a picture's short side to 736 px at least: on the page
        # scaled up for reading beyond that, it found the same lines at three times the cost
        # of the page as it was. The lines the turn check found on the page are the same again.
        detector = get_engine("ppocr")
        if page.lines is None and min(scaled.shape[:2]) <= DETECTOR_SIDE:
            quads = detector.detect_lines(scaled, square=True)
        else:
            found = page.lines if page.lines is not None else detector.detect_lines(page.image, square=True)
            to_scaled = to_upright.inverse()
            quads = [to_scaled.apply_quad(q) for q in found]
    elif pipeline.detector:
        quads = get_engine(pipeline.detector).detect_lines(scaled)
    else:
        quads = find_text_lines(scaled, size)
    if len(quads) > _MAX_LINES:
        # Far more candidate lines than a page of text holds: noise or a pattern. The largest are
        # read, so that such a page costs what a dense page does.
        quads = sorted(quads, key=lambda q: -_area(q))[:_MAX_LINES]
        quads = [quads[i] for i in reading_order(quads)]
    sharpness = float(np.median([_sharpness(line_crop(scaled, q)) for q in quads])) if quads else 0.0
    if size and sharpness < _BLUR_VARIANCE:
        # Soft edges: an unsharp mask took heavy blur (sigma 2.5-3 px at 30 px characters)
        # from 8 % to 4 % and from 43 % to 20 % CER, and changes little on sharp pages.
        soft = cv2.GaussianBlur(scaled, (0, 0), 0.06 * size + 0.5)
        scaled = cv2.addWeighted(scaled, 1 + _SHARPEN, soft, -_SHARPEN, 0)
    if free_layout:
        quads = columns_right_to_left(quads)
    lines = []
    for quad in quads:
        if free_layout and is_tall(quad):
            reading = read_tall(tall_crop(scaled, quad), engine)
        elif free_layout and pipeline.detector == "ppocr":
            # The line's own quad rectified: the upright box around a slanted line takes in
            # pieces of its neighbours (realdev: 70 -> 75 of 81 lines exact, CER 3.9 -> 3.8 %).
            # The morphology's boxes are upright already, and Tesseract was tuned on their crops.
            reading = engine.read_line(rectified(scaled, quad, _LINE_MARGIN * quad.thickness))
        else:
            reading = engine.read_line(line_crop(scaled, quad))
        if _is_text(reading):
            lines.append(TextLine(reading.text, to_original.apply_quad(quad), reading.prob))

    warnings = []
    if page.rotation:
        warnings.append(f"rotated_{page.rotation}")
    if abs(page.skew) > _SKEW_WARNING:
        warnings.append("skew_corrected")
    if lines and sharpness < _BLUR_VARIANCE:
        warnings.append("blurry")
    return PageText(lines, page.image, page.transform, pipeline.reader, page.rotation, page.skew, sharpness,
                    warnings)


def _is_text(reading: Reading) -> bool:
    """Whether a reading is text rather than what a speck, a border or a shadow reads as: a
    confidence the engine gives no real line here, or no letter, digit or character at all."""
    return reading.prob >= _MIN_PROB and any(ch.isalnum() for ch in reading.text)


def _area(quad: Quad) -> float:
    left, top, right, bottom = quad.bounds()
    return (right - left) * (bottom - top)


def line_crop(image: np.ndarray, quad: Quad) -> np.ndarray:
    """The upright box of a line with a margin of a fifth of its height (the engine pads it further)."""
    left, top, right, bottom = quad.bounds()
    margin = 0.2 * (bottom - top)
    h, w = image.shape[:2]
    x0, y0 = max(0, int(left - margin)), max(0, int(top - margin))
    x1, y1 = min(w, int(np.ceil(right + margin))), min(h, int(np.ceil(bottom + margin)))
    return image[y0:y1, x0:x1]


def _sharpness(image: np.ndarray) -> float:
    """Variance of the Laplacian: low when edges are soft. Measured on lines at reading scale
    and even light, so that it depends neither on resolution, nor on light, nor on how much
    of the page is blank."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())
