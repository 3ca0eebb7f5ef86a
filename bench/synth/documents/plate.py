"""Street pictures with Chinese number plates (GA 36): cars on a road under buildings, trees
and sky, with signs and coloured panels that are not plates, each plate's text and corners as truth.

    scene = plate_scene(7, distortion=photographed_street(7))
    scene.image, [(p.txt, p.colour, p.quad) for p in scene.plates], scene.encode("jpg")
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw

from bench.synth import corpus
from bench.synth.distort import apply
from bench.synth.fonts import truetype
from bench.synth.render import load_font
from bench.synth.truth import Distortion, LineTruth, Quad, Sample

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"          # plates never use I or O
DIGITS = "0123456789"
COLOURS = ("blue", "yellow", "green", "white", "black")
# Plate ground and character colours (RGB), and the rim drawn round the plate.
_GROUND = {"blue": (18, 62, 170), "yellow": (245, 190, 20), "white": (240, 240, 236), "black": (18, 18, 20)}
_INK = {"blue": (245, 245, 245), "yellow": (15, 15, 15), "green": (15, 15, 15), "white": (15, 15, 15),
        "black": (245, 245, 245)}
_RIM = {"blue": (235, 235, 235), "yellow": (15, 15, 15), "green": (40, 40, 40), "white": (15, 15, 15),
        "black": (235, 235, 235)}
# The alphanumerics' face: a bold condensed sans, the nearest installed to the plate's own.
_LATIN_FONT = ("DejaVu Sans Condensed", "Bold")   # fontconfig family and style (fonts-dejavu-extra)


@dataclass(frozen=True)
class PlateTruth:
    txt: str
    colour: str
    quad: Quad          # the plate's outer corners in the picture: tl, tr, br, bl


@dataclass
class PlateScene:
    """A street picture and the plates in it."""
    image: np.ndarray   # BGR uint8
    plates: list[PlateTruth]
    distortion: Distortion
    seed: int

    def encode(self, fmt: str = "png") -> bytes:
        return Sample(self.image, [], self.distortion, self.seed).encode(fmt)

    @property
    def text(self) -> str:
        """The plates' numbers, one a line (what bench.accuracy writes beside a failed picture)."""
        return "\n".join(p.txt for p in self.plates)


def photographed_street(seed: int) -> Distortion:
    """A phone or roadside camera's picture of the street: soft, noisy, unevenly lit, JPEG."""
    rng = random.Random(seed)
    return Distortion(blur=round(rng.uniform(0.3, 1.3), 2), noise=round(rng.uniform(0.0, 6.0), 2),
                      jpeg_quality=rng.randint(45, 85), light=round(rng.uniform(0.0, 0.5), 2))


def plate_number(rng: random.Random, colour: str) -> str:
    """A number the colour allows: province, letter, then five characters (at most two letters),
    or six for a green new-energy plate (D/F then five); police (white) plates end in 警,
    some coach (yellow) plates in 学, some Hong Kong/Macau (black) plates in 港/澳."""
    head = rng.choice(PROVINCES) + rng.choice(LETTERS)
    if colour == "green":
        if rng.random() < 0.7:   # small car: D/F, then a letter or digit, then four digits
            return head + rng.choice("DF") + rng.choice(LETTERS + DIGITS * 2) + "".join(rng.choices(DIGITS, k=4))
        return head + "".join(rng.choices(DIGITS, k=5)) + rng.choice("DF")
    if colour == "white":
        return head + "".join(rng.choices(DIGITS, k=4)) + "警"
    if colour == "yellow" and rng.random() < 0.2:
        return head + "".join(rng.choices(DIGITS, k=4)) + "学"
    if colour == "black" and rng.random() < 0.4:
        return head + "".join(rng.choices(DIGITS, k=4)) + rng.choice("港澳")
    letters = set(rng.sample(range(5), rng.choice((0, 0, 1, 1, 2))))
    return head + "".join(rng.choice(LETTERS) if i in letters else rng.choice(DIGITS) for i in range(5))


# Special plates (new kinds: existing seeds' pictures unchanged): embassy 使 + six digits (black),
# consulate 领 at the end (black), coach 学 (yellow), trailer 挂 (yellow), police 警 (white),
# Hong Kong/Macau 港/澳 (black).
SPECIAL_KINDS = ("使", "领", "学", "挂", "警", "港", "澳")


def special_plate_number(rng: random.Random, kind: str) -> tuple[str, str]:
    """A special plate's number and colour: `kind` is one of SPECIAL_KINDS."""
    if kind == "使":
        return "使" + "".join(rng.choices(DIGITS, k=6)), "black"
    head = rng.choice(PROVINCES) + rng.choice(LETTERS)
    colour = {"学": "yellow", "挂": "yellow", "警": "white"}.get(kind, "black")
    return head + "".join(rng.choices(DIGITS, k=4)) + kind, colour


def plate_crop(seed: int, *, colour: str | None = None, kind: str | None = None,
               width: int | None = None) -> PlateScene:
    """A picture that is a plate and nothing else (a bare crop, as plate datasets ship them, e.g.
    94 × 24): of `colour`, or a special plate of `kind`, a few pixels of margin, slightly soft."""
    rng = random.Random(seed)
    if kind is not None:
        txt, colour = special_plate_number(rng, kind)
    else:
        colour = colour or rng.choice(COLOURS)
        txt = plate_number(rng, colour)
    face = render_plate(txt, colour, scale=2.0, rng=rng)
    width = width or rng.choice((94, 120, 160, 220))
    height = round(width * face.shape[0] / face.shape[1])
    small = cv2.resize(face, (width, height), interpolation=cv2.INTER_AREA)
    image = cv2.cvtColor(cv2.GaussianBlur(small, (0, 0), 0.4), cv2.COLOR_RGB2BGR)
    quad = ((0.0, 0.0), (float(width), 0.0), (float(width), float(height)), (0.0, float(height)))
    return PlateScene(image, [PlateTruth(txt, colour, quad)], Distortion(), seed)


def render_two_row_plate(txt: str, colour: str, scale: float, rng: random.Random) -> np.ndarray:
    """A motorcycle's or a lorry's rear plate face-on, `scale` px per mm: 220 × 140 mm, the
    province and letter in a short upper row, the five characters of the serial below, RGB."""
    w, h = round(220 * scale), round(140 * scale)
    plate = np.empty((h, w, 3), np.float32)
    plate[:] = np.float32(_GROUND[colour]) + np.float32(rng.uniform(-8, 8))
    img = Image.fromarray(np.clip(plate, 0, 255).astype(np.uint8))
    rim = max(1, round(3 * scale))
    ImageDraw.Draw(img).rounded_rectangle((rim, rim, w - 1 - rim, h - 1 - rim), radius=round(8 * scale),
                                          outline=_RIM[colour], width=rim)
    ink = np.array(img, np.float32)
    for row, chars, top, char_h, char_w, gap in ((0, txt[:2], 10, 36, 30, 20), (1, txt[2:], 58, 70, 34, 6)):
        total = len(chars) * char_w + (len(chars) - 1) * gap
        x = (220 - total) / 2
        for ch in chars:
            glyph = _glyph(ch, round(char_h * scale)).astype(np.float32) / 255
            gx = round((x + (char_w - glyph.shape[1] / scale) / 2) * scale)
            region = ink[round(top * scale):round(top * scale) + glyph.shape[0], gx:gx + glyph.shape[1]]
            a = glyph[:region.shape[0], :region.shape[1], None]
            region[:] = region * (1 - a) + np.float32(_INK[colour]) * a
            x += char_w + gap
    return np.clip(ink, 0, 255).astype(np.uint8)


def two_row_plate_scene(seed: int, *, colour: str = "yellow", distortion: Distortion | None = None) -> PlateScene:
    """A street with one motorcycle plate in two rows (a new kind: other seeds unchanged)."""
    rng = random.Random(f"two-row-{seed}")
    txt = plate_number(rng, "blue")[:7]
    return plate_scene(seed, distortion=distortion, colours=(colour,), _numbers=(txt,), _two_row=True)


def special_plate_scene(seed: int, kind: str, *, distortion: Distortion | None = None) -> PlateScene:
    """A street with one car whose plate is a special one of `kind` (SPECIAL_KINDS)."""
    rng = random.Random(seed * 7919 + SPECIAL_KINDS.index(kind))
    txt, colour = special_plate_number(rng, kind)
    return plate_scene(seed, distortion=distortion, colours=(colour,), _numbers=(txt,))


@lru_cache(maxsize=256)
def _glyph(ch: str, height: int) -> np.ndarray:
    """The ink of one character, cropped and scaled to the plate's character height (alpha, 0..255).
    Plate characters are tall and narrow: the glyph is stretched to the box, keeping `1` narrow."""
    cjk = not ch.isascii()
    fnt = load_font("sans", 200, bold=True) if cjk else truetype(*_LATIN_FONT, 200)
    mask = Image.new("L", (300, 300), 0)
    ImageDraw.Draw(mask).text((150, 150), ch, font=fnt, fill=255, anchor="mm")
    box = mask.getbbox()
    ink = np.asarray(mask.crop(box))
    width = round(height * 0.5)
    w = min(width, max(2, round(ink.shape[1] * height / ink.shape[0] * (1.0 if cjk else 0.78))))
    return cv2.resize(ink, (w, height), interpolation=cv2.INTER_AREA)


def render_plate(txt: str, colour: str, scale: float, rng: random.Random) -> np.ndarray:
    """The plate face-on, `scale` px per mm: 440 × 140 mm (green: 480 × 140), RGB."""
    green = colour == "green"
    width_mm = 480 if green else 440
    w, h = round(width_mm * scale), round(140 * scale)
    if green:   # new-energy plates fade from pale green at the top to green at the bottom
        t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
        top, bottom = np.float32([226, 244, 226]), np.float32([64, 178, 96])
        plate = np.broadcast_to(top * (1 - t) + bottom * t, (h, w, 3)).copy()
    else:
        plate = np.empty((h, w, 3), np.float32)
        plate[:] = np.float32(_GROUND[colour])
    plate += np.float32(rng.uniform(-8, 8))
    img = Image.fromarray(np.clip(plate, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    rim = max(1, round(3 * scale))
    draw.rounded_rectangle((rim, rim, w - 1 - rim, h - 1 - rim), radius=round(8 * scale), outline=_RIM[colour],
                           width=rim)
    # GA 36: characters 45 × 90 mm with 12 mm gaps (new energy: 43 mm, 9 mm), 34 mm (17) round the dot.
    char_w, gap, dot_gap = (43, 9, 17) if green else (45, 12, 34)
    total = len(txt) * char_w + (len(txt) - 2) * gap + dot_gap
    x = (width_mm - total) / 2
    ink = np.array(img, np.float32)
    for i, ch in enumerate(txt):
        fill = (200, 20, 20) if ch == "警" else _INK[colour]
        glyph = _glyph(ch, round(90 * scale)).astype(np.float32) / 255
        gx = round((x + (char_w - glyph.shape[1] / scale) / 2) * scale)
        gy = round(25 * scale)
        region = ink[gy:gy + glyph.shape[0], gx:gx + glyph.shape[1]]
        a = glyph[:region.shape[0], :region.shape[1], None]
        region[:] = region * (1 - a) + np.float32(fill) * a
        x += char_w + (dot_gap if i == 1 else gap)
        if i == 1:   # the separator dot, centred in its gap
            cx, cy, r = (x - dot_gap / 2) * scale, 70 * scale, 5 * scale
            cv2.circle(ink, (round(cx), round(cy)), max(1, round(r)), _INK[colour], -1, cv2.LINE_AA)
    return np.clip(ink, 0, 255).astype(np.uint8)


def plate_scene(seed: int, *, distortion: Distortion | None = None, count: int | None = None,
                colours: tuple[str, ...] | None = None, _numbers: tuple[str, ...] | None = None,
                _two_row: bool = False) -> PlateScene:
    """A street with `count` (1-3) cars, each with a plate of a random colour (or `colours[i]`)."""
    rng = random.Random(seed)
    d = distortion or Distortion()
    if count is None:
        count = len(colours) if colours else rng.choice((1, 2, 2, 3))
    width, height = rng.choice(((1280, 800), (1200, 900), (1024, 768), (1400, 900)))
    img = Image.fromarray(_street(width, height, rng))
    draw = ImageDraw.Draw(img)
    _buildings(draw, width, height, rng)
    _trees(draw, width, height, rng)
    _signs(draw, width, height, rng)
    _clutter(draw, width, height, rng)
    scene = np.array(img)
    plates, drawn, cars = [], [], []
    for n in range(count):
        colour = colours[n] if colours else rng.choice(COLOURS)
        txt = plate_number(rng, colour)
        if _numbers:   # a special plate's number instead (the draw above kept, so seeds agree)
            txt = _numbers[n]
        place = _free_place(cars, width, height, count, rng)
        if place is None:
            continue
        (cx, cy, plate_w), car = place
        cars.append(car)
        _car(scene, car, rng)
        if _two_row:
            plate_w *= 0.6
            face = render_two_row_plate(txt, colour, scale=plate_w / 220 * 2.0, rng=rng)
        else:
            face = render_plate(txt, colour, scale=plate_w / 440 * 2.0, rng=rng)
        quad = _place(scene, face, (cx, cy), plate_w * (480 / 440 if colour == "green" else 1.0), rng)
        plates.append(LineTruth(txt, quad))
        drawn.append(colour)
    image, moved = apply(cv2.cvtColor(scene, cv2.COLOR_RGB2BGR), plates, d, seed)
    truth = [PlateTruth(line.text, colour, line.quad) for line, colour in zip(moved, drawn)]
    return PlateScene(image, truth, d, seed)


# --- the street ---------------------------------------------------------------------

def _street(width: int, height: int, rng: random.Random) -> np.ndarray:
    """Sky above, asphalt below with lane markings, as RGB."""
    img = np.empty((height, width, 3), np.float32)
    horizon = int(height * rng.uniform(0.35, 0.5))
    t = np.linspace(0, 1, horizon, dtype=np.float32)[:, None, None]
    sky_top = np.float32(rng.choice(((120, 170, 225), (190, 200, 210), (150, 190, 235))))
    img[:horizon] = sky_top * (1 - t) + np.float32([225, 232, 240]) * t
    grey = rng.uniform(70, 115)
    img[horizon:] = np.float32([grey, grey, grey + 3])
    noise = np.random.default_rng(rng.randrange(2 ** 32)).normal(0, 6, (height - horizon, width, 1))
    img[horizon:] += noise.astype(np.float32)
    out = np.clip(img, 0, 255).astype(np.uint8)
    for k in range(rng.randint(2, 4)):   # dashed lane lines, white or yellow
        y = int(horizon + (height - horizon) * rng.uniform(0.15, 0.95))
        colour = rng.choice(((235, 235, 235), (230, 190, 40)))
        x = rng.uniform(-100, 0)
        while x < width:
            length = rng.uniform(60, 160)
            cv2.rectangle(out, (int(x), y), (int(x + length), y + rng.randint(6, 12)), colour, -1)
            x += length + rng.uniform(60, 140)
    return out


def _buildings(draw: ImageDraw.ImageDraw, width: int, height: int, rng: random.Random) -> None:
    x = rng.uniform(-60, 0)
    while x < width:
        w = rng.uniform(150, 380)
        top = height * rng.uniform(0.05, 0.3)
        bottom = height * rng.uniform(0.42, 0.55)
        wall = rng.choice(((215, 200, 175), (170, 170, 170), (160, 85, 60), (230, 225, 215), (120, 130, 140)))
        draw.rectangle((x, top, x + w, bottom), fill=wall)
        glass = rng.choice(((60, 90, 120), (40, 50, 60), (150, 180, 200)))
        for wy in np.arange(top + 15, bottom - 30, rng.uniform(35, 55)):
            for wx in np.arange(x + 12, x + w - 30, rng.uniform(30, 50)):
                draw.rectangle((wx, wy, wx + 18, wy + 22), fill=glass)
        x += w + rng.uniform(0, 40)


def _trees(draw: ImageDraw.ImageDraw, width: int, height: int, rng: random.Random) -> None:
    for _ in range(rng.randint(2, 6)):
        x, y = rng.uniform(0, width), height * rng.uniform(0.25, 0.45)
        draw.rectangle((x - 6, y, x + 6, y + height * 0.15), fill=(90, 60, 40))
        for _ in range(5):
            r = rng.uniform(30, 70)
            ox, oy = rng.uniform(-40, 40), rng.uniform(-50, 10)
            draw.ellipse((x + ox - r, y + oy - r, x + ox + r, y + oy + r),
                         fill=(rng.randint(30, 70), rng.randint(100, 150), rng.randint(30, 60)))


def _signs(draw: ImageDraw.ImageDraw, width: int, height: int, rng: random.Random) -> None:
    """Road signs, shop boards and plain coloured panels: rectangles with or without text that
    are not plates, some of a plate's colour and shape."""
    for _ in range(rng.randint(2, 5)):
        w = rng.uniform(120, 320)
        h = w / rng.uniform(1.5, 4.5)
        x, y = rng.uniform(0, width - w), height * rng.uniform(0.05, 0.4)
        ground = rng.choice(((25, 70, 160), (245, 195, 30), (30, 140, 70), (240, 240, 240), (20, 20, 20),
                             (200, 40, 40)))
        draw.rectangle((x, y, x + w, y + h), fill=ground)
        if rng.random() < 0.7:
            ink = (20, 20, 20) if sum(ground) > 450 else (245, 245, 245)
            text = rng.choice((corpus.road(rng), corpus.company_name(rng)[:6], "停车场", "限速40", "出口 EXIT",
                               "P 2小时", "单行道"))
            size = int(h * 0.45)
            fnt = load_font("sans", max(10, size), bold=True)
            while fnt.getlength(text) > w * 0.9 and size > 10:
                size -= 2
                fnt = load_font("sans", size, bold=True)
            draw.text((x + w / 2, y + h / 2), text, font=fnt, fill=ink, anchor="mm")


def _clutter(draw: ImageDraw.ImageDraw, width: int, height: int, rng: random.Random) -> None:
    """Poles, cones, bins, passers-by and litter: shapes of any colour anywhere."""
    for _ in range(rng.randint(4, 12)):
        colour = tuple(rng.randrange(256) for _ in range(3))
        x, y = rng.uniform(0, width), rng.uniform(0.2 * height, height)
        size = rng.uniform(8, 60)
        kind = rng.randrange(4)
        if kind == 0:      # a pole
            draw.rectangle((x, y - 4 * size, x + size / 6, y), fill=colour)
        elif kind == 1:    # a cone
            draw.polygon(((x, y - size), (x - size / 3, y), (x + size / 3, y)), fill=colour)
        elif kind == 2:    # a bin, a bag, a passer-by
            draw.ellipse((x, y - size, x + size * rng.uniform(0.4, 1.2), y), fill=colour)
        else:              # a stripe, a wire, a crack
            draw.line((x, y, x + rng.uniform(-150, 150), y + rng.uniform(-40, 40)), fill=colour,
                      width=rng.randint(1, 4))


def _free_place(cars: list[tuple[float, float, float, float]], width: int, height: int, count: int,
                rng: random.Random) -> tuple[tuple[float, float, float], tuple[float, float, float, float]] | None:
    """Where the next car stands, clear of the others (no plate is hidden): its plate's centre and
    width, and the car's box (x0, y0, x1, y1)."""
    for _ in range(60):
        plate_w = rng.uniform(90, min(220, width / (count * 3.2)) if count > 1 else 220)
        w, h = plate_w * rng.uniform(3.4, 4.0), plate_w * rng.uniform(2.0, 2.4)
        cx = rng.uniform(plate_w * 0.8, width - plate_w * 0.8)
        cy = height * rng.uniform(0.66, 0.88)
        box = (cx - w / 2, cy - h * 0.62, cx + w / 2, cy + h * 0.5)
        if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in cars):
            return (cx, cy, plate_w), box
    return None


def _car(scene: np.ndarray, box: tuple[float, float, float, float], rng: random.Random) -> None:
    """The back of a car round where its plate will be: body, rear window, lights, bumper, wheels."""
    body = rng.choice(((235, 235, 235), (25, 25, 28), (170, 172, 176), (160, 25, 25), (30, 60, 150),
                       (230, 180, 30), (60, 120, 70), (110, 80, 50)))
    x0, y0 = box[0], box[1]
    w, h = box[2] - box[0], (box[3] - box[1]) / 1.12
    for sx in (x0 + w * 0.16, x0 + w * 0.84):
        cv2.ellipse(scene, (int(sx), int(y0 + h)), (int(w * 0.09), int(h * 0.14)), 0, 0, 360, (15, 15, 15), -1)
    cv2.rectangle(scene, (int(x0), int(y0 + h * 0.25)), (int(x0 + w), int(y0 + h * 0.95)), body, -1)
    cv2.rectangle(scene, (int(x0 + w * 0.12), int(y0)), (int(x0 + w * 0.88), int(y0 + h * 0.3)), body, -1)
    cv2.rectangle(scene, (int(x0 + w * 0.18), int(y0 + h * 0.04)), (int(x0 + w * 0.82), int(y0 + h * 0.26)),
                  (50, 60, 70), -1)
    for lx in (x0 + w * 0.03, x0 + w * 0.83):
        cv2.rectangle(scene, (int(lx), int(y0 + h * 0.35)), (int(lx + w * 0.14), int(y0 + h * 0.47)), (190, 30, 30), -1)
    shade = tuple(max(0, c - 40) for c in body)
    cv2.rectangle(scene, (int(x0), int(y0 + h * 0.8)), (int(x0 + w), int(y0 + h * 0.95)), shade, -1)


def _place(scene: np.ndarray, face: np.ndarray, centre: tuple[float, float], width: float,
           rng: random.Random) -> Quad:
    """Paste the plate seen at a slight angle: tilted a few degrees, its corners jittered."""
    h, w = face.shape[:2]
    height = width * h / w
    angle = math.radians(rng.uniform(-5, 5))
    c, s = math.cos(angle), math.sin(angle)
    corners = []
    for dx, dy in ((-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)):
        x, y = dx * width, dy * height
        jitter = 0.05 * height
        corners.append((centre[0] + c * x - s * y + rng.uniform(-jitter, jitter),
                        centre[1] + s * x + c * y + rng.uniform(-jitter, jitter)))
    # A plate seen from one side is shorter on the far edge.
    squeeze = rng.uniform(-0.06, 0.06) * height
    corners[1] = (corners[1][0], corners[1][1] + squeeze)
    corners[2] = (corners[2][0], corners[2][1] - squeeze)
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    m = cv2.getPerspectiveTransform(src, np.float32(corners))
    sh, sw = scene.shape[:2]
    warped = cv2.warpPerspective(face, m, (sw, sh), flags=cv2.INTER_AREA)
    cover = cv2.warpPerspective(np.ones((h, w), np.float32), m, (sw, sh), flags=cv2.INTER_LINEAR)[..., None]
    scene[:] = np.clip(scene * (1 - cover) + warped * cover, 0, 255).astype(np.uint8)
    return tuple((float(x), float(y)) for x, y in corners)
