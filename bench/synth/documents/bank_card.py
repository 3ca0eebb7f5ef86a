"""The bank card (银行卡), 85.6 × 54 mm: an issuer's name and logo on a gradient or patterned
ground, a chip, the card number printed flat or embossed in metallic foil (grouped 4-4-4-4,
6-13 or 4-4-4-4-3, Luhn-valid), the holder's name in Latin and the valid-thru date."""
from __future__ import annotations

import math
import random

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from bench.synth import corpus
from bench.synth.documents.card import Canvas, DocumentSample, font, rgb
from bench.synth.fonts import truetype
from bench.synth.truth import Distortion, LineTruth
from ocr_core.checks.luhn import luhn_check_digit

CARD_MM = (85.6, 54.0)
CARD_WIDTH = 1000
SCALE = CARD_WIDTH / CARD_MM[0]            # px per mm
CARD_HEIGHT = round(CARD_MM[1] * SCALE)
CORNER_MM = 3.2

# Issuer, its colour, and the prefixes (issuer identification numbers) of its cards.
BANKS = (
    ("中国工商银行", (200, 20, 30), ("622202", "621226", "620200", "427020")),
    ("中国建设银行", (0, 70, 150), ("621700", "622700", "436742", "532458")),
    ("中国农业银行", (0, 130, 110), ("622848", "622845", "103000", "548478")),
    ("中国银行", (180, 20, 40), ("621661", "621790", "456351", "601382")),
    ("交通银行", (20, 60, 130), ("622262", "622260", "405512")),
    ("招商银行", (200, 30, 40), ("621483", "622588", "439225", "545620")),
    ("中国邮政储蓄银行", (0, 120, 70), ("621799", "622188", "621098")),
    ("上海浦东发展银行", (20, 50, 120), ("622521", "622516", "456418")),
    ("兴业银行", (10, 50, 120), ("622909", "622908", "438588")),
    ("中信银行", (190, 20, 30), ("622690", "433670", "622696")),
    ("中国民生银行", (0, 100, 160), ("622622", "415599", "421870")),
    ("平安银行", (230, 90, 20), ("622155", "622157", "531659")),
    ("中国光大银行", (100, 40, 120), ("622660", "622666", "406254")),
    ("华夏银行", (200, 30, 40), ("622630", "622632", "539867")),
)
PRODUCTS = ("借记卡", "信用卡", "储蓄卡", "金卡", "白金卡", "银联标准卡", "理财金卡", "龙卡", "金穗卡", "牡丹卡")
# Groupings of the printed number, by its length.
GROUPINGS = {16: ((4, 4, 4, 4),), 19: ((6, 13), (4, 4, 4, 4, 3))}
# Foils of embossed digits: (face, highlight) colours; and inks of flat printed digits.
FOILS = {"silver": ((196, 198, 202), (245, 246, 248)), "gold": ((200, 165, 80), (250, 225, 150)),
         "graphite": ((62, 64, 70), (205, 205, 210)), "bronze": ((128, 94, 32), (235, 205, 140))}
# The number's faces, as fontconfig family and style.
NUMBER_FONTS = (("DejaVu Sans Mono", "Bold"), ("DejaVu Sans Mono", "Book"), ("DejaVu Sans", "Bold"))


def _mm(v: float) -> float:
    return v * SCALE


def card_number(rng: random.Random, prefixes: tuple[str, ...]) -> str:
    """A Luhn-valid number of 16 or 19 digits starting with one of the issuer's prefixes
    (Visa and Mastercard prefixes, 4 and 5, are always 16 long)."""
    prefix = rng.choice(prefixes)
    length = 16 if prefix[0] in "45" or rng.random() < 0.45 else 19
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    return body + luhn_check_digit(body)


def bank_card(seed: int, *, distortion: Distortion | None = None) -> DocumentSample:
    """A bank card's face from its seed alone: dark or light ground, flat or embossed number."""
    rng = random.Random(f"bank-card-{seed}")
    bank, colour, prefixes = rng.choice(BANKS)
    number = card_number(rng, prefixes)
    grouping = rng.choice(GROUPINGS[len(number)])
    dark = rng.random() < 0.6
    embossed = rng.random() < 0.5
    canvas = Canvas(CARD_WIDTH, CARD_HEIGHT, _ground(rng, colour, dark))
    text_colour = (245, 245, 245) if dark else rgb((30, 30, 40), rng, 10)

    # Issuer's logo (a ring with a square hole, like a coin) and name, top left.
    logo_r = _mm(rng.uniform(3.4, 4.2))
    lx, ly = _mm(rng.uniform(6.0, 8.0)) + logo_r, _mm(rng.uniform(5.5, 7.5)) + logo_r
    logo_colour = (255, 255, 255) if dark else colour
    canvas.draw.ellipse((lx - logo_r, ly - logo_r, lx + logo_r, ly + logo_r), outline=logo_colour,
                        width=max(3, round(logo_r * 0.28)))
    canvas.draw.rectangle((lx - logo_r * 0.3, ly - logo_r * 0.3, lx + logo_r * 0.3, ly + logo_r * 0.3), fill=logo_colour)
    name_font = font(_mm(rng.uniform(4.2, 5.0)), bold=True, family=rng.choice(("sans", "serif")))
    canvas.text(lx + logo_r + _mm(2.0), ly + name_font.size * 0.38, bank, name_font, text_colour)
    product_font = font(_mm(rng.uniform(2.6, 3.2)))
    product = rng.choice(PRODUCTS)
    canvas.text(CARD_WIDTH - _mm(6.0) - product_font.getlength(product), ly + product_font.size * 0.4, product,
                product_font, text_colour)

    _chip(canvas, (_mm(rng.uniform(9.0, 12.0)), _mm(rng.uniform(17.5, 20.0))), rng)

    # The number: ISO/IEC 7811-1 sets the embossed line's baseline 21.42 mm above the bottom
    # edge; a printed number sits anywhere near there.
    size = round(_mm(rng.uniform(4.2, 5.0) if embossed else rng.uniform(3.6, 4.6)))
    digits_font = truetype(*(NUMBER_FONTS[0] if embossed else rng.choice(NUMBER_FONTS)), size)
    gap = _mm(rng.uniform(2.5, 4.0))
    groups, at = [], 0
    for n in grouping:
        groups.append(number[at:at + n])
        at += n
    width = sum(digits_font.getlength(g) for g in groups) + gap * (len(groups) - 1)
    x = max(_mm(4.0), (CARD_WIDTH - width) / 2 + _mm(rng.uniform(-4.0, 2.0)))
    if x + width > CARD_WIDTH - _mm(4.0):
        x = (CARD_WIDTH - width) / 2
    baseline = CARD_HEIGHT - _mm(rng.uniform(20.8, 21.8) if embossed else rng.uniform(17.5, 21.0))
    printed = " ".join(groups)
    if embossed:
        # Light cards carry dark tipping: silver on a pale ground would hardly show.
        foil = FOILS[rng.choice(("silver", "gold") if dark else ("graphite", "bronze"))]
        _emboss(canvas, x, baseline, groups, gap, digits_font, foil, rng, field="card_num")
    else:
        ink = (250, 250, 250) if dark else rgb((25, 25, 30), rng, 8)
        rects = []
        cursor = x
        for g in groups:
            rects.append(canvas.text(cursor, baseline, g, digits_font, ink, field="card_num"))
            cursor += digits_font.getlength(g) + gap
        # One printed line, as it is read: the groups with a space between.
        canvas.lines[-len(groups):] = [LineTruth(printed, _quad(_union(rects)))]

    # Valid thru and the holder's name, small below the number.
    expiry = f"{rng.randint(1, 12):02d}/{rng.randint(25, 34)}"
    small = truetype(*NUMBER_FONTS[0], round(_mm(rng.uniform(2.6, 3.0))))
    tiny = font(_mm(1.6))
    ex = CARD_WIDTH / 2 - _mm(rng.uniform(2.0, 8.0))
    row = baseline + _mm(rng.uniform(5.5, 6.5))
    canvas.text(ex - tiny.getlength("VALID THRU") - _mm(1.5), row, "VALID THRU", tiny, text_colour)
    if embossed:
        _emboss(canvas, ex, row, [expiry], 0, small, foil, rng)
    else:
        canvas.text(ex, row, expiry, small, text_colour)
    holder = corpus.pinyin(corpus.person_name(rng)).upper()
    row += _mm(rng.uniform(5.0, 6.0))
    if embossed:
        _emboss(canvas, _mm(rng.uniform(8.0, 12.0)), row, [holder], 0, small, foil, rng)
    else:
        canvas.text(_mm(rng.uniform(8.0, 12.0)), row, holder, small, text_colour)

    _network_logo(canvas, rng, number[0])
    return canvas.finish("bank_card", {"card_num": number}, distortion, seed, corner_radius=_mm(CORNER_MM))


def _ground(rng: random.Random, colour: tuple[int, int, int], dark: bool) -> np.ndarray:
    """A diagonal gradient of the issuer's colour (dark cards) or of a pale tint of it, with a
    faint pattern: waves, rings or stripes."""
    h, w = CARD_HEIGHT, CARD_WIDTH
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.array(colour, np.float32)
    if dark:
        a, b = base * rng.uniform(0.55, 0.8), base * rng.uniform(0.25, 0.45)
    else:
        a = 255 - (255 - base) * rng.uniform(0.05, 0.15)
        b = 255 - (255 - base) * rng.uniform(0.25, 0.4)
    angle = rng.uniform(0, math.pi)
    t = (xs * math.cos(angle) + ys * math.sin(angle))
    t = ((t - t.min()) / (t.max() - t.min()))[..., None]
    out = a * (1 - t) + b * t
    style = rng.choice(("waves", "rings", "stripes", "plain"))
    if style == "waves":
        f, amp = rng.uniform(0.02, 0.05), rng.uniform(20, 60)
        pattern = (np.sin(ys * f + amp * np.sin(xs * 0.006 + rng.uniform(0, 6)) * 0.05) > 0.7).astype(np.float32)
    elif style == "rings":
        cx, cy = rng.uniform(0.5, 1.0) * w, rng.uniform(0, 1) * h
        pattern = (np.sin(np.hypot(xs - cx, ys - cy) * rng.uniform(0.05, 0.1)) > 0.8).astype(np.float32)
    elif style == "stripes":
        pattern = (np.sin((xs + ys) * rng.uniform(0.03, 0.06)) > 0.85).astype(np.float32)
    else:
        pattern = np.zeros((h, w), np.float32)
    pattern = cv2.GaussianBlur(pattern, (0, 0), 1.0)[..., None]
    shift = 18.0 if dark else -14.0
    out = out + shift * pattern
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def _chip(canvas: Canvas, at: tuple[float, float], rng: random.Random) -> None:
    x, y = at
    w, h = _mm(11.0), _mm(8.5)
    gold = rgb((214, 180, 100), rng, 10)
    line = tuple(int(c * 0.7) for c in gold)
    canvas.draw.rounded_rectangle((x, y, x + w, y + h), radius=_mm(1.2), fill=gold, outline=line, width=2)
    canvas.draw.line((x + w * 0.35, y, x + w * 0.35, y + h), fill=line, width=2)
    canvas.draw.line((x + w * 0.65, y, x + w * 0.65, y + h), fill=line, width=2)
    for k in (1, 2):
        canvas.draw.line((x, y + h * k / 3, x + w * 0.35, y + h * k / 3), fill=line, width=2)
        canvas.draw.line((x + w * 0.65, y + h * k / 3, x + w, y + h * k / 3), fill=line, width=2)


def _network_logo(canvas: Canvas, rng: random.Random, first_digit: str) -> None:
    """The card network's mark, bottom right: UnionPay's three slanted bands, or a Visa-like
    word, or two overlapping discs."""
    right, bottom = CARD_WIDTH - _mm(5.0), CARD_HEIGHT - _mm(4.5)
    if first_digit == "5":
        r = _mm(4.0)
        canvas.draw.ellipse((right - 3.4 * r, bottom - 2 * r, right - 1.4 * r, bottom), fill=(230, 0, 30))
        canvas.draw.ellipse((right - 2 * r, bottom - 2 * r, right, bottom), fill=(250, 160, 20))
        return
    if first_digit == "4":
        word = font(_mm(6.0), bold=True)
        canvas.text(right - word.getlength("VISA"), bottom - _mm(1.0), "VISA", word, (30, 50, 150))
        return
    w, h = _mm(5.0), _mm(9.0)
    for k, colour in enumerate(((220, 20, 40), (0, 60, 140), (0, 140, 130))):
        x0 = right - 3 * w + k * w * 0.95
        canvas.draw.polygon(((x0 + w * 0.25, bottom - h), (x0 + w * 1.05, bottom - h), (x0 + w * 0.8, bottom),
                             (x0, bottom)), fill=colour)
    canvas.text(right - 3 * w + w * 0.35, bottom - h * 0.35, "银联", font(_mm(2.4), bold=True), (255, 255, 255))


def _emboss(canvas: Canvas, x: float, baseline: float, groups: list[str], gap: float,
            fnt: ImageFont.FreeTypeFont, foil: tuple[tuple[int, int, int], tuple[int, int, int]],
            rng: random.Random, field: str | None = None) -> None:
    """Raised characters: the foil on their face, a lit edge towards the light and a shadow on
    the far side, the light coming from one side at random; recorded as one line."""
    face, high = foil
    mask = Image.new("L", canvas.image.size, 0)
    draw = ImageDraw.Draw(mask)
    rects, cursor = [], float(x)
    for g in groups:
        box = fnt.getbbox(g, anchor="ls")
        draw.text((round(cursor), round(baseline)), g, font=fnt, fill=255, anchor="ls")
        rects.append((cursor + box[0], baseline + box[1], cursor + box[2], baseline + box[3]))
        cursor += fnt.getlength(g) + gap
    m = np.asarray(mask, np.float32) / 255.0
    # Stamped metal rounds the edges of the strokes.
    m = cv2.GaussianBlur(m, (0, 0), 0.6)
    angle = rng.uniform(0, 2 * math.pi)
    depth = max(1.5, fnt.size * 0.05)
    dx, dy = depth * math.cos(angle), depth * math.sin(angle)
    lit = _shifted(m, -dx, -dy)
    shade = _shifted(m, dx, dy)
    img = np.asarray(canvas.image, np.float32)
    img = img * (1 - 0.55 * np.clip(shade - m, 0, 1)[..., None])
    img = img * (1 - np.clip(lit - m, 0, 1)[..., None]) + np.array(high, np.float32) * np.clip(lit - m, 0, 1)[..., None]
    # The foil's face: a soft metallic sheen along the line.
    sheen = 1 + 0.12 * np.sin(np.arange(img.shape[1], dtype=np.float32) * 0.02 + rng.uniform(0, 6))[None, :, None]
    img = img * (1 - m[..., None]) + np.array(face, np.float32) * sheen * m[..., None]
    canvas.image.paste(Image.fromarray(np.clip(np.rint(img), 0, 255).astype(np.uint8)))
    rect = _union(rects)
    canvas.lines.append(LineTruth(" ".join(groups), _quad(rect)))
    if field:
        canvas.mark(field, rect)


def _shifted(mask: np.ndarray, dx: float, dy: float) -> np.ndarray:
    return cv2.warpAffine(mask, np.float32([[1, 0, dx], [0, 1, dy]]), (mask.shape[1], mask.shape[0]))


def _quad(rect: tuple[float, float, float, float]):
    x0, y0, x1, y1 = rect
    return (x0, y0), (x1, y0), (x1, y1), (x0, y1)


def _union(rects):
    return (min(r[0] for r in rects), min(r[1] for r in rects), max(r[2] for r in rects), max(r[3] for r in rects))
