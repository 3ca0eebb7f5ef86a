"""Cards of the ID-1 format (85.6 × 54 mm: bank cards, and any card whatever its colour)
photographed on a desk: found by their outline, cut out landscape, turned upright, and their
text lines found and read whether the print is dark on light or light on dark."""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from ocr_core.engines import Pipeline, get_engine
from ocr_core.engines.base import Engine, TextLine
from ocr_core.geometry import Quad, Transform, reading_order, rotate_image, warp_quad
from ocr_core.steps.locate import detect_lines_within

# ISO/IEC 7810 ID-1: 85.60 × 53.98 mm. A photo's perspective stretches it a little either way.
CARD_ASPECT = 85.60 / 53.98
_MIN_ASPECT, _MAX_ASPECT = 1.3, 1.9
# Found at this size; the card must cover this share of the picture.
_FIND_SIDE = 640
_MIN_AREA, _MAX_AREA = 0.12, 0.97
# A found outline must fill its quadrilateral (rounded corners cost a little).
_MIN_SOLIDITY = 0.9
# The card is cut out at this width: characters of 3-5 mm then stand 35-60 px high.
CARD_WIDTH = 1000
# Lines read both ways up to tell an upside-down card, and the lead that decides early.
_PROBES = 4
_DECISIVE = 0.3
# Readings below this confidence are the card's patterns and logos, as on pages (ocr_core.steps.read).
_MIN_PROB = 0.3


@dataclass
class CardText:
    """The lines of an upright card in the picture sent's coordinates, in reading order."""

    lines: list[TextLine]
    upright: np.ndarray
    to_original: Transform    # points of `upright` -> points of the picture sent
    rotation: int             # clockwise quarter turn that had been applied to the card
    found: bool               # the card's outline was found on a background
    engine: str

    @property
    def warnings(self) -> list[str]:
        return [f"rotated_{self.rotation}"] if self.rotation else []

    def upright_lines(self) -> list[TextLine]:
        to_upright = self.to_original.inverse()
        return [TextLine(line.text, to_upright.apply_quad(line.quad), line.prob) for line in self.lines]


def find_card_quad(image: np.ndarray) -> Quad | None:
    """Corners of a card lying on a background, clockwise from the top-left corner of the
    picture, or None when the picture shows no card outline (a crop of the card itself).

    Two ways to see the card, as a card may be lighter, darker or just another colour than
    the desk: its colour against the picture's border (the desk), and its edges closed into
    a region. The best convex quadrilateral of card proportions that fills its outline wins.
    """
    scale = min(1.0, _FIND_SIDE / max(image.shape[:2]))
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else image
    if small.ndim == 2:
        small = cv2.cvtColor(small, cv2.COLOR_GRAY2BGR)
    small = cv2.GaussianBlur(small, (0, 0), 1.5)
    best: tuple[float, np.ndarray] | None = None
    for mask in (_unlike_border(small), _closed_edges(small)):
        found = _card_outline(mask)
        if found is not None and (best is None or found[0] > best[0]):
            best = found
    if best is None:
        return None
    return Quad.from_points(best[1] / scale)


def _unlike_border(small: np.ndarray) -> np.ndarray:
    """Pixels whose colour is far from the picture's border colour (Otsu on the distance)."""
    lab = cv2.cvtColor(small, cv2.COLOR_BGR2LAB).astype(np.float32)
    ring = np.concatenate([lab[:4].reshape(-1, 3), lab[-4:].reshape(-1, 3), lab[:, :4].reshape(-1, 3),
                           lab[:, -4:].reshape(-1, 3)])
    distance = np.linalg.norm(lab - np.median(ring, axis=0), axis=2)
    distance = np.clip(distance * (255.0 / max(1.0, float(distance.max()))), 0, 255).astype(np.uint8)
    _, mask = cv2.threshold(distance, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (15, 15)))
    return cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9)))


def _closed_edges(small: np.ndarray) -> np.ndarray:
    """The regions enclosed by strong edges: the card's outline, once closed, with its inside."""
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    median = float(np.median(grey))
    edges = cv2.Canny(grey, max(10.0, 0.5 * median), max(30.0, 1.2 * median))
    edges = cv2.dilate(edges, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    filled = np.zeros_like(grey)
    cv2.drawContours(filled, contours, -1, 255, thickness=cv2.FILLED)
    return cv2.morphologyEx(filled, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9)))


def _card_outline(mask: np.ndarray) -> tuple[float, np.ndarray] | None:
    """(score, corners) of the largest region of `mask` shaped like a card, or None."""
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    h, w = mask.shape
    contour = max(contours, key=cv2.contourArea)
    hull = cv2.convexHull(contour)
    area = cv2.contourArea(hull)
    if not _MIN_AREA * h * w <= area <= _MAX_AREA * h * w:
        return None
    corners = None
    for epsilon in (0.01, 0.02, 0.03, 0.05):
        approx = cv2.approxPolyDP(hull, epsilon * cv2.arcLength(hull, True), True).reshape(-1, 2)
        if len(approx) == 4:
            corners = approx.astype(np.float64)
            break
    if corners is None or not cv2.isContourConvex(corners.astype(np.float32)):
        return None
    # An outline that touches the picture's edge is the picture's, not a card's.
    on_edge = (corners[:, 0] <= 2) | (corners[:, 0] >= w - 3) | (corners[:, 1] <= 2) | (corners[:, 1] >= h - 3)
    if on_edge.sum() >= 2:
        return None
    centre = corners.mean(axis=0)
    corners = corners[np.argsort(np.arctan2(corners[:, 1] - centre[1], corners[:, 0] - centre[0]))]
    corners = np.roll(corners, -int(np.argmin(corners.sum(axis=1))), axis=0)
    sides = [float(np.linalg.norm(corners[i] - corners[(i + 1) % 4])) for i in range(4)]
    long, short = max(sides[0] + sides[2], sides[1] + sides[3]), min(sides[0] + sides[2], sides[1] + sides[3])
    aspect = long / max(short, 1e-6)
    if not _MIN_ASPECT <= aspect <= _MAX_ASPECT:
        return None
    solidity = cv2.contourArea(contour) / max(cv2.contourArea(corners.astype(np.float32)), 1e-6)
    if solidity < _MIN_SOLIDITY:
        return None
    return area / (h * w) * solidity - abs(math.log(aspect / CARD_ASPECT)), corners


def cut_out_card(image: np.ndarray) -> tuple[np.ndarray, Transform, bool]:
    """The card cut out landscape at `CARD_WIDTH` (with the transform back to `image`, and
    whether an outline was found); a picture without one is taken as the card itself,
    turned landscape if it stands portrait."""
    quad = find_card_quad(image)
    if quad is None:
        h, w = image.shape[:2]
        if h > w:
            turned, back = rotate_image(image, 90)
            return turned, back, False
        return image, Transform.identity(), False
    corners = quad.points
    top, side = math.dist(corners[0], corners[1]), math.dist(corners[1], corners[2])
    if side > top:
        # The card stands on its short side: start from the corner that makes the long edge the top.
        corners = corners[1:] + corners[:1]
    size = (CARD_WIDTH, round(CARD_WIDTH / CARD_ASPECT))
    card, back = warp_quad(image, Quad.from_points(corners), size)
    return card, back, True


def read_card_text(image: np.ndarray, pipeline: Pipeline) -> CardText:
    """Cut the card out, find its lines with a detector that takes light print on dark grounds
    (PP-OCR's when installed, else Tesseract's on both polarities), turn it upright (0 or 180°
    once landscape) by reading a few lines both ways up, and read every line."""
    card, to_original, found = cut_out_card(image)
    reader = get_engine(pipeline.reader)
    quads = detect_lines_on(card, pipeline)
    turn = 180 if _upside_down(card, quads, reader) else 0
    if turn:
        card, back = rotate_image(card, 180)
        to_original = back.then(to_original)
        # The same boxes, their corners renamed so that `tl` is again where the line starts.
        to_turned = back.inverse()
        quads = [Quad.from_points(to_turned.apply(q.points[2:] + q.points[:2])) for q in quads]
        quads = [quads[i] for i in reading_order(quads)]
    lines = []
    for quad in quads:
        crop = crop_line(card, quad)
        if crop is None:
            continue
        reading = reader.read_line(crop)
        if reading.text.strip() and reading.prob >= _MIN_PROB:
            lines.append(TextLine(reading.text, to_original.apply_quad(quad), reading.prob))
    rotation = _rotation_in(to_original, card.shape)
    return CardText(lines, card, to_original, rotation, found, pipeline.reader)


def detect_lines_on(card: np.ndarray, pipeline: Pipeline) -> list[Quad]:
    """The text lines of a picture whatever the print's polarity, in reading order."""
    # The engine-free line finder of the mixed pipeline looks for dark ink only: with PP-OCR
    # reading, its detector finds the lines (silver digits on a dark card among them).
    name = pipeline.detector or ("ppocr" if pipeline.reader == "ppocr" else None)
    if name:
        quads = detect_lines_within(get_engine(name), card)
    else:
        engine = get_engine("tesseract")
        grey = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY) if card.ndim == 3 else card
        quads = engine.detect_lines(grey) + engine.detect_lines(255 - grey)
    quads = [q for q in quads if q.length >= 8 and q.thickness >= 6]
    return [quads[i] for i in reading_order(quads)]


def crop_line(image: np.ndarray, quad: Quad) -> np.ndarray | None:
    """The line rectified along its own direction, with a margin of a fifth of its height (its
    smaller side: a box found on a picture turned by a quarter runs down it)."""
    margin = 0.2 * min(quad.thickness, quad.length)
    centre = np.array(quad.center)
    pts = quad.as_array()
    along = (pts[1] - pts[0] + pts[2] - pts[3]) / 2
    across = (pts[3] - pts[0] + pts[2] - pts[1]) / 2
    ua = along / max(np.linalg.norm(along), 1e-6)
    uc = across / max(np.linalg.norm(across), 1e-6)
    half_l, half_t = quad.length / 2 + margin, quad.thickness / 2 + margin
    grown = Quad.from_points([centre - ua * half_l - uc * half_t, centre + ua * half_l - uc * half_t,
                              centre + ua * half_l + uc * half_t, centre - ua * half_l + uc * half_t])
    size = (max(8, int(round(2 * half_l))), max(8, int(round(2 * half_t))))
    crop, _ = warp_quad(image, grown, size)
    return crop if crop.size else None


def _upside_down(card: np.ndarray, quads: list[Quad], reader: Engine) -> bool:
    """Whether the longest lines read better turned over (a recogniser is confident only upright)."""
    margin, probes = 0.0, 0
    for quad in sorted(quads, key=lambda q: -q.length)[:_PROBES]:
        crop = crop_line(card, quad)
        if crop is None:
            continue
        margin += reader.read_line(cv2.rotate(crop, cv2.ROTATE_180)).prob - reader.read_line(crop).prob
        probes += 1
        if abs(margin) >= _DECISIVE * probes and probes >= 2:
            break
    return margin > 0


def _rotation_in(to_original: Transform, shape: tuple[int, ...]) -> int:
    """The quarter turn the client's picture had, from where the card's reading direction points in it."""
    h, w = shape[:2]
    (x0, y0), (x1, y1) = to_original.apply([(w / 2 - 10, h / 2), (w / 2 + 10, h / 2)])
    return int(round(math.degrees(math.atan2(y1 - y0, x1 - x0)) / 90.0)) % 4 * 90
