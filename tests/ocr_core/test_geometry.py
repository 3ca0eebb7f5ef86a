"""Quads, the reference's rotated rectangle, transforms and reading order, on golden values."""
from __future__ import annotations

import math

import numpy as np
import pytest

from ocr_core.geometry import Quad, Rect, Transform, reading_order, rotate_image, scale_image, warp_quad


def make_rectangle(width, height, theta, offset=(0, 0)):
    """The reference's own conversion code, verbatim."""
    c, s = math.cos(theta), math.sin(theta)
    rect_coords = [(width / 2.0, height / 2.0), (width / 2.0, -height / 2.0), (-width / 2.0, -height / 2.0), (-width / 2.0, height / 2.0)]
    return [(c * x - s * y + offset[0], s * x + c * y + offset[1]) for (x, y) in rect_coords]


def reference_corners(rect: dict) -> list[tuple[float, float]]:
    cx = rect["left"] + rect["width"] / 2.0
    cy = rect["top"] + rect["height"] / 2.0
    return make_rectangle(rect["width"], rect["height"], rect["angle"] * math.pi / 180, (cx, cy))


def line_quad(cx, cy, length, thickness, degrees) -> Quad:
    """A line centred at (cx, cy) read along `degrees` (clockwise, y down)."""
    t = math.radians(degrees)
    ux, uy, nx, ny = math.cos(t), math.sin(t), -math.sin(t), math.cos(t)
    hl, ht = length / 2, thickness / 2
    return Quad((cx - ux * hl - nx * ht, cy - uy * hl - ny * ht), (cx + ux * hl - nx * ht, cy + uy * hl - ny * ht),
                (cx + ux * hl + nx * ht, cy + uy * hl + ny * ht), (cx - ux * hl + nx * ht, cy - uy * hl + ny * ht))


def same_corner_set(a, b, tol):
    return all(min(math.dist(p, q) for q in b) <= tol for p in a)


@pytest.mark.parametrize("degrees", [0, 7, -12, 45, 89, 90, 96, 180, 186, 270, -90, -135])
def test_rect_round_trips_through_make_rectangle(degrees):
    quad = line_quad(400, 300, 240, 30, degrees)
    rect = Rect.from_quad(quad)
    assert -90 < rect.angle <= 90
    assert rect.width == pytest.approx(240) and rect.height == pytest.approx(30)
    assert same_corner_set(rect.corners(), quad.points, 1e-6)
    # The wire form (whole pixels and degrees) still lands within a pixel or two.
    wire = rect.to_dict()
    assert set(wire) == {"angle", "left", "top", "width", "height"}
    assert same_corner_set(reference_corners(wire), quad.points, 3.0)


def test_rect_angle_convention():
    # Lines of a page turned a quarter clockwise read downwards: angle 90.
    assert Rect.from_quad(line_quad(0, 0, 100, 20, 90)).angle == pytest.approx(90)
    # Turned a quarter counter-clockwise they read upwards: the same box, also 90.
    assert Rect.from_quad(line_quad(0, 0, 100, 20, -90)).angle == pytest.approx(90)
    # Upside down: horizontal box.
    assert Rect.from_quad(line_quad(0, 0, 100, 20, 180)).angle == pytest.approx(0)
    # A line going down to the right is a positive (clockwise) angle.
    assert Rect.from_quad(line_quad(0, 0, 100, 20, 10)).angle == pytest.approx(10)


def test_reference_example_axis_aligned():
    rect = Rect.from_quad(Quad.from_box(50, 50, 150, 90))
    assert rect.to_dict() == {"angle": 0, "left": 50, "top": 50, "width": 100, "height": 40}


def test_quad_contains():
    quad = line_quad(100, 100, 80, 20, 30)
    assert quad.contains((100, 100))
    assert not quad.contains((100, 130))


@pytest.mark.parametrize("degrees", [90, 180, 270, 12.5, -7])
def test_rotate_image_transform_maps_back(degrees):
    image = np.zeros((60, 100), np.uint8)
    image[10:14, 20:24] = 255  # a mark around (21.5, 11.5)
    turned, back = rotate_image(image, degrees, border=0)
    ys, xs = np.nonzero(turned > 127)
    (x, y), = back.apply([(xs.mean(), ys.mean())])
    assert (x, y) == pytest.approx((21.5, 11.5), abs=0.6)


def test_quarter_turns_are_exact():
    image = np.arange(12, dtype=np.uint8).reshape(3, 4)
    for degrees in (90, 180, 270):
        turned, back = rotate_image(image, degrees)
        for y in range(turned.shape[0]):
            for x in range(turned.shape[1]):
                (ox, oy), = back.apply([(x, y)])
                assert turned[y, x] == image[int(round(oy)), int(round(ox))]


def test_scale_and_compose():
    image = np.zeros((100, 200), np.uint8)
    small, to_image = scale_image(image, 0.5)
    assert small.shape == (50, 100)
    turned, to_small = rotate_image(small, 90)
    to_original = to_small.then(to_image)
    # Turned picture's top-right corner is the small picture's top-left, i.e. the original's.
    (x, y), = to_original.apply([(turned.shape[1] - 1, 0)])
    assert (x, y) == pytest.approx((0, 0), abs=1e-6)
    assert Transform.identity().then(to_image).apply([(10, 10)]) == [(20, 20)]
    assert to_image.inverse().apply([(20, 20)]) == [(10, 10)]


def test_warp_quad_rectifies_and_maps_back():
    image = np.full((200, 300), 255, np.uint8)
    quad = Quad((50, 40), (250, 60), (240, 160), (60, 150))
    flat, back = warp_quad(image, quad, (200, 100))
    assert flat.shape == (100, 200)
    assert back.apply([(0, 0), (199, 99)]) == [pytest.approx((50, 40)), pytest.approx((240, 160))]


def test_reading_order_rows_then_left_to_right():
    quads = [
        Quad.from_box(300, 12, 500, 40),   # row 1, right
        Quad.from_box(10, 100, 200, 130),  # row 3
        Quad.from_box(10, 10, 250, 38),    # row 1, left
        Quad.from_box(10, 52, 400, 80),    # row 2
    ]
    assert reading_order(quads) == [2, 0, 3, 1]
