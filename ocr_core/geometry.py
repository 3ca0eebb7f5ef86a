"""Plane geometry shared by the steps: points, quadrilaterals, the reference's rotated
rectangle, and transforms that carry boxes from a processed picture back to the original."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import cv2
import numpy as np

Point = tuple[float, float]


@dataclass(frozen=True)
class Quad:
    """Four corners of a text region in reading order: top-left, top-right, bottom-right,
    bottom-left *as the text is read* (for a page turned upside down, `tl` is the picture's
    bottom-right corner of the region)."""

    tl: Point
    tr: Point
    br: Point
    bl: Point

    @classmethod
    def from_box(cls, left: float, top: float, right: float, bottom: float) -> "Quad":
        return cls((left, top), (right, top), (right, bottom), (left, bottom))

    @classmethod
    def from_points(cls, points: Iterable[Sequence[float]]) -> "Quad":
        tl, tr, br, bl = ((float(x), float(y)) for x, y in points)
        return cls(tl, tr, br, bl)

    @property
    def points(self) -> list[Point]:
        return [self.tl, self.tr, self.br, self.bl]

    def as_array(self) -> np.ndarray:
        return np.array(self.points, dtype=np.float64)

    def to_list(self, ndigits: int | None = 1) -> list[list[float]]:
        """JSON form: [[x, y] × 4]."""
        if ndigits is None:
            return [[x, y] for x, y in self.points]
        return [[round(x, ndigits), round(y, ndigits)] for x, y in self.points]

    @property
    def center(self) -> Point:
        a = self.as_array().mean(axis=0)
        return float(a[0]), float(a[1])

    @property
    def length(self) -> float:
        """Extent along the reading direction (mean of the top and bottom edges)."""
        return (_dist(self.tl, self.tr) + _dist(self.bl, self.br)) / 2

    @property
    def thickness(self) -> float:
        """Extent across the reading direction (mean of the two sides)."""
        return (_dist(self.tl, self.bl) + _dist(self.tr, self.br)) / 2

    @property
    def direction(self) -> float:
        """Angle of the reading direction in degrees, clockwise from +x (y points down), in (-180, 180]."""
        dx = (self.tr[0] - self.tl[0]) + (self.br[0] - self.bl[0])
        dy = (self.tr[1] - self.tl[1]) + (self.br[1] - self.bl[1])
        return math.degrees(math.atan2(dy, dx))

    def bounds(self) -> tuple[float, float, float, float]:
        """Axis-aligned (left, top, right, bottom) around the corners."""
        a = self.as_array()
        return float(a[:, 0].min()), float(a[:, 1].min()), float(a[:, 0].max()), float(a[:, 1].max())

    def contains(self, point: Point) -> bool:
        """Whether `point` lies inside (or on) the quadrilateral, which must be convex."""
        signs = []
        corners = self.points
        for (x0, y0), (x1, y1) in zip(corners, corners[1:] + corners[:1]):
            cross = (x1 - x0) * (point[1] - y0) - (y1 - y0) * (point[0] - x0)
            if abs(cross) > 1e-9:
                signs.append(cross > 0)
        return all(signs) or not any(signs)


@dataclass(frozen=True)
class Rect:
    """The reference's rotated rectangle: `left`/`top` are the centre minus half the size,
    `width` runs along the reading direction, `height` across it, and `angle` is the
    clockwise rotation in degrees (y down) of the reading direction, in (-90, 90]."""

    left: float
    top: float
    width: float
    height: float
    angle: float

    @classmethod
    def from_quad(cls, quad: Quad) -> "Rect":
        cx, cy = quad.center
        width, height = quad.length, quad.thickness
        angle = quad.direction
        # The rectangle has no front and back: a line read right-to-left (page upside down)
        # has the same box as one read left-to-right.
        while angle > 90:
            angle -= 180
        while angle <= -90:
            angle += 180
        return cls(cx - width / 2, cy - height / 2, width, height, angle)

    @property
    def center(self) -> Point:
        return self.left + self.width / 2, self.top + self.height / 2

    def corners(self) -> list[Point]:
        """The reference's `makeRectangle(width, height, angle)` around the centre, in its order."""
        theta = math.radians(self.angle)
        c, s = math.cos(theta), math.sin(theta)
        cx, cy = self.center
        w2, h2 = self.width / 2, self.height / 2
        return [(c * x - s * y + cx, s * x + c * y + cy) for x, y in ((w2, h2), (w2, -h2), (-w2, -h2), (-w2, h2))]

    def to_dict(self) -> dict[str, int]:
        """The wire form: whole pixels and whole degrees, as the reference answers."""
        return {
            "angle": int(round(self.angle)),
            "left": int(round(self.left)),
            "top": int(round(self.top)),
            "width": int(round(self.width)),
            "height": int(round(self.height)),
        }


@dataclass(frozen=True, eq=False)
class Transform:
    """A projective map of the plane (3×3 matrix); used to carry points from a processed
    picture back to the one the client sent."""

    matrix: np.ndarray

    @classmethod
    def identity(cls) -> "Transform":
        return cls(np.eye(3))

    @classmethod
    def from_affine(cls, m: np.ndarray) -> "Transform":
        return cls(np.vstack([np.asarray(m, dtype=np.float64), [0.0, 0.0, 1.0]]))

    def apply(self, points: Sequence[Point]) -> list[Point]:
        a = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        h = np.hstack([a, np.ones((len(a), 1))]) @ self.matrix.T
        return [(float(x / w), float(y / w)) for x, y, w in h]

    def apply_quad(self, quad: Quad) -> Quad:
        return Quad.from_points(self.apply(quad.points))

    def then(self, other: "Transform") -> "Transform":
        """This map followed by `other`."""
        return Transform(other.matrix @ self.matrix)

    def inverse(self) -> "Transform":
        return Transform(np.linalg.inv(self.matrix))


def rotate_image(image: np.ndarray, degrees: float, border: int | tuple[int, ...] = 255) -> tuple[np.ndarray, Transform]:
    """Turn `image` clockwise by `degrees`, growing the canvas so that nothing is cut off.

    Returns the turned picture and the transform from its coordinates back to `image`'s.
    Quarter turns are exact (no resampling).
    """
    h, w = image.shape[:2]
    quarter = degrees / 90.0
    if abs(quarter - round(quarter)) < 1e-9:
        turns = int(round(quarter)) % 4
        if turns == 0:
            return image, Transform.identity()
        code = {1: cv2.ROTATE_90_CLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_COUNTERCLOCKWISE}[turns]
        back = {  # turned (x, y) -> original (x, y)
            1: [[0, 1, 0], [-1, 0, h - 1], [0, 0, 1]],
            2: [[-1, 0, w - 1], [0, -1, h - 1], [0, 0, 1]],
            3: [[0, -1, w - 1], [1, 0, 0], [0, 0, 1]],
        }[turns]
        return cv2.rotate(image, code), Transform(np.array(back, dtype=np.float64))
    theta = math.radians(degrees)
    c, s = abs(math.cos(theta)), abs(math.sin(theta))
    nw, nh = int(math.ceil(w * c + h * s)), int(math.ceil(w * s + h * c))
    # OpenCV's positive angle turns counter-clockwise on screen.
    m = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), -degrees, 1.0)
    m[0, 2] += (nw - w) / 2
    m[1, 2] += (nh - h) / 2
    if image.ndim == 3 and isinstance(border, int):
        border = (border,) * image.shape[2]
    turned = cv2.warpAffine(image, m, (nw, nh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=border)
    return turned, Transform.from_affine(m).inverse()


def scale_image(image: np.ndarray, factor: float) -> tuple[np.ndarray, Transform]:
    """Resize by `factor`; returns the picture and the transform from it back to `image`."""
    if abs(factor - 1.0) < 1e-9:
        return image, Transform.identity()
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    h, w = image.shape[:2]
    size = (max(1, int(round(w * factor))), max(1, int(round(h * factor))))
    resized = cv2.resize(image, size, interpolation=interpolation)
    fx, fy = w / size[0], h / size[1]
    return resized, Transform(np.array([[fx, 0, 0], [0, fy, 0], [0, 0, 1]], dtype=np.float64))


def warp_quad(image: np.ndarray, quad: Quad, size: tuple[int, int] | None = None) -> tuple[np.ndarray, Transform]:
    """Rectify the region `quad` of `image` into an upright rectangle (width, height).

    Without `size`, the rectangle keeps the quad's mean edge lengths. Returns the
    rectified picture and the transform from it back to `image`.
    """
    if size is None:
        size = (max(1, int(round(quad.length))), max(1, int(round(quad.thickness))))
    w, h = size
    target = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(quad.as_array().astype(np.float32), target)
    warped = cv2.warpPerspective(image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return warped, Transform(np.linalg.inv(m))


def reading_order(quads: Sequence[Quad]) -> list[int]:
    """Indices of `quads` (lines of an upright page) top to bottom, and left to right among
    lines that share a row.

    Rows, not columns: back-office documents are mostly forms whose label and value sit side
    by side on one row, and reading them row by row keeps each pair together.
    """
    boxes = [q.bounds() for q in quads]
    order = sorted(range(len(quads)), key=lambda i: (boxes[i][1] + boxes[i][3]) / 2)
    rows: list[list[int]] = []
    row_top = row_bottom = 0.0
    for i in order:
        _, top, _, bottom = boxes[i]
        if rows:
            overlap = min(bottom, row_bottom) - max(top, row_top)
            if overlap >= 0.5 * min(bottom - top, row_bottom - row_top):
                rows[-1].append(i)
                row_top, row_bottom = min(row_top, top), max(row_bottom, bottom)
                continue
        rows.append([i])
        row_top, row_bottom = top, bottom
    return [i for row in rows for i in sorted(row, key=lambda i: boxes[i][0])]



def enclosing_quad(quads: Sequence[Quad]) -> Quad:
    """The upright rectangle around all of `quads`."""
    bounds = [q.bounds() for q in quads]
    return Quad.from_box(min(b[0] for b in bounds), min(b[1] for b in bounds),
                         max(b[2] for b in bounds), max(b[3] for b in bounds))


def reference_box(quad: Quad) -> dict[str, int]:
    """The reference's box of a stamp or title: top, left, height and width of the upright
    rectangle around `quad`."""
    left, top, right, bottom = quad.bounds()
    return {"top": int(round(top)), "left": int(round(left)),
            "height": int(round(bottom - top)), "width": int(round(right - left))}

def _dist(a: Point, b: Point) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])
