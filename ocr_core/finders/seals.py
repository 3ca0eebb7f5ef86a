"""The find step for seals and stamps: regions of red ink, whatever the stamp says, and round
or oval official seals (公章) among them, each as the ellipse of its border.

Red is two hue ranges in OpenCV's HSV (0-10 and 160-180 of 180). Seal ink fades to pink and
a phone's white balance dims it, so saturation and brightness are only asked to be moderate;
the paper's beige (hue about 17), a blue-grey form and black print fall outside. The strokes
of one stamp (its outline, its characters) are joined by a closing whose size follows the
picture, and regions too small for the page are dropped as specks of red in the background.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

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


# -- official seals: round and oval stamps with a border ring ---------------------------

# Outline points of a seal within this fraction of the fitted ellipse's size: a round or oval
# border fits to a few per cent (a little more after a phone's perspective); a rectangle's
# corners stand 20-40 % off the ellipse through its sides.
_FIT_TOLERANCE = 0.07
_MIN_FIT = 0.85
# ...and its border ring inked along this share of the ellipse at least (faded and broken ink
# still keeps most of its ring).
_MIN_RING = 0.6
# ...with paper around it: a tenth further out, at most this share is red (another seal
# stamped across it, a red heading); a red desk or a red picture is red all round.
_MAX_AROUND = 0.45
# Seal axes: the shorter at least this fraction of the picture's shorter side, longer at most
# twice the shorter (oval 财务专用章 seals are about 1.5).
_MIN_SEAL = 0.04
_MAX_ELONGATION = 2.0
# A seal's faded ink under a phone's dim light keeps its hue but loses saturation below what
# `red_mask` asks (down to about 45); the ellipse test, not the colour, keeps other red out.
_SEAL_SATURATION = 40
_SEAL_VALUE = 60
# Print darker than this share of the paper in the red channel is black, not red ink.
_BLACK = 0.4
# Circles of a Hough transform tried per region of joined ink, best first; a region of
# seals stamped over one another is rings and characters, under this share of it inked.
_MAX_CIRCLES = 12
_MAX_SEALS_INK = 0.4


@dataclass(frozen=True)
class Seal:
    """A seal's border as an ellipse: centre, semi-axes (`a` along `angle`, degrees clockwise
    from +x with y down; `b` across it), in the picture's coordinates."""

    cx: float
    cy: float
    a: float
    b: float
    angle: float

    def point(self, u: float, v: float) -> tuple[float, float]:
        """The picture point at (u, v) in the seal's own frame (u along `a`, v along `b`)."""
        t = math.radians(self.angle)
        return self.cx + u * math.cos(t) - v * math.sin(t), self.cy + u * math.sin(t) + v * math.cos(t)

    def bounds(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of the ellipse."""
        t = math.radians(self.angle)
        dx = math.hypot(self.a * math.cos(t), self.b * math.sin(t))
        dy = math.hypot(self.a * math.sin(t), self.b * math.cos(t))
        return self.cx - dx, self.cy - dy, self.cx + dx, self.cy + dy

    def roi(self) -> dict[str, int]:
        """The reference's `roi`: the seal's upright box in whole pixels."""
        left, top, right, bottom = self.bounds()
        return {"left": int(round(left)), "top": int(round(top)),
                "width": int(round(right - left)), "height": int(round(bottom - top))}

    def quad(self) -> Quad:
        left, top, right, bottom = self.bounds()
        return Quad.from_box(left, top, right, bottom)


def seal_ink(image: np.ndarray) -> np.ndarray:
    """A grey picture of the red ink alone: dark where the ink is strong, white on paper and on
    black or blue print, which has no more red than green or blue. What a seal says is read
    from this, so the text a seal is stamped over does not cross its characters.

    The strokes' shape comes from the brightness, their being red from the colour: a JPEG keeps
    colour at half resolution, and characters read from the colour alone come out blurred."""
    pixels = image[..., :3].astype(np.float32)
    b, g, r = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    redness = r - np.maximum(g, b)
    grey = cv2.cvtColor(image[..., :3], cv2.COLOR_BGR2GRAY)
    # Paper brightness: the grey with strokes closed away, so shading does not read as ink.
    paper = cv2.morphologyEx(grey, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8)).astype(np.float32)
    darkness = np.clip(paper - grey.astype(np.float32), 0, None)
    inked = faint_red_mask(image) > 0
    # Beige paper is redder than green, and so is black or grey print on it, in proportion to
    # its brightness: that much redness is no ink (print's edges read as a faded seal's ink).
    blank = ~inked & (grey >= 0.9 * paper)
    tint = float(np.median(redness[blank] / np.maximum(grey[blank], 1.0))) if blank.sum() > 50 else 0.0
    redness = np.clip(redness - max(tint, 0.0) * grey, 0, None)
    full_red = float(np.percentile(redness[inked], 90)) if inked.sum() > 50 else 120.0
    full_dark = float(np.percentile(darkness[inked], 90)) if inked.sum() > 50 else 120.0
    # Not spread to the neighbours: black print crossing a stroke would then read as the
    # seal's ink around every crossing (37 of 38 clean names right without against 35 with).
    red = np.clip(redness / max(full_red, 30.0) * 2.0, 0, 1)
    ink = np.clip(darkness / max(full_dark, 20.0), 0, 1) * red
    ink = np.clip(255.0 - 255.0 * ink, 0, 255).astype(np.uint8)
    # Black print crossing a character leaves a cut where the stamp's stroke under it is not
    # known: filled in from around, inside the characters only. Black is dark in the red
    # channel too, where red ink is nearly as light as the paper. (Photographed names right:
    # 49 of 70 against 45 without; clean ones unchanged or better.)
    red_channel = image[..., 2]
    red_paper = cv2.morphologyEx(red_channel, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8)).astype(np.float32)
    black = red_channel.astype(np.float32) < _BLACK * red_paper
    strokes = cv2.morphologyEx((ink < 160).astype(np.uint8), cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8)) > 0
    cuts = (black & strokes).astype(np.uint8)
    return cv2.inpaint(ink, cuts, 2, cv2.INPAINT_TELEA) if cuts.any() else ink


def find_seals(image: np.ndarray) -> list[Seal]:
    """The round and oval seals of a BGR picture, each as the ellipse of its border, largest
    first. Red that is not a ring-bordered round or oval (a rectangular name stamp, a red
    heading) is not a seal; a grey picture has none."""
    if image.ndim != 3 or image.shape[2] < 3:
        return []
    height, width = image.shape[:2]
    mask = cv2.morphologyEx(faint_red_mask(image), cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    size = max(3, round(JOIN * min(height, width)))
    joined = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    # Holes too: a seal on a page photographed on a reddish desk is a hole in the desk's red.
    contours, hierarchy = cv2.findContours(joined, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE)
    seals = []
    for contour, (_, _, _, parent) in zip(contours, hierarchy[0] if hierarchy is not None else []):
        # The box, not the contour's area: a ring broken where the ink is dry has its inside
        # and outside traced as one thin outline of next to no area.
        _, _, w, h = cv2.boundingRect(contour)
        if len(contour) < 20 or min(w, h) < _MIN_SEAL * min(height, width):
            continue
        seal = _ellipse_of(contour.reshape(-1, 2).astype(np.float64), mask, min(height, width))
        if seal is not None:
            seals.append(seal)
        elif parent < 0:
            seals.extend(_circles_in(mask, contour, min(height, width)))
    kept: list[Seal] = []
    # A ring broken in two by dry ink is two outlines of one seal: keep it once, the larger.
    for seal in sorted(seals, key=lambda s: -s.a * s.b):
        if not any(math.hypot(seal.cx - k.cx, seal.cy - k.cy) < 0.5 * min(k.a, k.b) for k in kept):
            kept.append(seal)
    return kept


def faint_red_mask(image: np.ndarray) -> np.ndarray:
    """255 where a BGR picture shows red ink, however faded: `red_mask` with less saturation
    and brightness asked, for finding seal borders."""
    hsv = cv2.cvtColor(image[..., :3], cv2.COLOR_BGR2HSV)
    mask = np.zeros(hsv.shape[:2], np.uint8)
    for low, high in RED_HUES:
        mask |= cv2.inRange(hsv, (low, _SEAL_SATURATION, _SEAL_VALUE), (high, 255, 255))
    return mask


def _ellipse_of(points: np.ndarray, mask: np.ndarray, shorter_side: int) -> Seal | None:
    """The seal whose border is the outline `points`, or None when the outline is not an
    ellipse with an inked ring."""
    (cx, cy), (d1, d2), angle = cv2.fitEllipse(points.astype(np.float32))
    seal = Seal(cx, cy, d1 / 2, d2 / 2, angle)
    if not _plausible(seal, shorter_side):
        return None
    if _fit(seal, points) < _MIN_FIT or _ring(seal, mask) < _MIN_RING or _ring(seal, mask, 1.12) > _MAX_AROUND:
        return None
    return seal


def _circles_in(mask: np.ndarray, contour: np.ndarray, shorter_side: int) -> list[Seal]:
    """Round seals stamped over one another (their inks join into one region): the circles of
    a Hough transform on the region's ink that have an inked ring."""
    x, y, w, h = cv2.boundingRect(contour)
    region = np.zeros_like(mask[y:y + h, x:x + w])
    cv2.drawContours(region, [contour - (x, y)], -1, 255, -1, offset=(0, 0))
    region &= mask[y:y + h, x:x + w]
    if cv2.countNonZero(region) > _MAX_SEALS_INK * w * h:
        return []  # red all over (a desk, a red picture): no rings of ink to look for
    smallest = max(8, int(_MIN_SEAL * shorter_side))
    circles = cv2.HoughCircles(cv2.GaussianBlur(region, (5, 5), 1.5), cv2.HOUGH_GRADIENT, dp=1.5,
                               minDist=smallest, param1=100, param2=40, minRadius=smallest,
                               maxRadius=max(smallest + 1, min(w, h) // 2 + 2))
    found: list[Seal] = []
    for cx, cy, r in ([] if circles is None else circles[0][:_MAX_CIRCLES]):
        seal = _refined(Seal(float(cx + x), float(cy + y), float(r), float(r), 0.0), mask)
        if seal is None or _ring(seal, mask) < _MIN_RING or _ring(seal, mask, 1.12) > _MAX_AROUND:
            continue
        # One seal is one circle: Hough also answers its inner rings and its text's arc.
        if any(math.hypot(seal.cx - s.cx, seal.cy - s.cy) < 0.5 * max(s.a, seal.a) for s in found):
            continue
        found.append(seal)
    return found


def _refined(seal: Seal, mask: np.ndarray) -> Seal | None:
    """A Hough circle (its centre is found to a few pixels) fitted again to the ink of its
    border: the outermost ink along each ray from its centre, near the circle."""
    h, w = mask.shape
    points = []
    for k in range(120):
        theta = 2 * math.pi * k / 120
        for scale in np.linspace(1.12, 0.88, 25):
            x, y = seal.point(scale * seal.a * math.cos(theta), scale * seal.b * math.sin(theta))
            xi, yi = int(round(x)), int(round(y))
            if 0 <= xi < w and 0 <= yi < h and mask[yi, xi]:
                points.append((x, y))
                break
    if len(points) < 40:
        return None
    (cx, cy), (d1, d2), angle = cv2.fitEllipse(np.array(points, np.float32))
    return Seal(cx, cy, d1 / 2, d2 / 2, angle)


def _plausible(seal: Seal, shorter_side: int) -> bool:
    small, large = min(seal.a, seal.b), max(seal.a, seal.b)
    return small >= _MIN_SEAL * shorter_side / 2 and large <= _MAX_ELONGATION * small


def _fit(seal: Seal, points: np.ndarray) -> float:
    """Share of the outline points that lie on the ellipse (within the tolerance)."""
    t = math.radians(seal.angle)
    dx, dy = points[:, 0] - seal.cx, points[:, 1] - seal.cy
    u = dx * math.cos(t) + dy * math.sin(t)
    v = -dx * math.sin(t) + dy * math.cos(t)
    rho = np.sqrt((u / seal.a) ** 2 + (v / seal.b) ** 2)
    return float(np.mean(np.abs(rho - 1) < _FIT_TOLERANCE))


def _ring(seal: Seal, mask: np.ndarray, scale: float = 1.0) -> float:
    """Share of the ellipse's perimeter (grown by `scale`) with ink just inside it: the border
    ring of a seal; outside a seal, grown by a tenth, there is little."""
    h, w = mask.shape
    hits, total = 0, 0
    for k in range(180):
        theta = 2 * math.pi * k / 180
        inked = False
        for depth in np.linspace(0.0, 0.08, 6):
            x, y = seal.point((scale - depth) * seal.a * math.cos(theta), (scale - depth) * seal.b * math.sin(theta))
            xi, yi = int(round(x)), int(round(y))
            if 0 <= xi < w and 0 <= yi < h and mask[yi, xi]:
                inked = True
                break
        hits += inked
        total += 1
    return hits / total
