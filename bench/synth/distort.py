"""Photo and scan distortions of a rendered upright picture; every geometric
step moves the truth quads with the pixels, so they stay exact."""
from __future__ import annotations

import math
import random

import cv2
import numpy as np

from bench.synth.truth import Distortion, LineTruth

WHITE = (255, 255, 255)


def photographed(seed: int) -> Distortion:
    """A random phone photo of a page lying on a desk."""
    rng = random.Random(seed)
    return Distortion(
        tilt=round(rng.uniform(-10.0, 10.0), 2),
        rotate=rng.choice((0, 90, 180, 270)),
        perspective=round(rng.uniform(0.02, 0.08), 3),
        blur=round(rng.uniform(0.0, 1.2), 2),
        noise=round(rng.uniform(0.0, 6.0), 2),
        jpeg_quality=rng.randint(50, 85),
        background=True,
        light=round(rng.uniform(0.0, 0.5), 2),
    )


def scanned(seed: int) -> Distortion:
    """A random office scan: slightly skewed, sometimes fed upside down, a little soft."""
    rng = random.Random(seed)
    return Distortion(
        tilt=round(rng.uniform(-3.0, 3.0), 2),
        rotate=rng.choice((0, 0, 0, 180)),
        blur=round(rng.uniform(0.0, 0.7), 2),
        noise=round(rng.uniform(0.0, 3.0), 2),
        jpeg_quality=rng.choice((None, rng.randint(75, 95))),
    )


def apply(image: np.ndarray, lines: list[LineTruth], distortion: Distortion,
          seed: int) -> tuple[np.ndarray, list[LineTruth]]:
    """Distort an upright BGR picture and move its lines' quads along.

    Order: page geometry (tilt, perspective, desk) → quarter turns → light →
    blur → noise → JPEG, i.e. the scene, then the camera.
    """
    rng = np.random.default_rng(seed)
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    quads = np.array([line.quad for line in lines], dtype=np.float64).reshape(-1, 4, 2)

    d = distortion
    if d.tilt or d.perspective or d.background:
        image, quads = warp_page(image, quads, tilt=d.tilt, perspective=d.perspective,
                                 background=d.background, rng=rng)
    if d.rotate:
        image, quads = rotate_quarters(image, quads, d.rotate)
    if d.light or d.blur or d.noise:
        pixels = image.astype(np.float32)
        if d.light:
            pixels = illuminate(pixels, d.light, rng)
        if d.blur:
            pixels = cv2.GaussianBlur(pixels, (0, 0), d.blur)
        if d.noise:
            pixels += rng.standard_normal(pixels.shape, dtype=np.float32) * np.float32(d.noise)
        image = np.clip(np.rint(pixels), 0, 255).astype(np.uint8)
    if d.jpeg_quality is not None:
        image = jpeg_roundtrip(image, d.jpeg_quality)

    moved = [LineTruth(line.text, tuple((float(x), float(y)) for x, y in quad))
             for line, quad in zip(lines, quads)]
    return image, moved


# --- geometry ------------------------------------------------------------------

def _pixel_grid(h: np.ndarray) -> np.ndarray:
    """A homography on continuous coordinates (pixel i covers [i, i+1)) as the
    one OpenCV applies to pixel indices (pixel i sits at i)."""
    shift = np.array([[1, 0, 0.5], [0, 1, 0.5], [0, 0, 1]])
    return np.linalg.inv(shift) @ h @ shift


def transform_quads(quads: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Apply a 3x3 homography to an (N, 4, 2) array of points."""
    if quads.size == 0:
        return quads
    pts = np.concatenate([quads.reshape(-1, 2), np.ones((quads.size // 2, 1))], axis=1) @ h.T
    return (pts[:, :2] / pts[:, 2:]).reshape(quads.shape)


def warp_page(image: np.ndarray, quads: np.ndarray, *, tilt: float, perspective: float,
              background: bool, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Rotate the page by `tilt` degrees (clockwise), jitter its corners by up
    to `perspective` of its size, and put it on a canvas that holds all of it:
    white like a scanner's lid, or a desk with a margin when `background`."""
    height, width = image.shape[:2]
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float64)
    theta = math.radians(tilt)
    # With y pointing down, this matrix turns clockwise on screen for positive angles.
    rot = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    center = np.array([width / 2, height / 2])
    dst = (corners - center) @ rot.T + center
    if perspective:
        dst += rng.uniform(-perspective, perspective, size=(4, 2)) * [width, height]
    margin = int(round(rng.uniform(0.04, 0.12) * max(width, height))) if background else 0
    dst += margin - dst.min(axis=0)
    out_w = int(math.ceil(dst[:, 0].max())) + margin
    out_h = int(math.ceil(dst[:, 1].max())) + margin

    h = cv2.getPerspectiveTransform(corners.astype(np.float32), dst.astype(np.float32)).astype(np.float64)
    m = _pixel_grid(h)
    quads = transform_quads(quads, h)
    if not background:
        warped = cv2.warpPerspective(image, m, (out_w, out_h), flags=cv2.INTER_LINEAR,
                                     borderMode=cv2.BORDER_CONSTANT, borderValue=WHITE)
        return warped, quads

    page = cv2.warpPerspective(image, m, (out_w, out_h), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0)).astype(np.float32)
    # The warped all-ones picture is the page's coverage, anti-aliased at its edges.
    alpha = cv2.warpPerspective(np.ones((height, width), np.float32), m, (out_w, out_h),
                                flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    desk = desk_texture(out_h, out_w, rng)
    # A soft shadow on the desk, cast down-right of the page.
    # Computed at a quarter of the size: it is smooth, and a full-size blur this wide is slow.
    offset = max(2.0, 0.006 * max(width, height)) / 4
    small = cv2.resize(alpha, ((out_w + 3) // 4, (out_h + 3) // 4), interpolation=cv2.INTER_AREA)
    shift = np.float32([[1, 0, offset], [0, 1, offset * 1.3]])
    shadow = cv2.GaussianBlur(cv2.warpAffine(small, shift, small.shape[::-1]), (0, 0), 3 * offset)
    shadow = cv2.resize(shadow, (out_w, out_h), interpolation=cv2.INTER_LINEAR)
    desk *= (1.0 - 0.45 * shadow)[..., None]
    # The camera's exposure and white balance: paper is never 255 in a photo.
    gains = np.float32(rng.uniform(0.80, 0.97)) * rng.uniform(0.96, 1.04, size=3).astype(np.float32)
    page *= gains
    a = alpha[..., None]
    out = page + (1.0 - a) * desk  # `page` is already premultiplied: black outside the page
    return np.clip(np.rint(out), 0, 255).astype(np.uint8), quads


def rotate_quarters(image: np.ndarray, quads: np.ndarray, degrees: int) -> tuple[np.ndarray, np.ndarray]:
    """Turn the picture clockwise by 90, 180 or 270 degrees (exact, no resampling)."""
    height, width = image.shape[:2]
    x, y = quads[..., 0], quads[..., 1]
    if degrees == 90:
        image, moved = cv2.rotate(image, cv2.ROTATE_90_CLOCKWISE), np.stack([height - y, x], axis=-1)
    elif degrees == 180:
        image, moved = cv2.rotate(image, cv2.ROTATE_180), np.stack([width - x, height - y], axis=-1)
    elif degrees == 270:
        image, moved = cv2.rotate(image, cv2.ROTATE_90_COUNTERCLOCKWISE), np.stack([y, width - x], axis=-1)
    else:
        raise ValueError(f"rotate must be 90, 180 or 270, not {degrees}")
    return image, moved


# --- scene and camera --------------------------------------------------------------

_DESKS = {
    # BGR base colours and how much grain and blotches each surface has.
    "wood": ((45, 95, 150), 14.0, 10.0),
    "dark wood": ((25, 45, 75), 8.0, 6.0),
    "grey laminate": ((70, 72, 75), 2.0, 8.0),
    "black": ((28, 28, 30), 1.0, 5.0),
    "green mat": ((55, 100, 45), 0.0, 6.0),
    "blue cloth": ((110, 80, 50), 3.0, 7.0),
}


def desk_texture(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """A float32 BGR picture of a desk: wood grain, laminate, a cutting mat or cloth."""
    base, grain, blotch = _DESKS[list(_DESKS)[rng.integers(len(_DESKS))]]
    # One brightness jitter for all channels, a small one per channel: keep the hue.
    colour = np.array(base, np.float32) * np.float32(rng.uniform(0.8, 1.2)) + rng.uniform(-5, 5, size=3).astype(np.float32)

    def smooth_noise(rows: int, cols: int, cell_y: int, cell_x: int) -> np.ndarray:
        small = rng.standard_normal((rows // cell_y + 2, cols // cell_x + 2)).astype(np.float32)
        return cv2.resize(small, (cols, rows), interpolation=cv2.INTER_CUBIC)

    cell = max(height, width) // 6
    shade = blotch * smooth_noise(height, width, cell, cell)
    if grain:
        # Grain runs along the desk's long edge, horizontal or vertical in the photo.
        vertical = rng.random() < 0.5
        rows, cols = (width, height) if vertical else (height, width)
        period = np.float32(rng.uniform(10, 30))
        waviness = period * smooth_noise(rows, cols, max(rows, cols) // 8, max(rows, cols) // 2)
        across = np.arange(rows, dtype=np.float32)[:, None]
        rings = np.sin((across + waviness) * (2 * np.pi / period))
        streaks = smooth_noise(rows, cols, 2, 120)  # fibres: long along the grain, thin across it
        texture = grain * (0.5 * rings + 0.8 * streaks)
        shade += texture.T if vertical else texture
    shade += 2.5 * rng.standard_normal((height, width), dtype=np.float32)
    return np.clip(colour + shade[..., None], 0, 255)


def illuminate(pixels: np.ndarray, strength: float, rng: np.random.Generator) -> np.ndarray:
    """Darken a float picture by a light gradient from one side and a vignette."""
    height, width = pixels.shape[:2]
    # The field is smooth: compute it on a coarse grid and scale it up.
    gh, gw = max(2, height // 8), max(2, width // 8)
    ys, xs = np.mgrid[0:gh, 0:gw].astype(np.float32)
    xs /= np.float32(gw - 1)
    ys /= np.float32(gh - 1)
    angle = rng.uniform(0, 2 * math.pi)
    ramp = (xs - 0.5) * np.float32(math.cos(angle)) + (ys - 0.5) * np.float32(math.sin(angle))
    ramp = (ramp - ramp.min()) / max(float(ramp.max() - ramp.min()), 1e-6)
    cx, cy = rng.uniform(0.3, 0.7, size=2)
    vignette = np.clip(((xs - cx) ** 2 + (ys - cy) ** 2) / np.float32(0.5), 0, 1)
    field = 1.0 - np.float32(strength) * (0.65 * ramp + 0.35 * vignette)
    field = cv2.resize(field, (width, height), interpolation=cv2.INTER_LINEAR)
    return pixels * field[..., None]


def jpeg_roundtrip(image: np.ndarray, quality: int) -> np.ndarray:
    """Encode and decode as JPEG, so the picture carries real JPEG artefacts."""
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise RuntimeError("OpenCV could not encode JPEG")
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)
