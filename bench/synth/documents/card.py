"""What every identity document shares: the sample with its field truth, a
canvas that records each drawn line and field box, printed backgrounds, a
synthetic portrait, and the phone photo of a card lying on a desk."""
from __future__ import annotations

import dataclasses
import math
import random
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from bench.synth.distort import _pixel_grid, apply, desk_texture, transform_quads
from bench.synth.fonts import truetype
from bench.synth.render import draw_line, ink_box, load_font, to_bgr
from bench.synth.truth import Distortion, LineTruth, Quad, Sample

# The monospace face, as fontconfig family and style: OCR-B-like, plain, open digits and an
# unambiguous 0/O.
MONO_FONT = ("DejaVu Sans Mono", "Book")


@dataclass
class DocumentSample:
    """A picture of an identity document and the answer a service should give."""
    kind: str                  # "idcard_face", "idcard_back", "passport", "driver_license_face", ...
    image: np.ndarray          # BGR uint8
    fields: dict[str, str]     # truth in the reference's output format
    # Where each field's value is in `image` (tl, tr, br, bl of the upright
    # document), and "card": the document's outline, "face": the portrait's face.
    boxes: dict[str, Quad]
    lines: list[LineTruth]     # every printed line, labels and values, in reading order
    distortion: Distortion
    seed: int

    def encode(self, fmt: str = "png") -> bytes:
        """The picture as a file of format png, jpg, bmp or tiff."""
        return Sample(self.image, self.lines, self.distortion, self.seed).encode(fmt)



def photographed_card(seed: int) -> Distortion:
    """A random phone photo of a card on a desk. With `background`, the
    document generators place the card so that it fills 40-80 % of the picture."""
    rng = random.Random(seed)
    return Distortion(
        tilt=round(rng.uniform(-10.0, 10.0), 2),
        rotate=rng.choice((0, 90, 180, 270)),
        perspective=round(rng.uniform(0.01, 0.06), 3),
        blur=round(rng.uniform(0.0, 1.2), 2),
        noise=round(rng.uniform(0.0, 5.0), 2),
        jpeg_quality=rng.randint(50, 85),
        background=True,
        light=round(rng.uniform(0.0, 0.5), 2),
    )


def mono_font(size: int) -> ImageFont.FreeTypeFont:
    """A monospace font for MRZ lines and ID numbers: DejaVu Sans Mono, found by fontconfig.
    Without it this fails naming the package to install, rather than drawing every number
    in another face than the benchmark's figures were measured on."""
    return truetype(*MONO_FONT, size)


def font(size: int, bold: bool = False, family: str = "sans") -> ImageFont.FreeTypeFont:
    return load_font(family, int(size), bold)


def rgb(colour: tuple[int, int, int], rng: random.Random, jitter: int = 12) -> tuple[int, int, int]:
    return tuple(int(min(255, max(0, c + rng.randint(-jitter, jitter)))) for c in colour)


class Canvas:
    """An upright document being drawn: the picture, its lines in drawing
    order, and a box per named field (the union of that field's ink)."""

    def __init__(self, width: int, height: int, background: np.ndarray | None = None):
        if background is None:
            background = np.full((height, width, 3), 255, np.uint8)
        self.image = Image.fromarray(background)      # RGB
        self.draw = ImageDraw.Draw(self.image)
        self.lines: list[LineTruth] = []
        self.rects: dict[str, tuple[float, float, float, float]] = {}
        self.width, self.height = width, height

    def text(self, x: float, baseline: float, text: str, fnt: ImageFont.FreeTypeFont,
             fill: tuple[int, int, int] = (20, 20, 20), field: str | None = None,
             spacing: float = 0.0) -> tuple[float, float, float, float]:
        """Draw a line with its baseline starting at (x, baseline); with
        `spacing`, characters are spread by that many px (titles, labels)."""
        if spacing:
            parts, cursor = [], float(x)
            for ch in text:
                if not ch.isspace():
                    parts.append(draw_line(self.draw, (round(cursor), round(baseline)), ch, fnt, fill))
                cursor += fnt.getlength(ch) + spacing
            rect = _union([_rect(p.quad) for p in parts])
            self.lines.append(LineTruth(text.replace(" ", ""), _quad(rect)))
        else:
            line = draw_line(self.draw, (round(x), round(baseline)), text, fnt, fill)
            self.lines.append(line)
            rect = _rect(line.quad)
        if field:
            self.mark(field, rect)
        return rect

    def runs(self, x: float, baseline: float, runs: list[tuple[str, ImageFont.FreeTypeFont, tuple[int, int, int]]],
             gap: float = 0.0, field: str | None = None) -> tuple[float, float, float, float]:
        """Draw pieces of one line in different fonts/colours (e.g. "1990 年 3 月
        7 日"), recorded as one line whose text is the pieces joined."""
        rects, cursor = [], float(x)
        for text, fnt, fill in runs:
            box = ink_box(fnt, text, (round(cursor), round(baseline)))
            self.draw.text((round(cursor), round(baseline)), text, font=fnt, fill=fill, anchor="ls")
            if box is not None:
                rects.append(tuple(float(v) for v in box))
            cursor += fnt.getlength(text) + gap
        rect = _union(rects)
        self.lines.append(LineTruth("".join(t for t, _, _ in runs).replace(" ", ""), _quad(rect)))
        if field:
            self.mark(field, rect)
        return rect

    def mark_part(self, field: str, x: float, baseline: float, text: str, start: int, end: int,
                  fnt: ImageFont.FreeTypeFont) -> None:
        """Mark text[start:end] of a line drawn at (x, baseline) as a field."""
        box = ink_box(fnt, text[start:end], (round(x + fnt.getlength(text[:start])), round(baseline)))
        if box is not None:
            self.mark(field, tuple(float(v) for v in box))

    def mark(self, field: str, rect: tuple[float, float, float, float]) -> None:
        self.rects[field] = _union([self.rects[field], rect]) if field in self.rects else rect

    def finish(self, kind: str, fields: dict[str, str], distortion: Distortion | None, seed: int,
               corner_radius: float = 0.0) -> DocumentSample:
        """Distort the drawn document (as a card with rounded corners when
        `corner_radius`) and move every line and box along with its pixels."""
        d = distortion or Distortion()
        image = to_bgr(self.image)
        rects = dict(self.rects, card=(0.0, 0.0, float(self.width), float(self.height)))
        names = list(rects)
        tracked = self.lines + [LineTruth(n, _quad(rects[n])) for n in names]
        alpha = card_alpha(self.width, self.height, corner_radius)
        if d.background:
            image, tracked = on_desk(image, alpha, tracked, d, seed)
        else:
            # A scan or a crop: outside the rounded corners is white paper.
            image = np.rint(image * alpha[..., None] + 255 * (1 - alpha[..., None])).astype(np.uint8)
            image, tracked = apply(image, tracked, d, seed)
        lines, boxes = tracked[:len(self.lines)], tracked[len(self.lines):]
        return DocumentSample(kind=kind, image=image, fields=fields,
                              boxes={n: b.quad for n, b in zip(names, boxes)},
                              lines=lines, distortion=d, seed=seed)


def _rect(quad: Quad) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    return min(xs), min(ys), max(xs), max(ys)


def _quad(rect: tuple[float, float, float, float]) -> Quad:
    x0, y0, x1, y1 = rect
    return (x0, y0), (x1, y0), (x1, y1), (x0, y1)


def _union(rects: list[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    return (min(r[0] for r in rects), min(r[1] for r in rects),
            max(r[2] for r in rects), max(r[3] for r in rects))


# --- printed backgrounds ---------------------------------------------------------

def guilloche(width: int, height: int, rng: random.Random, base: tuple[int, int, int],
              tints: tuple[tuple[int, int, int], ...], strength: float = 0.35) -> np.ndarray:
    """A light security print: a tinted ground, soft colour gradients and
    fine interleaved wave lines, as an RGB array."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    out = np.empty((height, width, 3), np.float32)
    out[:] = np.array(base, np.float32)
    # Colour washes: a tint rising from one side, another in a soft blob.
    for tint in tints:
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        r = rng.uniform(0.4, 0.8) * width
        w = np.exp(-(((xs - cx) ** 2 + (ys - cy) ** 2) / (2 * r * r)))[..., None]
        out = out * (1 - 0.6 * w) + np.array(tint, np.float32) * 0.6 * w
    # Fine guilloche: two families of wavy lines, thin and faint.
    f1, f2 = rng.uniform(0.05, 0.09), rng.uniform(0.006, 0.012)
    a1 = rng.uniform(10, 25)
    wave = np.sin(ys * f1 + a1 * np.sin(xs * f2 + rng.uniform(0, 6)))
    wave2 = np.sin(xs * f1 * 0.8 + a1 * np.sin(ys * f2 * 1.3 + rng.uniform(0, 6)))
    lines = np.clip((np.abs(wave) < 0.12).astype(np.float32) + (np.abs(wave2) < 0.10).astype(np.float32), 0, 1)
    lines = cv2.GaussianBlur(lines, (0, 0), 0.6)[..., None]
    line_colour = np.array(tints[0], np.float32) * 0.85
    out = out * (1 - strength * lines) + line_colour * strength * lines
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def card_alpha(width: int, height: int, radius: float) -> np.ndarray:
    """Coverage of a card with rounded corners (1 inside, anti-aliased edge)."""
    if radius <= 0:
        return np.ones((height, width), np.float32)
    scale = 4
    mask = Image.new("L", (width * scale, height * scale), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, width * scale - 1, height * scale - 1),
                                           radius=radius * scale, fill=255)
    return np.asarray(mask.resize((width, height), Image.Resampling.BOX), np.float32) / 255.0


# --- the synthetic portrait ----------------------------------------------------------

def portrait(canvas: Canvas, box: tuple[int, int, int, int], rng: random.Random,
             background: tuple[int, int, int] | None = None) -> tuple[float, float, float, float]:
    """Draw a head-and-shoulders portrait in `box` (x0, y0, x1, y1) and return
    the face's rectangle: the square, hairline to chin, that a frontal face
    detector (OpenCV's Haar cascade) finds."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    if background is not None:
        d.rectangle((0, 0, w, h), fill=background + (255,))
    skin = rgb(rng.choice(((234, 192, 160), (224, 178, 142), (240, 205, 175), (205, 160, 125))), rng, 8)
    shade = tuple(int(c * 0.82) for c in skin)
    hair = rgb(rng.choice(((25, 20, 18), (40, 30, 25), (60, 45, 35))), rng, 6)
    cloth = rgb(rng.choice(((30, 35, 50), (50, 50, 55), (235, 235, 235), (40, 60, 100))), rng, 10)
    cx = w / 2 + rng.uniform(-0.03, 0.03) * w
    fw = w * rng.uniform(0.50, 0.56)             # face width
    fh = fw * rng.uniform(1.28, 1.38)            # face height, forehead to chin
    top = h * rng.uniform(0.15, 0.2)             # top of the forehead
    chin = top + fh
    # Shoulders and neck, then hair behind the head, ears, the face.
    d.ellipse((cx - w * 0.62, chin + fh * 0.18, cx + w * 0.62, chin + fh * 1.3), fill=cloth + (255,))
    d.rectangle((cx - fw * 0.2, chin - fh * 0.2, cx + fw * 0.2, chin + fh * 0.3), fill=shade + (255,))
    long_hair = rng.random() < 0.4
    d.ellipse((cx - fw * 0.62, top - fh * 0.16, cx + fw * 0.62, top + fh * (0.95 if long_hair else 0.6)), fill=hair + (255,))
    for side in (-1, 1):
        ex = cx + side * fw * 0.5
        d.ellipse((ex - fw * 0.08, top + fh * 0.38, ex + fw * 0.08, top + fh * 0.6), fill=shade + (255,))
    d.ellipse((cx - fw / 2, top, cx + fw / 2, chin), fill=skin + (255,))
    # Fringe over the forehead.
    d.chord((cx - fw * 0.56, top - fh * 0.12, cx + fw * 0.56, top + fh * rng.uniform(0.38, 0.46)), 180, 360, fill=hair + (255,))
    # Brows, eyes, nose, mouth at the usual proportions.
    eye_y = top + fh * 0.45
    gap = fw * rng.uniform(0.2, 0.23)
    ew, eh = fw * 0.16, fh * 0.055
    for side in (-1, 1):
        ex = cx + side * gap
        d.rounded_rectangle((ex - ew * 0.7, eye_y - fh * 0.12, ex + ew * 0.7, eye_y - fh * 0.085),
                            radius=fh * 0.015, fill=hair + (255,))
        d.ellipse((ex - ew / 2, eye_y - eh / 2, ex + ew / 2, eye_y + eh / 2), fill=(245, 245, 240, 255))
        d.ellipse((ex - eh * 0.55, eye_y - eh * 0.55, ex + eh * 0.55, eye_y + eh * 0.55), fill=(35, 25, 20, 255))
        d.arc((ex - ew / 2, eye_y - eh * 0.7, ex + ew / 2, eye_y + eh * 0.7), 190, 350, fill=(40, 30, 25, 255), width=2)
    nose_y = top + fh * 0.66
    d.line((cx - fw * 0.02, eye_y + fh * 0.05, cx - fw * 0.05, nose_y), fill=shade + (255,), width=3)
    d.ellipse((cx - fw * 0.09, nose_y - fh * 0.025, cx + fw * 0.09, nose_y + fh * 0.03), fill=shade + (255,))
    mouth_y = top + fh * 0.79
    mw = fw * rng.uniform(0.15, 0.2)
    d.chord((cx - mw, mouth_y - fh * 0.03, cx + mw, mouth_y + fh * 0.035), 0, 180, fill=(170, 80, 75, 255))
    d.line((cx - mw, mouth_y, cx + mw, mouth_y), fill=(120, 55, 50, 255), width=2)
    # A photo is soft, not a vector drawing.
    layer = layer.filter(ImageFilter.GaussianBlur(1.2))
    canvas.image.paste(layer, (x0, y0), layer)
    side = 1.3 * fw
    return (x0 + cx - side / 2, y0 + chin + 0.02 * fh - side, x0 + cx + side / 2, y0 + chin + 0.02 * fh)


# --- a phone photo of a card on a desk ----------------------------------------------

def on_desk(image: np.ndarray, alpha: np.ndarray, lines: list[LineTruth], d: Distortion,
            seed: int) -> tuple[np.ndarray, list[LineTruth]]:
    """Lay the card on a desk (tilted, in perspective, filling 40-80 % of a
    4:3 photo), then apply the camera's rotation, light, blur, noise and JPEG."""
    rng = np.random.default_rng([seed, 4])
    height, width = image.shape[:2]
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float64)
    theta = math.radians(d.tilt)
    rot = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    centre = np.array([width / 2, height / 2])
    dst = (corners - centre) @ rot.T + centre
    if d.perspective:
        dst += rng.uniform(-d.perspective, d.perspective, size=(4, 2)) * [width, height]
    dst -= dst.min(axis=0)
    span = dst.max(axis=0)
    card_area = cv2.contourArea(dst.astype(np.float32))
    photo_area = card_area / rng.uniform(0.4, 0.8)
    out_w = max(math.sqrt(photo_area * 4 / 3), span[0] * 1.04)
    out_h = max(out_w * 3 / 4, span[1] * 1.04)
    out_w, out_h = int(math.ceil(out_w)), int(math.ceil(out_h))
    dst += [rng.uniform(0, out_w - span[0]), rng.uniform(0, out_h - span[1])]

    h = cv2.getPerspectiveTransform(corners.astype(np.float32), dst.astype(np.float32)).astype(np.float64)
    m = _pixel_grid(h)
    card = cv2.warpPerspective(image, m, (out_w, out_h), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0)).astype(np.float32)
    cover = cv2.warpPerspective(alpha, m, (out_w, out_h), flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    desk = desk_texture(out_h, out_w, rng)
    # A soft shadow cast down-right of the card (the card is thin: a short one).
    offset = max(2.0, 0.006 * max(width, height))
    shift = np.float32([[1, 0, offset], [0, 1, offset * 1.3]])
    shadow = cv2.GaussianBlur(cv2.warpAffine(cover, shift, (out_w, out_h)), (0, 0), 2 * offset)
    desk *= (1.0 - 0.4 * shadow)[..., None]
    gains = np.float32(rng.uniform(0.82, 0.97)) * rng.uniform(0.96, 1.04, size=3).astype(np.float32)
    a = cover[..., None]
    photo = card * a * gains + (1.0 - a) * desk
    photo = np.clip(np.rint(photo), 0, 255).astype(np.uint8)

    quads = np.array([line.quad for line in lines], np.float64).reshape(-1, 4, 2)
    quads = transform_quads(quads, h)
    moved = [LineTruth(line.text, tuple((float(x), float(y)) for x, y in q)) for line, q in zip(lines, quads)]
    camera = dataclasses.replace(d, tilt=0.0, perspective=0.0, background=False)
    return apply(photo, moved, camera, seed)
