"""Machine-printed taxi invoices (出租汽车专用发票): narrow thermal-printed receipts, one to
four lying on a desk, each turned its own way, with per receipt its outline, how it must be
turned to stand upright, and each printed value with its box."""
from __future__ import annotations

import dataclasses
import math
import random
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import ImageFont

from bench.synth.distort import _pixel_grid, apply, desk_texture, transform_quads
from bench.synth.documents.card import Canvas, DocumentSample, font, rgb
from bench.synth.fonts import truetype
from bench.synth.render import to_bgr
from bench.synth.truth import Distortion, LineTruth, Quad

CITIES = (("北京市", "010", "BCEFGHJKLMNPQ"), ("上海市", "021", "ABDEFGHJKL"), ("天津市", "022", "ABCEFGHJMNQ"),
          ("重庆市", "023", "ABCDFGH"), ("广州市", "020", "A"), ("深圳市", "0755", "B"), ("杭州市", "0571", "A"),
          ("南京市", "025", "A"), ("成都市", "028", "A"), ("武汉市", "027", "A"))
RECEIPT_WIDTH = 320
# Printed values in print order: the label, and the value's maker.
LABELS = ("发票代码", "发票号码", "电话", "车号", "证号", "日期", "上车", "下车", "单价", "里程", "等候", "金额")
PLATE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"


@dataclass(frozen=True)
class ItemTruth:
    label: str      # the printed label the value follows (发票代码, 车号, ...)
    txt: str        # the value as printed, as the service answers it
    quad: Quad      # its ink in the final picture, tl first as it is read


@dataclass(frozen=True)
class ReceiptTruth:
    box: Quad                  # the receipt's outline in the final picture, tl of the upright receipt first
    rotate_type: int           # the reference's: clockwise quarter turns that make it upright (0-3)
    items: tuple[ItemTruth, ...]


@dataclass
class TaxiInvoiceSample(DocumentSample):
    """A desk with taxi receipts; `receipts` is the truth, in the order they lie left to right."""

    receipts: list[ReceiptTruth] = field(default_factory=list)


def photographed_receipts(seed: int) -> Distortion:
    """A phone photo of the receipts on the desk: a little perspective, blur, noise, light, JPEG.
    (Each receipt has its own turn and tilt; the camera adds none.)"""
    rng = random.Random(f"taxi-photo-{seed}")
    # The ranges of `photographed_card`, the phone photo of the other documents.
    return Distortion(perspective=round(rng.uniform(0.01, 0.06), 3), blur=round(rng.uniform(0.0, 1.2), 2),
                      noise=round(rng.uniform(0.0, 5.0), 2), jpeg_quality=rng.randint(50, 85), background=True,
                      light=round(rng.uniform(0.0, 0.5), 2))


def receipt_values(rng: random.Random) -> tuple[str, dict[str, str]]:
    """A receipt's city title and its printed values by label."""
    city, area, letters = rng.choice(CITIES)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    start = rng.randint(6 * 60, 22 * 60)
    minutes = rng.randint(5, 70)
    end = start + minutes
    km = round(rng.uniform(1.0, 40.0), 1)
    price = rng.choice((2.3, 2.5, 2.6, 2.8, 3.0, 3.2))
    wait = rng.randint(0, 900)
    fare = round(max(13.0, 13 + (km - 3) * price) + wait / 300 * price, 1)
    values = {
        "发票代码": f"1{rng.randint(10, 65)}{rng.randint(0, 10**9 - 1):09d}",
        "发票号码": f"{rng.randint(0, 10**8 - 1):08d}",
        "电话": f"{area}-{rng.randint(2, 9)}{rng.randint(0, 10**6 - 1):06d}{rng.randint(0, 9) if len(area) == 3 else ''}",
        "车号": f"{rng.choice(letters)}-" + "".join(rng.choice(PLATE_CHARS) for _ in range(5)),
        "证号": f"{rng.randint(100000, 999999)}",
        "日期": f"{rng.randint(2019, 2026)}-{month:02d}-{day:02d}",
        "上车": f"{start // 60:02d}:{start % 60:02d}",
        "下车": f"{end // 60 % 24:02d}:{end % 60:02d}",
        "单价": f"{price:.2f}元",
        "里程": f"{km:.1f}km",
        "等候": f"{wait // 3600:02d}:{wait // 60 % 60:02d}:{wait % 60:02d}",
        "金额": f"¥{fare:.2f}",
    }
    return city, values


def draw_receipt(rng: random.Random) -> tuple[np.ndarray, list[LineTruth], list[tuple[str, str, Quad]]]:
    """One upright receipt: its picture (BGR), every printed line, and each value (label, txt, box)."""
    city, values = receipt_values(rng)
    label_font = font(rng.uniform(19, 22))
    value_font = _thermal_font(int(rng.uniform(20, 23)))
    step = rng.uniform(34, 38)
    height = int(130 + step * len(LABELS) + rng.uniform(20, 50))
    paper = rgb((248, 246, 240), rng, 6)
    canvas = Canvas(RECEIPT_WIDTH, height, np.full((height, RECEIPT_WIDTH, 3), paper, np.uint8))
    # The pre-printed header is red on some rolls, the thermal print greyish black.
    header = rgb((200, 40, 40), rng, 15) if rng.random() < 0.5 else rgb((40, 40, 40), rng, 10)
    ink = rgb((55, 55, 60), rng, 15)
    title_font = font(22, bold=True)
    for k, text in enumerate((f"{city}出租汽车", "专用发票")):
        width = title_font.getlength(text)
        canvas.text((RECEIPT_WIDTH - width) / 2, 42 + 32 * k, text, title_font, header)
    if header[0] > 150 and rng.random() < 0.6:
        canvas.draw.rounded_rectangle((14, 12, RECEIPT_WIDTH - 14, 94), radius=8, outline=header, width=2)
    if rng.random() < 0.4:
        _stamp(canvas, rng)
    left, right = rng.uniform(18, 26), RECEIPT_WIDTH - rng.uniform(18, 26)
    items = []
    baseline = 130.0
    for label in LABELS:
        canvas.text(left, baseline, label, label_font, ink)
        value = values[label]
        x = right - value_font.getlength(value)
        rect = canvas.text(x, baseline, value, value_font, ink, field=label)
        items.append((label, value, rect))
        baseline += step
    image = to_bgr(canvas.image)
    # Thermal print fades unevenly along the roll, and a worn dot of the head leaves a pale stripe.
    fade = np.linspace(rng.uniform(0.0, 0.25), rng.uniform(0.0, 0.25), height, dtype=np.float32)[:, None, None]
    fade = np.repeat(fade, RECEIPT_WIDTH, axis=1)
    for _ in range(rng.randint(0, 2)):
        x = rng.randint(0, RECEIPT_WIDTH - 3)
        fade[:, x:x + rng.randint(1, 2)] = rng.uniform(0.3, 0.5)
    image = np.clip(image + (255 - image.astype(np.float32)) * fade * (image < 200), 0, 255).astype(np.uint8)
    boxes = [(label, value, ((r[0], r[1]), (r[2], r[1]), (r[2], r[3]), (r[0], r[3]))) for label, value, r in items]
    return image, canvas.lines, boxes


def _stamp(canvas: Canvas, rng: random.Random) -> None:
    """The tax office's red oval seal printed in the header, over the title's end."""
    cx, cy = RECEIPT_WIDTH * rng.uniform(0.65, 0.8), rng.uniform(50, 70)
    red = rgb((215, 50, 50), rng, 15)
    canvas.draw.ellipse((cx - 48, cy - 32, cx + 48, cy + 32), outline=red, width=3)
    small = font(11)
    text = "发票专用章"
    canvas.draw.text((cx - small.getlength(text) / 2, cy + 16), text, font=small, fill=red, anchor="ls")


def _thermal_font(size: int) -> ImageFont.FreeTypeFont:
    """A thermal printer's monospace face with Chinese and ¥ (Noto Sans Mono CJK SC, found by fontconfig)."""
    return truetype("Noto Sans Mono CJK SC", "Regular", size)


def taxi_invoices(seed: int, *, distortion: Distortion | None = None, count: int | None = None,
                  turns: tuple[int, ...] | None = None) -> TaxiInvoiceSample:
    """One to four receipts (or `count`, or one per entry of `turns`) on a desk, each turned
    0/90/180/270 (clockwise; random unless `turns` says) and tilted a little, flat (the default)
    or photographed (`photographed_receipts`)."""
    rng = random.Random(f"taxi-{seed}")
    nrng = np.random.default_rng([seed, 11])
    d = distortion or Distortion()
    n = len(turns) if turns else count or rng.choice((1, 2, 2, 3, 3, 4))
    # A phone keeps all the receipts in view: smaller print than a flat scan's.
    zoom = rng.uniform(0.65, 1.0) if d.background else 1.0
    drawn = [draw_receipt(rng) for _ in range(n)]
    chosen = [rng.choice((0, 0, 0, 180, 90, 270)) for _ in range(n)]
    turns = turns or tuple(chosen)
    tilts = [rng.uniform(-8, 8) for _ in range(n)]
    # One cell per receipt, side by side, each wide enough for the receipt at any angle.
    cell = max(math.hypot(*img.shape[:2]) for img, _, _ in drawn) * 1.02 * zoom
    columns = n if n < 4 else 2
    rows = math.ceil(n / columns)
    margin = 0.08 * cell
    out_w, out_h = int(columns * cell + 2 * margin), int(rows * cell + 2 * margin)
    scene = desk_texture(out_h, out_w, nrng)
    gains = np.float32(rng.uniform(0.85, 0.98))
    lines: list[LineTruth] = []
    receipts = []
    for k, ((image, printed, items), turn, tilt) in enumerate(zip(drawn, turns, tilts)):
        h, w = image.shape[:2]
        cx = margin + (k % columns + 0.5) * cell + rng.uniform(-0.02, 0.02) * cell
        cy = margin + (k // columns + 0.5) * cell + rng.uniform(-0.02, 0.02) * cell
        angle = turn + tilt
        theta = math.radians(angle)
        c, s = zoom * math.cos(theta), zoom * math.sin(theta)
        # Clockwise on screen (y down) about the receipt's centre, then to its place.
        m = np.array([[c, -s, cx - c * w / 2 + s * h / 2], [s, c, cy - s * w / 2 - c * h / 2], [0, 0, 1]])
        grid = _pixel_grid(m)[:2]
        warped = cv2.warpAffine(image, grid, (out_w, out_h), flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0)).astype(np.float32)
        cover = cv2.warpAffine(np.ones((h, w), np.float32), grid, (out_w, out_h), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=0)[..., None]
        scene = warped * gains + (1 - cover) * scene
        # Tracked through the camera as lines: the receipt's printed lines, its outline, its values.
        tracked = [*printed, LineTruth("", ((0, 0), (w, 0), (w, h), (0, h))),
                   *(LineTruth(label, q) for label, _, q in items)]
        quads = transform_quads(np.array([line.quad for line in tracked], np.float64), m)
        lines += [LineTruth(line.text, tuple(map(tuple, q))) for line, q in zip(tracked, quads)]
        receipts.append((len(printed), angle, [(label, txt) for label, txt, _ in items]))
    image = np.clip(np.rint(scene), 0, 255).astype(np.uint8)
    if d.perspective:
        corners = np.array([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]], np.float64)
        inward = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]], np.float64)
        dst = corners + inward * nrng.uniform(0, d.perspective, size=(4, 2)) * [out_w, out_h]
        hom = cv2.getPerspectiveTransform(corners.astype(np.float32), dst.astype(np.float32)).astype(np.float64)
        image = cv2.warpPerspective(image, _pixel_grid(hom), (out_w, out_h), flags=cv2.INTER_LINEAR,
                                    borderMode=cv2.BORDER_REPLICATE)
        quads = transform_quads(np.array([line.quad for line in lines], np.float64), hom)
        lines = [LineTruth(line.text, tuple(map(tuple, q))) for line, q in zip(lines, quads)]
    camera = dataclasses.replace(d, tilt=0.0, perspective=0.0, background=False)
    image, lines = apply(image, lines, camera, seed)
    truth, printed_lines, cursor = [], [], 0
    for printed_count, angle, items in receipts:
        printed_lines += lines[cursor:cursor + printed_count]
        box = lines[cursor + printed_count].quad
        boxes = lines[cursor + printed_count + 1:cursor + printed_count + 1 + len(items)]
        cursor += printed_count + 1 + len(items)
        # The reference's rotate_type: how far to turn clockwise for the receipt to stand upright.
        rotate_type = round(((-(angle + d.rotate)) % 360) / 90) % 4
        truth.append(ReceiptTruth(box, rotate_type, tuple(ItemTruth(label, txt, b.quad)
                                                          for (label, txt), b in zip(items, boxes))))
    boxes = {f"receipt{k}": r.box for k, r in enumerate(truth)}
    return TaxiInvoiceSample(kind="taxi_invoice", image=image, fields={}, boxes=boxes, lines=printed_lines,
                             distortion=d, seed=seed, receipts=truth)
