"""Official seals (公章) stamped over a page of black text: round seals with the company's
name on an arc, a star and a line below it (合同专用章, a number), and oval ones (财务专用章),
in faded, uneven red ink, each slightly turned; one to three to a page."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image, ImageDraw

from bench.synth import corpus
from bench.synth.distort import apply
from bench.synth.documents.card import DocumentSample
from bench.synth.pages import text_page
from bench.synth.render import load_font
from bench.synth.truth import Distortion, LineTruth

ROUND_INNER = ("合同专用章", "公章", "业务专用章", "发票专用章", "人事专用章", "")
OVAL_INNER = ("财务专用章", "发票专用章", "合同专用章")
# Points of a seal's outline tracked through the distortion, to know its box in the picture.
OUTLINE_POINTS = 32


@dataclass
class SealTruth:
    """One seal: the company on its arc, the horizontal text inside ("" when none), its box."""
    company: str
    inner: str
    roi: dict[str, int]        # left, top, width, height in the final picture


@dataclass
class SealSample(DocumentSample):
    """A page with seals; `seals` in the order they were stamped."""
    seals: list[SealTruth] = field(default_factory=list)


def official_seal(seed: int, *, distortion: Distortion | None = None, count: int | None = None) -> SealSample:
    """A page of text with 1-3 seals (or `count`) stamped on it, from its seed alone."""
    rng = random.Random(f"seal-{seed}")
    page = text_page(seed)
    image = page.image.copy()
    height, width = image.shape[:2]
    n = count if count is not None else rng.choice((1, 1, 2, 2, 3))
    placed: list[tuple[float, float, float]] = []
    truths, outlines = [], []
    for _ in range(n):
        oval = rng.random() < 0.3
        radius = rng.uniform(110, 150)
        a, b = (radius * rng.uniform(1.25, 1.4), radius * rng.uniform(0.85, 0.95)) if oval else (radius, radius)
        for _attempt in range(200):
            cx, cy = rng.uniform(a + 10, width - a - 10), rng.uniform(a + 10, height - a - 10)
            if all(math.hypot(cx - x, cy - y) > a + r + 15 for x, y, r in placed):
                break
        else:
            break
        placed.append((cx, cy, a))
        company = corpus.company_name(rng)
        if oval:
            inner = rng.choice(OVAL_INNER)
        else:
            inner = rng.choice(ROUND_INNER + (_serial(rng),))
        angle = rng.uniform(-15, 15)
        ink, alpha = _seal_layer(rng, company, inner, a, b, oval)
        outlines.append(_stamp(image, ink, alpha, (cx, cy), angle, rng))
        truths.append((company, inner))

    d = distortion or Distortion()
    points = [LineTruth(f"seal{i}:{k}", tuple(outline[4 * k:4 * k + 4]))
              for i, outline in enumerate(outlines) for k in range(OUTLINE_POINTS // 4)]
    image, moved = apply(image, page.lines + points, d, seed)
    lines, tracked = moved[:len(page.lines)], moved[len(page.lines):]
    seals, boxes = [], {}
    for i, (company, inner) in enumerate(truths):
        pts = np.array([p for line in tracked if line.text.startswith(f"seal{i}:") for p in line.quad])
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        roi = {"left": int(round(x0)), "top": int(round(y0)), "width": int(round(x1 - x0)), "height": int(round(y1 - y0))}
        seals.append(SealTruth(company, inner, roi))
        boxes[f"seal{i}"] = ((float(x0), float(y0)), (float(x1), float(y0)), (float(x1), float(y1)), (float(x0), float(y1)))
    # The truth is `seals` (the answer is a list, not named fields).
    return SealSample(kind="official_seal", image=image, fields={}, boxes=boxes, lines=lines,
                      distortion=d, seed=seed, seals=seals)


def _serial(rng: random.Random) -> str:
    # The filing number some seals carry under the star.
    return "".join(str(rng.randint(0, 9)) for _ in range(rng.choice((10, 13))))


def _seal_layer(rng: random.Random, company: str, inner: str, a: float, b: float,
                oval: bool) -> tuple[tuple[int, int, int], np.ndarray]:
    """The seal drawn upright at 2x scale as coverage (0..1), in a square of side 2a + margin,
    with its ink colour."""
    scale = 2
    A, B = a * scale, b * scale
    side = int(2 * A + 8 * scale)
    c = side / 2
    layer = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(layer)
    border = max(3 * scale, round(rng.uniform(0.04, 0.06) * B))
    draw.ellipse((c - A, c - B, c + A, c + B), outline=255, width=border)
    family = rng.choice(("sans", "serif"))
    span = math.radians(min(250.0, max(200.0, 140 + 8 * len(company))) if not oval else rng.uniform(200, 230))
    # Characters of a long name are narrower: each gets its share of the arc and no more.
    size = rng.uniform(0.22, 0.26) * B
    inset = border + rng.uniform(0.05, 0.09) * B + size / 2
    advance = span * (B - inset) / len(company)
    size = int(min(size, 0.92 * advance))
    fnt = load_font(family, size, bold=True)
    # The company on the upper arc, its characters' centres this far inside the border.
    inset = border + rng.uniform(0.05, 0.09) * B + size / 2
    _arc_text(layer, company, fnt, (c, c), A - inset, B - inset, span)
    if not oval:
        _star(draw, (c, c - 0.02 * B), 0.26 * B)
    if inner:
        small = load_font(family, int(B * (0.15 if inner.isdigit() else 0.19)), bold=not inner.isdigit())
        y = c + (0.5 * B if not oval else 0.1 * B)
        width = small.getlength(inner)
        limit = 0.8 * B if not oval else 1.1 * A
        if width > limit:
            small = load_font(family, int(small.size * limit / width), bold=not inner.isdigit())
            width = small.getlength(inner)
        draw.text((c - width / 2, y), inner, font=small, fill=255, anchor="lm")
    coverage = np.asarray(layer, np.float32) / 255.0
    coverage = cv2.resize(coverage, (side // scale, side // scale), interpolation=cv2.INTER_AREA)
    colour = (rng.randint(190, 230), rng.randint(15, 60), rng.randint(25, 70))
    return colour, coverage


def _arc_text(layer: Image.Image, text: str, fnt, centre: tuple[float, float], a: float, b: float,
              span: float) -> None:
    """Each character upright on the ellipse (a, b), its top outwards, evenly spaced by arc
    length over `span` radians centred on 12 o'clock, read clockwise."""
    ts = np.linspace(0, 2 * math.pi, 2000)
    xs, ys = a * np.sin(ts), -b * np.cos(ts)          # t = 0 at 12 o'clock, growing clockwise
    arc = np.concatenate([[0], np.cumsum(np.hypot(np.diff(xs), np.diff(ys)))])
    # The span is measured as angle on the circle of the mean radius; spacing by arc length.
    total = arc[-1]
    half = span / (2 * math.pi) * total / 2
    n = len(text)
    positions = [-half + (k + 0.5) * 2 * half / n for k in range(n)]
    box = int(fnt.size * 1.6)
    for ch, s in zip(text, positions):
        t = float(np.interp(s % total, arc, ts))
        x, y = centre[0] + a * math.sin(t), centre[1] - b * math.cos(t)
        tangent = math.degrees(math.atan2(b * math.sin(t), a * math.cos(t)))   # direction of reading
        glyph = Image.new("L", (box, box), 0)
        ImageDraw.Draw(glyph).text((box / 2, box / 2), ch, font=fnt, fill=255, anchor="mm")
        glyph = glyph.rotate(-tangent, resample=Image.Resampling.BICUBIC)
        layer.paste(255, (int(round(x - box / 2)), int(round(y - box / 2))), glyph)


def _star(draw: ImageDraw.ImageDraw, centre: tuple[float, float], radius: float) -> None:
    points = []
    for k in range(10):
        r = radius if k % 2 == 0 else radius * 0.4
        t = math.pi * k / 5
        points.append((centre[0] + r * math.sin(t), centre[1] - r * math.cos(t)))
    draw.polygon(points, fill=255)


def _stamp(image: np.ndarray, colour: tuple[int, int, int], coverage: np.ndarray, centre: tuple[float, float],
           angle: float, rng: random.Random) -> list[tuple[float, float]]:
    """Press the seal on the page turned by `angle` degrees (clockwise), its ink uneven and
    faded, multiplied over the print; its outline's points in page coordinates."""
    side = coverage.shape[0]
    turn = cv2.getRotationMatrix2D((side / 2, side / 2), -angle, 1.0)
    coverage = cv2.warpAffine(coverage, turn, (side, side), flags=cv2.INTER_LINEAR)
    # Uneven pressure: a smooth random field, some parts nearly dry.
    noise = np.random.default_rng(rng.randint(0, 2 ** 31)).random((8, 8)).astype(np.float32)
    field_ = cv2.resize(noise, (side, side), interpolation=cv2.INTER_CUBIC)
    strength = rng.uniform(0.6, 1.0)
    coverage = coverage * np.clip(strength * (0.65 + 0.5 * field_), 0.45, 1.0)
    x0, y0 = int(round(centre[0] - side / 2)), int(round(centre[1] - side / 2))
    h, w = image.shape[:2]
    sx0, sy0, sx1, sy1 = max(0, x0), max(0, y0), min(w, x0 + side), min(h, y0 + side)
    cov = coverage[sy0 - y0:sy1 - y0, sx0 - x0:sx1 - x0, None]
    ink = np.array(colour[::-1], np.float32) / 255.0           # BGR
    region = image[sy0:sy1, sx0:sx1].astype(np.float32)
    image[sy0:sy1, sx0:sx1] = np.clip(np.rint(region * (1 - cov * (1 - ink))), 0, 255).astype(np.uint8)
    # The outline: the ellipse of the drawn border, turned like the seal.
    ys, xs = np.nonzero(coverage > 0.05)
    pts = np.stack([xs, ys], axis=1).astype(np.float32)
    hull = cv2.convexHull(pts).reshape(-1, 2)
    chosen = [hull[(k * len(hull)) // OUTLINE_POINTS] for k in range(OUTLINE_POINTS)]
    return [(float(x + x0), float(y + y0)) for x, y in chosen]
