"""The orient step: which way up a page is (0/90/180/270), how far its lines are tilted, and
the upright picture with the transform that carries its points back to the original."""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from ocr_core.engines.base import Engine
from ocr_core.engines.ppocr import DETECTOR_SIDE
from ocr_core.errors import ImageDataError
from ocr_core.geometry import Quad, Transform, rotate_image, warp_quad
from ocr_core.steps.columns import is_column, read_column
from ocr_core.steps.locate import character_size, find_text_lines, grey_of, ink_mask, smear

# Pages are measured at this size at most: lines stay distinct and it costs a few ms.
_WORK_SIDE = 1200
# Line crops read for the upside-down test: about this many pixels thick and characters long.
_PROBE_HEIGHT = 40
_PROBE_CHARS = 10
# Up to this many lines are read both ways up; reading stops early once the mean gap in
# confidence per line reaches `_DECISIVE`.
_PROBES = 4
_DECISIVE = 0.3
# The sheet on a desk: reduced to this size to be found; its share of the picture; how far
# its outline is pulled in.
_PAGE_SIDE = 600
_MIN_PAGE_AREA, _MAX_PAGE_AREA = 0.15, 0.95
_PAGE_INSET = 0.01
_MIN_CORNER = 50.0
_MIN_PAGE_CONTRAST = 1.25
# The check of a turn by reading, for pages without `_CLEAR_LINES` lines agreeing at `_CLEAR_STRENGTH`: pages reduced to this side, this many of their largest lines
# read; a page that reads at `_READS_WELL` as it is keeps its way up, and a turn must read
# `_TURN_MARGIN` times better to be taken.
_CLEAR_LINES, _CLEAR_STRENGTH = 6, 0.9
_SCORE_SIDE = 960
_SCORE_LINES = 6
_READS_WELL = 0.8
_TURN_MARGIN = 1.15
# A bright region with this many corners within this share of the picture's side of its edge is
# no sheet (free layouts only: a card photographed edge to edge is still one).
_FRAME_CORNERS, _FRAME_EDGE = 2, 0.01
# Below this tilt the page is read as it is: Tesseract copes, and resampling costs sharpness.
_MIN_DESKEW = 0.3
# A tilt is straightened only when the lines agree this much, and, from fewer than three lines,
# only up to `_FEW_LINES_SKEW` degrees.
_MIN_SKEW_STRENGTH = 0.6
_FEW_LINES_SKEW = 10.0


#: A picture lower or narrower than this, or longer than `MAX_ASPECT` times its other side, holds no line
#: of text that can be read (and OpenCV's filters refuse it at the working sizes).
MIN_SIDE, MAX_ASPECT = 8, 100


class ImageTooSmall(ImageDataError):
    """A picture under `MIN_SIDE` pixels a side, or a strip over `MAX_ASPECT` times longer than high: too small
    to hold text."""
    message = "Invalid Input - image data error - image too small to hold text: {detail}"


def check_size(width: int, height: int) -> None:
    """ImageTooSmall (462) for a picture that cannot hold text."""
    if min(width, height) < MIN_SIDE or max(width, height) > MAX_ASPECT * min(width, height):
        raise ImageTooSmall(f"{width}x{height} pixels: at least {MIN_SIDE} a side, at most {MAX_ASPECT}:1")


@dataclass(frozen=True)
class TextDirection:
    """How the text lines of a picture run, from the shape of its smeared lines."""

    angle: float       # reading direction modulo 180: clockwise degrees (y down), in (-90, 90]
    char_size: float   # typical character height, in the picture's pixels
    strength: float    # 0..1: how much the lines agree (near 0: no clear lines)
    lines: tuple[tuple[tuple[float, float], float, float], ...]  # (centre, length, thickness), longest first

    @property
    def vertical(self) -> bool:
        """Lines run up or down the picture: the page was turned by a quarter."""
        return abs(self.angle) > 45

    @property
    def skew(self) -> float:
        """Tilt of the lines from the nearest axis, clockwise degrees, within ±45."""
        if not self.vertical:
            return self.angle
        return self.angle - 90 if self.angle > 0 else self.angle + 90


@dataclass(frozen=True)
class UprightPage:
    image: np.ndarray
    transform: Transform  # upright picture -> original picture
    rotation: int         # clockwise quarter turn that had been applied to the page
    skew: float           # clockwise tilt of the lines that was straightened, degrees
    char_size: float      # typical character height in the upright picture, 0 when unknown
    page: Quad | None     # the sheet's corners in the original picture, when it lay on a background
    # PP-OCR's line boxes on `image`, when checking the turn found them there (the read step
    # need not find them again: a second of a picture's two or three).
    lines: list[Quad] | None = None


def find_page(image: np.ndarray) -> Quad | None:
    """Corners of a sheet photographed on a darker background (a desk), or None when the
    picture is all page (a scan) or no sheet stands out.

    The sheet is the largest region brighter than its surroundings, at the scale of half the
    picture: a local threshold, because uneven light can leave the dark end of a sheet darker
    than the lit end of the desk (a global one then fails). Its outline must simplify to a
    convex quadrilateral with no sharp corner.
    """
    grey = grey_of(image)
    check_size(grey.shape[1], grey.shape[0])
    scale = min(1.0, _PAGE_SIDE / max(grey.shape))
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else grey
    small = cv2.GaussianBlur(small, (0, 0), 3)
    block = int(max(small.shape) * 0.5) | 1
    bright = cv2.adaptiveThreshold(small, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 0)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15)))
    # A light patch of the desk (wood grain) may touch the sheet by a thin neck and add a corner
    # to its outline: opened wider, the neck breaks and the sheet stands alone.
    for opening in (9, 25):
        opened = cv2.morphologyEx(bright, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (opening, opening)))
        page = _sheet_corners(small, opened)
        if page is not None:
            return Quad.from_points(page / scale)
    return None


def _sheet_corners(small: np.ndarray, bright: np.ndarray) -> np.ndarray | None:
    """The corners (in `small`'s pixels) of the largest bright region, if it is a sheet."""
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    outline = cv2.convexHull(max(contours, key=cv2.contourArea))
    h, w = small.shape
    if not _MIN_PAGE_AREA * h * w <= cv2.contourArea(outline) <= _MAX_PAGE_AREA * h * w:
        return None
    corners = cv2.approxPolyDP(outline, 0.02 * cv2.arcLength(outline, True), True).reshape(-1, 2)
    if len(corners) != 4 or not cv2.isContourConvex(corners):
        return None
    corners = corners.astype(np.float64)
    if _edge_contrast(small, corners) < _MIN_PAGE_CONTRAST:
        return None  # a bright patch of a scan, not a sheet against a desk
    centre = corners.mean(axis=0)
    # Clockwise from the corner nearest the picture's top-left; pulled in a little so that
    # the desk's edge does not come along.
    corners = corners[np.argsort(np.arctan2(corners[:, 1] - centre[1], corners[:, 0] - centre[0]))]
    corners = np.roll(corners, -int(np.argmin(corners.sum(axis=1))), axis=0)
    if not all(_MIN_CORNER <= angle <= 180 - _MIN_CORNER for angle in _corner_angles(corners)):
        return None
    return centre + (corners - centre) * (1 - _PAGE_INSET)


def _edge_contrast(grey: np.ndarray, corners: np.ndarray) -> float:
    """Median ratio of brightness just inside to just outside the outline, over points along
    its edges: a sheet on a desk is much brighter than what surrounds it, locally, whatever
    the light. 0 when too little of the outside is in the picture."""
    h, w = grey.shape
    step = max(3.0, 0.02 * max(h, w))
    centre = corners.mean(axis=0)
    ratios, total = [], 0
    for i in range(4):
        a, b = corners[i], corners[(i + 1) % 4]
        for t in np.linspace(0.1, 0.9, 15):
            point = a + t * (b - a)
            inward = centre - point
            inward /= np.linalg.norm(inward) + 1e-9
            (xi, yi), (xo, yo) = (point + step * inward).astype(int), (point - step * inward).astype(int)
            total += 1
            if 0 <= xo < w and 0 <= yo < h and 0 <= xi < w and 0 <= yi < h:
                ratios.append((float(grey[yi, xi]) + 1) / (float(grey[yo, xo]) + 1))
    if len(ratios) < 0.5 * total:
        return 0.0
    return float(np.median(ratios))


def _corner_angles(corners: np.ndarray) -> list[float]:
    angles = []
    for i in range(4):
        a, b = corners[i - 1] - corners[i], corners[(i + 1) % 4] - corners[i]
        cos = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-9))
        angles.append(math.degrees(math.acos(max(-1.0, min(1.0, cos)))))
    return angles


def text_direction(image: np.ndarray) -> TextDirection | None:
    """Direction, tilt and character size of the text lines, or None without text.

    Characters are smeared together with a closing about a third of a character wide: that
    joins neighbours within a line but not across the wider gap between lines, so each line
    becomes an elongated blob whose long axis is the reading direction. The blobs' axes are
    averaged as doubled angles, weighted by size and elongation.
    """
    grey = grey_of(image)
    scale = min(1.0, _WORK_SIDE / max(grey.shape))
    if scale < 1.0:
        grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ink = ink_mask(grey)
    size = character_size(ink)
    if size is None:
        return None
    found = _line_blobs(ink, size)
    if found is None:
        return None
    angle, strength, lines = found
    lines = tuple(((cx / scale, cy / scale), length / scale, thick / scale) for (cx, cy), length, thick in lines)
    return TextDirection(angle, size / scale, strength, lines)


def upright_page(image: np.ndarray, engine: Engine, free_layout: bool = False) -> UprightPage:
    """The page cut out of its background and flattened (when it lies on one), turned
    upright and deskewed, and how it was done.

    `free_layout` is for pictures of any kind (ocr_general: banners, signs, screenshots,
    vertical text), whose lines' shape is weak evidence: a turn they suggest is checked by
    reading, a tilt taken only from lines that agree, and a bright region with no text is no
    sheet. A card or a licence is a sheet of many printed rows whose shape says how it lies;
    reading its short fields at two turns misjudged two vehicle licences, so it is left out.
    """
    page = find_page(image)
    if free_layout and page is not None and _cut_by_frame(page, image.shape):
        page = None
    flat, to_original = _flatten(image, page) if page is not None else (image, Transform.identity())
    found = text_direction(flat)
    if free_layout and found is None and page is not None:
        # A blank bright region (the empty paper under a picture's dark bands) is no sheet.
        page = None
        flat, to_original = image, Transform.identity()
        found = text_direction(flat)
    if found is None:
        return UprightPage(flat, to_original, 0, 0.0, 0.0, page)
    turn = _rotation(flat, found, engine)
    quads = None
    if free_layout and turn and not _clear_lines(found):
        better, quads = _reads_better_turned(flat, turn, engine)
        if not better:
            turn = 0
    trusted = _trusted_skew(found) if free_layout else True
    skew = found.skew if abs(found.skew) >= _MIN_DESKEW and trusted else 0.0
    if turn or skew:
        quads = None
    turned, to_flat = rotate_image(flat, -(turn + skew), border=_background(flat))
    transform = to_flat.then(to_original)
    # Reported as the client sees the picture: the reading direction in the original.
    rotation, tilt = _split(_angle_in(transform, turned.shape, 0.0))
    return UprightPage(turned, transform, rotation, tilt, found.char_size, page, quads)


def upright(image: np.ndarray, engine: Engine) -> tuple[np.ndarray, Transform]:
    """The page upright and deskewed, and the transform from its points to `image`'s."""
    page = upright_page(image, engine)
    return page.image, page.transform


def _flatten(image: np.ndarray, page: Quad | None = None) -> tuple[np.ndarray, Transform]:
    page = page or find_page(image)
    if page is None:
        return image, Transform.identity()
    return warp_quad(image, page)


def _angle_in(transform: Transform, shape: tuple[int, ...], degrees: float) -> float:
    """The direction `degrees` at the centre of a picture of `shape`, carried by `transform`."""
    h, w = shape[:2]
    dx, dy = 10 * math.cos(math.radians(degrees)), 10 * math.sin(math.radians(degrees))
    (x0, y0), (x1, y1) = transform.apply([(w / 2 - dx, h / 2 - dy), (w / 2 + dx, h / 2 + dy)])
    return math.degrees(math.atan2(y1 - y0, x1 - x0))


def _split(angle: float) -> tuple[int, float]:
    """A direction as (quarter turn 0/90/180/270, remaining tilt within ±45)."""
    quarter = int(round(angle / 90.0))
    return quarter % 4 * 90, angle - 90.0 * quarter


def _rotation(image: np.ndarray, found: TextDirection, engine: Engine) -> int:
    """Quarter turn of the page: the line direction tells 0/180 from 90/270; reading a few
    lines both ways up tells which of the two (a recogniser is confident only upright)."""
    first = 90 if found.vertical else 0
    reading = first + found.skew
    margin, probes = 0.0, 0
    for centre, length, thickness in found.lines[:_PROBES]:
        crop = _line_crop(image, centre, length, thickness, reading)
        if crop is None:
            continue
        as_is = engine.read_line(crop)
        flipped = engine.read_line(cv2.rotate(crop, cv2.ROTATE_180))
        margin += as_is.prob - flipped.prob
        probes += 1
        # One line can mislead (a line of digits, a word the engine misreads upright).
        if abs(margin) >= _DECISIVE * probes and (probes >= 2 or abs(margin) >= 0.6):
            break
    return first + 180 if margin < 0 else first


def _clear_lines(found: TextDirection) -> bool:
    """Whether the page has lines enough, agreeing enough, for their shape to say how it is
    turned (a page of text): then the reading check is not needed. The real pictures it
    misled had at most three lines, or lines agreeing at 0.22-0.24."""
    return len(found.lines) >= _CLEAR_LINES and found.strength >= _CLEAR_STRENGTH


def _cut_by_frame(page: Quad, shape: tuple[int, ...]) -> bool:
    """Whether a bright region's corners lie on the picture's edge (`_FRAME_CORNERS` of them
    within `_FRAME_EDGE` of its side): a region the frame cuts, a sky or a wall above a street
    sign, not a sheet seen whole, and flattening it cut the sign away."""
    h, w = shape[:2]
    edge = _FRAME_EDGE * max(h, w)
    on_edge = sum(x <= edge or y <= edge or x >= w - 1 - edge or y >= h - 1 - edge for x, y in page.points)
    return on_edge >= _FRAME_CORNERS


def _trusted_skew(found: TextDirection) -> bool:
    """Whether the lines agree enough on a tilt to straighten the page by it: a film still, a
    banner of two slanted words or a sign's frame gives a tilt of lines that are not text
    (realdev: -15 deg at strength 0.24, 23 deg from two blobs, 44 deg at 0.22)."""
    return found.strength >= _MIN_SKEW_STRENGTH and (len(found.lines) >= 3 or abs(found.skew) <= _FEW_LINES_SKEW)


def _reads_better_turned(image: np.ndarray, turn: int, engine: Engine) -> tuple[bool, list[Quad] | None]:
    """Whether the page reads clearly better turned by `turn` than as it is: the recogniser's
    own confidence, over the lines found at each candidate, is the last word. The shape of the
    smeared lines misleads on banners of large type, signs, vertical text and sparse pages
    (5 of 11 upright real pictures were turned by it); a page that reads well as it is stays.
    Also PP-OCR's lines found on the page as it is (see `_reading_score`), or None."""
    as_is, quads = _reading_score(image, engine)
    if as_is >= _READS_WELL:
        return False, quads
    turned, _ = _reading_score(_turn(image, turn), engine)
    return turned > _TURN_MARGIN * as_is + 0.05, quads


def _turn(image: np.ndarray, turn: int) -> np.ndarray:
    code = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_CLOCKWISE}[turn % 360]
    return cv2.rotate(image, code)


def _reading_score(image: np.ndarray, engine: Engine) -> tuple[float, list[Quad] | None]:
    """How well a picture reads as it stands: the engine's confidence over the longest lines
    found on it, weighted by their length in characters (0..1, 0 with nothing read); and
    PP-OCR's lines on the picture, when they were found at the scale its detector gives it."""
    scale = min(1.0, _SCORE_SIDE / max(image.shape[:2]))
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else image
    if engine.name == "ppocr":
        quads = engine.detect_lines(small, square=True)
    else:
        quads = find_text_lines(small)
    # The detector brings a short side below 736 px up to it: reduced only that far, the page
    # is seen as the read step's own detection sees it, and its lines serve the read step.
    same = scale == 1.0 or min(image.shape[:2]) <= DETECTOR_SIDE
    found = [Quad.from_points([(x / scale, y / scale) for x, y in q.points]) for q in quads] \
        if engine.name == "ppocr" and same else None
    boxes = []
    for quad in quads:
        left, top, right, bottom = (int(round(v)) for v in quad.bounds())
        left, top = max(left, 0), max(top, 0)
        if right - left >= 4 and bottom - top >= 4:
            boxes.append((left, top, right, bottom))
    boxes.sort(key=lambda b: -max(b[2] - b[0], b[3] - b[1]) * min(b[2] - b[0], b[3] - b[1]))
    total = weight = 0.0
    for left, top, right, bottom in boxes[:_SCORE_LINES]:
        crop = small[top:bottom, left:right]
        reading = read_column(crop, engine) if is_column(crop) else engine.read_line(crop)
        chars = max(1.0, (right - left) / max(1, bottom - top)) if not is_column(crop) else \
            max(1.0, (bottom - top) / max(1, right - left))
        chars = min(chars, 15.0)
        text_chars = sum(ch.isalnum() for ch in reading.text)
        # A line read as far fewer characters than it holds was not read.
        filled = min(1.0, text_chars / chars) if chars else 0.0
        total += chars * reading.prob * (0.5 + 0.5 * filled)
        weight += chars
    return (total / weight if weight else 0.0), found


def _line_crop(image: np.ndarray, centre: tuple[float, float], length: float, thickness: float,
               reading: float) -> np.ndarray | None:
    """A stretch of one line, rectified so that it reads left to right if the reading
    direction is `reading` (clockwise degrees)."""
    thickness *= 1.3
    length = min(length + 0.3 * thickness, _PROBE_CHARS * thickness)
    if thickness < 4 or length < 2 * thickness:
        return None
    theta = math.radians(reading)
    ux, uy = math.cos(theta), math.sin(theta)
    nx, ny = -uy, ux
    cx, cy = centre
    hl, ht = length / 2, thickness / 2
    quad = Quad(
        (cx - ux * hl - nx * ht, cy - uy * hl - ny * ht),
        (cx + ux * hl - nx * ht, cy + uy * hl - ny * ht),
        (cx + ux * hl + nx * ht, cy + uy * hl + ny * ht),
        (cx - ux * hl + nx * ht, cy - uy * hl + ny * ht),
    )
    factor = min(3.0, max(0.3, _PROBE_HEIGHT / thickness))
    size = (max(8, int(round(length * factor))), max(8, int(round(thickness * factor))))
    crop, _ = warp_quad(image, quad, size)
    return crop


def _line_blobs(ink: np.ndarray, size: float) -> tuple[float, float, tuple] | None:
    contours, _ = cv2.findContours(smear(ink, size), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    total = np.zeros(2)
    weight_sum = 0.0
    lines = []
    for contour in contours:
        if len(contour) < 5:
            continue
        (cx, cy), (w, h), a = cv2.minAreaRect(contour)
        if w < h:
            w, h, a = h, w, a + 90
        # Text lines are about a character thick; rule lines, pictures and specks are not.
        if not 0.5 * size <= h <= 2.5 * size or w < 1.5 * h:
            continue
        elongation = min(w / h, 30.0)
        weight = w * h * (elongation - 1)
        doubled = math.radians(2 * a)
        total += weight * np.array([math.cos(doubled), math.sin(doubled)])
        weight_sum += weight
        lines.append(((cx, cy), w, h, a))
    if weight_sum == 0:
        return None
    angle = math.degrees(math.atan2(total[1], total[0])) / 2
    if angle <= -90:
        angle += 180
    strength = float(np.hypot(*total) / weight_sum)
    # Lines far off the common direction (stamps, arrows, table borders) make poor probes.
    agreeing = [(c, w, h) for c, w, h, a in lines if _angle_gap(a, angle) < 10]
    agreeing.sort(key=lambda ln: -ln[1])
    return angle, strength, tuple(agreeing)


def _angle_gap(a: float, b: float) -> float:
    """Difference of two line directions, which have no front and back (modulo 180)."""
    d = abs(a - b) % 180
    return min(d, 180 - d)


def _background(image: np.ndarray) -> int | tuple[int, ...]:
    """The picture's border colour, to fill the corners that a rotation uncovers."""
    edge = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    median = np.median(edge.reshape(len(edge), -1), axis=0)
    return int(median[0]) if image.ndim == 2 else tuple(int(v) for v in median)
