"""Vehicle identification numbers (VIN, 车辆识别代号) as they are photographed: stamped into a
metal plate (the VIN alone, or the maker's nameplate with its other lines), or printed on a
line of a document among other lines. Chinese and North American VINs carry the ISO 3779
check digit in position 9; European and Japanese ones need not."""
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
from ocr_core.checks.vin import vin_check_digit

VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"   # never I, O or Q
# World manufacturer identifiers without a mandatory check digit (Germany, France, Italy,
# Sweden, Czechia, the UK, Japan, Korea).
UNCHECKED_MAKERS = ("WVW", "WBA", "WDD", "WAU", "VF1", "VF3", "ZFA", "YV1", "TMB", "SAL", "JTD", "JHM", "KMH")
CHECKED_MAKERS = ("1HG", "1FA", "2T1", "3VW", "5YJ")
# The stamped VIN's faces, as fontconfig family and style.
PLATE_FONTS = (("DejaVu Sans Mono", "Bold"), ("DejaVu Sans Mono", "Book"), ("DejaVu Sans", "Bold"), ("DejaVu Sans", "Book"))
MAKES = ("大众", "丰田", "本田", "别克", "日产", "吉利", "长安", "比亚迪", "奥迪", "宝马", "奔驰", "哈弗", "五菱", "奇瑞")


def vin_code(rng: random.Random) -> str:
    """A VIN: most Chinese (check digit), some North American (check digit), some European or
    Japanese, whose position 9 is free (and here never happens to be the check digit)."""
    kind = rng.random()
    if kind < 0.6:
        return corpus.vin(rng)
    body = rng.choice(CHECKED_MAKERS if kind < 0.75 else UNCHECKED_MAKERS)
    body += "".join(rng.choice(VIN_CHARS) for _ in range(10)) + f"{rng.randint(0, 9999):04d}"
    check = vin_check_digit(body)
    if kind < 0.75:
        return body[:8] + check + body[9:]
    free = [c for c in VIN_CHARS if c != check]
    return body[:8] + rng.choice(free) + body[9:]


def vin_plate(seed: int, *, distortion: Distortion | None = None) -> DocumentSample:
    """A metal plate with the VIN stamped in it: the VIN alone, or the maker's nameplate."""
    rng = random.Random(f"vin-plate-{seed}")
    vin = vin_code(rng)
    nameplate = rng.random() < 0.5
    width, height = (1000, 640) if nameplate else (1000, rng.randint(220, 300))
    canvas = Canvas(width, height, _brushed_metal(width, height, rng))
    ink = rgb((40, 40, 45), rng, 10)
    for cx, cy in ((28, 28), (width - 28, 28), (28, height - 28), (width - 28, height - 28)):
        canvas.draw.ellipse((cx - 11, cy - 11, cx + 11, cy + 11), fill=(120, 120, 125), outline=(70, 70, 75), width=3)
    face = rng.choice(PLATE_FONTS)
    spacing = rng.uniform(0, 6)
    size = rng.randint(54, 66)
    room = width - (390 if nameplate else 120)
    while sum(truetype(*face, size).getlength(c) + spacing for c in vin) > room:
        size -= 2
    vin_font = truetype(*face, size)
    vin_width = sum(vin_font.getlength(c) + spacing for c in vin)
    if nameplate:
        make = rng.choice(MAKES)
        label = font(30)
        title = font(40, bold=True)
        canvas.text(70, 100, f"{make}汽车有限公司制造", title, ink)
        rows = [("品牌", f"{make}牌"), ("整车型号", f"{rng.choice('SFBG')}V{rng.randint(7100, 7299)}{rng.choice('ABCDEF')}"),
                ("发动机型号", f"{rng.choice(('EA', 'DK', 'JL', 'HR'))}{rng.randint(111, 499)}"),
                ("最大允许总质量", f"{rng.randint(1500, 2400)}kg"),
                ("制造年月", f"{rng.randint(2012, 2024)}年{rng.randint(1, 12):02d}月")]
        y = 170
        for name, value in rows[:2]:
            canvas.text(70, y, name, label, ink)
            canvas.text(330, y, value, label, ink)
            y += 58
        canvas.text(70, y + 22, "车辆识别代号", label, ink)
        vin_row = y + 40
        x = 330
        y = vin_row + 75
        for name, value in rows[2:]:
            canvas.text(70, y, name, label, ink)
            canvas.text(330, y, value, label, ink)
            y += 58
        canvas.text(70, y + 10, "中国制造", label, ink)
    else:
        x = (width - vin_width) / 2 + rng.uniform(-20, 20)
        vin_row = height / 2 + vin_font.size * 0.35
    _stamp(canvas, x, vin_row, vin, vin_font, spacing, rng)
    return canvas.finish("vin_plate", {"vin": vin}, distortion, seed, corner_radius=12)


def vin_document(seed: int, *, distortion: Distortion | None = None) -> DocumentSample:
    """A part of a printed vehicle document (sales invoice, registration certificate,
    conformity certificate) with the VIN on one line among the others."""
    rng = random.Random(f"vin-document-{seed}")
    vin = vin_code(rng)
    width, height = 1200, 900
    canvas = Canvas(width, height, np.full((height, width, 3), rgb((250, 249, 245), rng, 4), np.uint8))
    ink = rgb((25, 25, 30), rng, 8)
    title = rng.choice(("机动车登记证书", "机动车销售统一发票", "机动车整车出厂合格证", "车辆购置税完税证明"))
    canvas.text(width / 2 - 40 * len(title) / 2 * 1.2, 90, title, font(44, bold=True), ink, spacing=8)
    body = font(rng.randint(28, 32), family=rng.choice(("sans", "serif")))
    make = rng.choice(MAKES)
    label = rng.choice(("车辆识别代号", "车辆识别代号/车架号码", "车架号", "VIN", "车辆识别代号(VIN)"))
    rows = [
        ("车辆类型", rng.choice(("小型轿车", "小型普通客车", "轻型厢式货车", "小型越野客车"))),
        ("厂牌型号", f"{make}牌{rng.choice('SFBGL')}{rng.choice('VHC')}{rng.randint(6400, 7299)}{rng.choice('ABCDE')}"),
        ("产地", rng.choice(("上海", "长春", "广州", "杭州", "重庆", "天津", "武汉"))),
        ("合格证号", f"{rng.choice(('WAB', 'WBD', 'WCK'))}{rng.randint(10 ** 10, 10 ** 11 - 1)}"),
        ("发动机号码", f"{rng.choice('ABCDEFGH')}{rng.randint(100000, 9999999)}"),
        (label, vin),
        ("吨位", f"{rng.randint(3, 9)}"),
        ("限乘人数", f"{rng.choice((5, 7, 2))}"),
        ("价税合计", corpus.money_words(corpus.amount(rng, 80000, 400000))),
    ]
    # Each document prints a different run of rows; the VIN's is always among them.
    start = rng.randint(0, 2)
    rows = rows[start:start + 7]
    y = 190
    sep = rng.choice(("：", ":", " "))
    for name, value in rows:
        text = f"{name}{sep}"
        canvas.text(80, y, text, body, ink)
        x = 80 + max(body.getlength(text) + 20, 340)
        canvas.text(x, y, value, body, ink, field="vin" if value == vin else None)
        y += body.size * rng.uniform(2.0, 2.4)
    canvas.text(80, y + 20, f"{corpus.company_name(rng)}", body, ink)
    # Rules above and below the block (a closed frame would hide the lines from the orient step).
    for rule_y in (140, y + 50):
        canvas.draw.line((50, rule_y, width - 50, rule_y), fill=ink, width=2)
    return canvas.finish("vin_document", {"vin": vin}, distortion, seed)


def vin_sample(seed: int, *, distortion: Distortion | None = None) -> DocumentSample:
    """A plate for even seeds, a document for odd ones."""
    return (vin_plate if seed % 2 == 0 else vin_document)(seed, distortion=distortion)


def _brushed_metal(width: int, height: int, rng: random.Random) -> np.ndarray:
    """Aluminium: grey with fine horizontal streaks and a soft sheen."""
    gen = np.random.default_rng(rng.randrange(2 ** 32))
    base = rng.uniform(165, 205)
    streaks = cv2.GaussianBlur(gen.standard_normal((height, width)).astype(np.float32), (0, 0), sigmaX=25, sigmaY=0.6)
    xs = np.arange(width, dtype=np.float32)
    sheen = 18 * np.sin(xs / width * math.pi * rng.uniform(0.8, 2.0) + rng.uniform(0, 6))[None, :]
    grey = base + 40 * streaks + sheen
    tint = np.array([1.0, 1.0, rng.uniform(1.0, 1.05)], np.float32)
    return np.clip(np.rint(grey[..., None] * tint), 0, 255).astype(np.uint8)


def _stamp(canvas: Canvas, x: float, baseline: float, text: str, fnt: ImageFont.FreeTypeFont,
           spacing: float, rng: random.Random) -> None:
    """Characters punched into the metal: dark grooves with a lit lip on the side facing the light."""
    mask = Image.new("L", canvas.image.size, 0)
    draw = ImageDraw.Draw(mask)
    cursor, rects = float(x), []
    for ch in text:
        box = fnt.getbbox(ch, anchor="ls")
        draw.text((round(cursor), round(baseline)), ch, font=fnt, fill=255, anchor="ls")
        rects.append((cursor + box[0], baseline + box[1], cursor + box[2], baseline + box[3]))
        cursor += fnt.getlength(ch) + spacing
    m = cv2.GaussianBlur(np.asarray(mask, np.float32) / 255.0, (0, 0), 0.8)
    angle = rng.uniform(0, 2 * math.pi)
    depth = max(1.5, fnt.size * 0.045)
    dx, dy = depth * math.cos(angle), depth * math.sin(angle)
    lip = np.clip(cv2.warpAffine(m, np.float32([[1, 0, dx], [0, 1, dy]]), (m.shape[1], m.shape[0])) - m, 0, 1)
    img = np.asarray(canvas.image, np.float32)
    groove = rng.uniform(45, 80)
    img = img * (1 - lip[..., None]) + 245 * lip[..., None]
    img = img * (1 - m[..., None]) + groove * m[..., None]
    canvas.image.paste(Image.fromarray(np.clip(np.rint(img), 0, 255).astype(np.uint8)))
    rect = (min(r[0] for r in rects), min(r[1] for r in rects), max(r[2] for r in rects), max(r[3] for r in rects))
    x0, y0, x1, y1 = rect
    canvas.lines.append(LineTruth(text, ((x0, y0), (x1, y0), (x1, y1), (x0, y1))))
    canvas.mark("vin", rect)


def vin_screenshot(seed: int) -> DocumentSample:
    """A phone screenshot of a photo of a VIN plate (a new kind: other seeds' pictures unchanged):
    the status bar (time, signal, battery), an app's title bar with large type, the photo of a
    plate within, a caption, and the bottom bar's buttons with their labels."""
    rng = random.Random(f"vin-screenshot-{seed}")
    from bench.synth.documents.card import photographed_card
    plate = vin_plate(seed, distortion=photographed_card(seed) if rng.random() < 0.7 else None)
    width, height = 1080, 2340
    dark = rng.random() < 0.5
    ground = (18, 18, 20) if dark else (246, 246, 248)
    ink = (235, 235, 235) if dark else (20, 20, 22)
    canvas = Canvas(width, height, np.full((height, width, 3), ground, np.uint8))
    canvas.text(60, 70, f"{rng.randint(7, 22)}:{rng.randint(0, 59):02d}", font(40, bold=True), ink)
    canvas.text(width - 300, 70, f"5G  {rng.randint(20, 99)}%", font(36), ink)
    canvas.draw.rounded_rectangle((width - 120, 40, width - 50, 75), radius=8, outline=ink, width=3)
    title = rng.choice(("照片", "图片详情", "相册", "车辆信息"))
    canvas.text(60, 220, "<", font(64, bold=True), ink)
    canvas.text(width / 2 - 40 * len(title), 225, title, font(80, bold=True), ink)
    # The photo: the plate scaled to the screen's width, somewhat soft.
    shown = round(width * rng.uniform(0.55, 1.0))
    photo = cv2.resize(plate.image, (shown, round(plate.image.shape[0] * shown / plate.image.shape[1])),
                       interpolation=cv2.INTER_AREA)
    top = rng.randint(520, 800)
    canvas.image.paste(Image.fromarray(cv2.cvtColor(photo, cv2.COLOR_BGR2RGB)), ((width - shown) // 2, top))
    canvas.text(60, top + photo.shape[0] + 110, rng.choice(("车辆铭牌", "车架号照片", "铭牌 VIN")), font(72, bold=True), ink)
    canvas.text(60, top + photo.shape[0] + 200, f"{rng.randint(2019, 2025)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
                font(44), ink)
    for n, label in enumerate(("分享", "收藏", "编辑", "删除")):
        cx = width * (n + 0.5) / 4
        canvas.draw.rounded_rectangle((cx - 35, height - 250, cx + 35, height - 180), radius=12, outline=ink, width=4)
        canvas.text(cx - 44, height - 110, label, font(44), ink)
    return canvas.finish("vin_screenshot", {"vin": plate.fields["vin"]}, None, seed)
