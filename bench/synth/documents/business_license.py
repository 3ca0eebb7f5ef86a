"""The business licence (营业执照), three-in-one, the landscape A4 copy (副本) or A3 original
(or, three in ten, the older portrait copy):
an ornamented border, the national emblem in red and gold, the title, the credit code top
left, a QR code top right, two columns of labelled fields with the business scope as a
paragraph, and the registration authority's red seal over its name and the date."""
from __future__ import annotations

import datetime as dt
import math
import random

import cv2
import numpy as np
from PIL import Image, ImageDraw

from bench.synth import corpus
from bench.synth.documents.card import Canvas, DocumentSample, font, guilloche, rgb
from bench.synth.render import wrap
from bench.synth.truth import Distortion

PAGE_MM = (297.0, 210.0)
PAGE_WIDTH = 1600
SCALE = PAGE_WIDTH / PAGE_MM[0]
PAGE_HEIGHT = round(PAGE_MM[1] * SCALE)
TITLE = "营业执照"
LONG_TERM = "29991231"     # the reference's answer for 长期 and for a licence without a term
TYPES = ("有限责任公司（自然人投资或控股）", "有限责任公司（自然人独资）", "股份有限公司（非上市）",
         "有限责任公司（非自然人投资或控股的法人独资）", "个人独资企业", "其他有限责任公司")
CAPITALS = (10, 30, 50, 100, 200, 300, 500, 800, 1000, 2000, 3000, 5000)   # in 万元
SCOPE_TAIL = "（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
AUTHORITY_SUFFIX = "市场监督管理局"
RED = (196, 32, 38)
GOLD = (226, 178, 60)
BORDER = (176, 128, 60)    # the ornament's brown gold: hue outside seal red
# Where the authority's seal is stamped: over its own name and the date (as our first layout
# had it), or, as other printers and clerks stamp it, over the address's label and first line,
# or over the person's label and value.
SEAL_PLACES = ("authority", "address", "person")


def layout_family(seed: int) -> tuple[str, bool]:
    """The layout family of a licence: where its seal sits (one of SEAL_PLACES), and whether its
    address runs onto a second line (broken wherever the line ends, a district's name cut in
    two) with the values' lines set further apart. Drawn apart from the page's other
    randomness, so that a seed keeps its company and its jitter whichever family it falls in."""
    rng = random.Random(f"business-family-{seed}")
    return rng.choice(SEAL_PLACES), rng.random() < 0.35


def business_license(seed: int, *, distortion: Distortion | None = None, seal: bool = True,
                     qrcode: bool = True) -> DocumentSample:
    """A business licence from its seed alone; fields are the reference's answer for it.
    Without `seal` or `qrcode` that mark is left off (and has no box)."""
    rng = random.Random(f"business-{seed}")
    province, city, short, _, (district, district_code) = corpus.region(rng)
    code = corpus.credit_code(rng, district_code)
    name = corpus.company_name(rng)
    person = corpus.person_name(rng)
    founded = corpus.date(rng, 1998, 2024)
    term = rng.random()
    if term < 0.45:
        end: dt.date | None = _add_years(founded, rng.choice((10, 20, 30, 50))) - dt.timedelta(days=1)
    else:
        end = None
    show_term = term < 0.9          # one in ten prints no term at all: the reference answers 长期
    wan = rng.choice(CAPITALS)
    style = rng.random()
    if style < 0.4:
        capital = corpus.money_words(wan * 10 ** 6, prefix="")
    elif style < 0.6:
        capital = corpus.money_words(wan * 10 ** 6)
    elif style < 0.85:
        capital = f"{wan}万元"
    else:
        capital = f"{wan}万元人民币"
    address = province + city + district + corpus.street_address(rng) if rng.random() < 0.5 else \
        city + district + corpus.street_address(rng)
    scope = corpus.business_scope(rng, rng.choice((30, 60, 100, 140)))
    if rng.random() < 0.4:
        scope += SCOPE_TAIL
    fields = {
        "reg_num": code, "name": name, "person": person, "establish_date": f"{founded:%Y%m%d}",
        "valid_period": f"{end:%Y%m%d}" if end and show_term else LONG_TERM,
        "address": address, "captial": capital, "business": scope,
    }
    authority = (short if rng.random() < 0.5 else short + district) + AUTHORITY_SUFFIX
    issued = founded + dt.timedelta(days=rng.randint(0, 3000))
    issued = min(issued, dt.date(2025, 6, 30))

    # Three in ten are the older portrait copy: one column of fields, the scope last.
    portrait = random.Random(f"business-layout-{seed}").random() < 0.3
    width, height = (PAGE_HEIGHT, PAGE_WIDTH) if portrait else (PAGE_WIDTH, PAGE_HEIGHT)
    mm = lambda v: v * SCALE                                # noqa: E731
    canvas = Canvas(width, height, guilloche(
        width, height, rng, rgb((246, 244, 236), rng, 4),
        (rgb((236, 226, 206), rng, 6), rgb((226, 232, 236), rng, 6)), 0.08))
    _border(canvas.draw, mm, rng, width, height)
    ink = rgb((22, 22, 26), rng, 8)
    label = font(mm(rng.uniform(3.6, 4.0)), bold=True)
    value = font(mm(rng.uniform(3.6, 4.0)), family=rng.choice(("serif", "sans")))

    # The head: emblem, title, copy mark, credit code on the left, QR code on the right.
    cx = width / 2 + mm(rng.uniform(-2, 2))
    emblem_r = mm(rng.uniform(10.5, 12.0))
    emblem_top = mm(rng.uniform(19.0, 22.0))
    canvas.mark("elbem", _emblem(canvas.image, (cx, emblem_top + emblem_r), emblem_r))
    head = font(mm(rng.uniform(10.5, 12.0) if portrait else rng.uniform(13.0, 15.0)), bold=True, family="serif")
    spacing = mm(rng.uniform(2.0, 4.0) if portrait else rng.uniform(3.0, 7.0))
    title_w = sum(head.getlength(ch) for ch in TITLE) + spacing * (len(TITLE) - 1)
    title_base = emblem_top + 2 * emblem_r + mm(4) + head.size * 0.9
    canvas.text(cx - title_w / 2, title_base, TITLE, head, ink, field="title", spacing=spacing)
    if rng.random() < 0.6:
        copy = font(mm(5.0), family="serif")
        canvas.text(cx - copy.getlength("（副本）") / 2, title_base + mm(9), "（副本）", copy, ink)

    left = mm(rng.uniform(26.0, 32.0))
    small = font(mm(3.2))
    code_font = font(mm(rng.uniform(4.2, 4.8)), bold=rng.random() < 0.5)
    canvas.text(left, mm(34), "统一社会信用代码", small, ink)
    canvas.text(left, mm(34) + mm(8.5), code, code_font, ink, field="reg_num")
    if rng.random() < 0.5:
        canvas.text(left, mm(34) + mm(16), f"证照编号：{rng.randint(10**13, 10**14 - 1)}", small, ink)

    qr_side = mm(rng.uniform(24.0, 28.0))
    qr_left = width - mm(rng.uniform(30.0, 34.0) if portrait else rng.uniform(36.0, 40.0)) - qr_side
    qr_top = mm(rng.uniform(24.0, 28.0))
    tiny = font(mm(2.2))
    caption = "扫描二维码登录“国家企业信用信息公示系统”了解更多登记、备案、许可、监管信息。"
    if qrcode:
        canvas.mark("qrcode", _qrcode(canvas.image, code, (qr_left, qr_top), qr_side))
        for k, part in enumerate(wrap(caption, tiny, qr_side + mm(14))):
            canvas.text(qr_left - mm(7), qr_top + qr_side + mm(4) + k * mm(3.2), part, tiny, ink)

    # The fields in two columns, each label then its value, the scope a paragraph.
    top = mm(rng.uniform(96.0, 104.0) if portrait else rng.uniform(84.0, 90.0))
    pitch = mm(rng.uniform(10.0, 11.5))
    label_w = mm(rng.uniform(26.0, 29.0))
    split = width * rng.uniform(0.52, 0.56)
    right_edge = width - mm(26)
    columns = [(left, right_edge)] if portrait else [(left, split - mm(10)), (split, right_edge)]
    person_label = rng.choice(("法定代表人",) * 4 + ("负责人", "经营者"))
    rows = {
        0: [("名称", name, "name"), ("类型", rng.choice(TYPES), None), (person_label, person, "person"),
            ("经营范围", scope, "business")],
        1: [("注册资本", capital, "captial"), ("成立日期", _cn_date(founded), "establish_date")]
        + ([("营业期限", f"{_cn_date(founded)}至{_cn_date(end) if end else '长期'}", "valid_period")]
           if show_term else [])
        + [("住所", address, "address")],
    }
    if portrait:
        rows = {0: [rows[0][0], rows[0][1], rows[1][-1], rows[0][2], *rows[1][:-1], rows[0][3]]}
    spread = rng.random() < 0.5       # short labels spread to the width of the longest, as printed
    seal_place, wrapped = layout_family(seed)
    leading = random.Random(f"business-leading-{seed}").uniform(1.6, 1.9) if wrapped else 1.45
    bottom = top
    label_at: dict[str | None, tuple[float, float]] = {}
    for column, (x0, x1) in enumerate(columns):
        y = top
        for caption, text, field in rows[column]:
            gap = 0.0
            if spread and len(caption) < 4:
                gap = min(label.size * 2.0, (label.getlength("经营范围") - label.getlength(caption)) / (len(caption) - 1))
            canvas.text(x0, y, caption, label, ink, spacing=gap)
            label_at[field] = (x0, y)
            room = x1 - x0 - label_w
            if wrapped and field == "address":
                # Broken at about two thirds of its length whatever the column's width.
                room = min(room, value.getlength(text) * 0.66)
            parts = wrap(text, value, room, min_last_chars=2 if wrapped else 4)
            for k, part in enumerate(parts):
                canvas.text(x0 + label_w, y + k * value.size * leading, part, value, ink, field=field)
            y += pitch + (len(parts) - 1) * value.size * leading
        bottom = max(bottom, y)

    # The authority, the date, and the red seal over both.
    foot_x = (width * 0.42 if portrait else split) + mm(rng.uniform(8, 20))
    foot_y = max(bottom + mm(24 if portrait else 4), height - mm(rng.uniform(30, 34)))
    canvas.text(foot_x, foot_y, "登记机关", label, ink)
    canvas.text(foot_x + label_w + mm(10), foot_y + mm(9), _cn_date(issued), value, ink)
    seal_r = mm(rng.uniform(19.0, 21.0))
    seal_c = (foot_x + label_w + mm(rng.uniform(10, 20)), foot_y - mm(rng.uniform(0, 4)))
    if seal_place != "authority":
        # Centred on the label's end and the value's start, a little below the label's line.
        x0, y0 = label_at["address" if seal_place == "address" else "person"]
        seal_c = (x0 + label_w * random.Random(f"business-seal-{seed}").uniform(0.6, 1.3), y0 + mm(2))
    if seal:
        canvas.mark("stamp", _seal(canvas.image, seal_c, seal_r, authority, rng))
    return canvas.finish("business_license", fields, distortion, seed)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:             # 29 February
        return day.replace(year=day.year + years, day=28)


def _cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def _border(draw: ImageDraw.ImageDraw, mm, rng: random.Random, w: int, h: int) -> None:
    """The ornamented frame: two rules with a band of small lozenges between them."""
    colour = rgb(BORDER, rng, 10)
    outer, inner = mm(8.0), mm(14.0)
    draw.rectangle((outer, outer, w - outer, h - outer), outline=colour, width=max(2, round(mm(0.8))))
    draw.rectangle((inner, inner, w - inner, h - inner), outline=colour, width=max(1, round(mm(0.4))))
    band = (outer + inner) / 2
    step, size = mm(6.0), mm(1.6)
    for x in np.arange(inner, w - inner, step):
        for y in (band, h - band):
            draw.polygon([(x, y - size), (x + size, y), (x, y + size), (x - size, y)], outline=colour)
    for y in np.arange(inner, h - inner, step):
        for x in (band, w - band):
            draw.polygon([(x, y - size), (x + size, y), (x, y + size), (x - size, y)], outline=colour)


def _star(draw: ImageDraw.ImageDraw, centre: tuple[float, float], radius: float, fill, turn: float = 0.0) -> None:
    points = []
    for k in range(10):
        r = radius if k % 2 == 0 else radius * 0.4
        a = math.radians(-90 + 36 * k + turn)
        points.append((centre[0] + r * math.cos(a), centre[1] + r * math.sin(a)))
    draw.polygon(points, fill=fill)


def _emblem(image: Image.Image, centre: tuple[float, float], radius: float) -> tuple[float, float, float, float]:
    """A plausible national emblem: a red disc in a golden wreath, the big star and four small
    ones over the golden gate, a cogwheel at the foot. Returns its box."""
    draw = ImageDraw.Draw(image)
    x, y = centre
    r = radius
    # The wreath: golden grains around the disc.
    for k in range(28):
        a = math.radians(100 + k * (340 / 27))
        gx, gy = x + 0.93 * r * math.cos(a), y + 0.93 * r * math.sin(a)
        draw.ellipse((gx - 0.1 * r, gy - 0.06 * r, gx + 0.1 * r, gy + 0.06 * r), fill=GOLD)
    draw.ellipse((x - 0.8 * r, y - 0.8 * r, x + 0.8 * r, y + 0.8 * r), fill=RED)
    _star(draw, (x, y - 0.45 * r), 0.2 * r, GOLD)
    for k, (dx, dy) in enumerate(((-0.42, -0.52), (-0.3, -0.22), (0.3, -0.22), (0.42, -0.52))):
        _star(draw, (x + dx * r, y + dy * r), 0.08 * r, GOLD, turn=(-30, -15, 15, 30)[k])
    # The gate: a roof, the hall and its five doors, the base.
    draw.polygon([(x - 0.55 * r, y + 0.05 * r), (x + 0.55 * r, y + 0.05 * r), (x + 0.42 * r, y - 0.08 * r),
                  (x - 0.42 * r, y - 0.08 * r)], fill=GOLD)
    draw.rectangle((x - 0.42 * r, y + 0.05 * r, x + 0.42 * r, y + 0.3 * r), fill=GOLD)
    for k in range(5):
        dx = (k - 2) * 0.16 * r
        draw.rectangle((x + dx - 0.04 * r, y + 0.16 * r, x + dx + 0.04 * r, y + 0.3 * r), fill=RED)
    draw.rectangle((x - 0.6 * r, y + 0.3 * r, x + 0.6 * r, y + 0.42 * r), fill=GOLD)
    draw.ellipse((x - 0.16 * r, y + 0.72 * r, x + 0.16 * r, y + 1.04 * r), fill=GOLD)
    draw.ellipse((x - 0.07 * r, y + 0.81 * r, x + 0.07 * r, y + 0.95 * r), fill=RED)
    draw.polygon([(x - 0.5 * r, y + 0.75 * r), (x - 0.65 * r, y + 1.02 * r), (x - 0.35 * r, y + 0.95 * r)], fill=RED)
    draw.polygon([(x + 0.5 * r, y + 0.75 * r), (x + 0.65 * r, y + 1.02 * r), (x + 0.35 * r, y + 0.95 * r)], fill=RED)
    return x - 1.03 * r, y - 1.0 * r, x + 1.03 * r, y + 1.05 * r


def _qrcode(image: Image.Image, code: str, origin: tuple[float, float], side: float) -> tuple[float, float, float, float]:
    """The QR code of the licence's public record, with its quiet zone. Returns the symbol's box."""
    symbol = cv2.QRCodeEncoder.create().encode(f"http://www.gsxt.gov.cn/index.html?uniscid={code}")
    # The encoder pads a quiet zone of its own; the box is the dark modules'.
    dark = np.argwhere(symbol < 128)
    (r0, c0), (r1, c1) = dark.min(axis=0), dark.max(axis=0) + 1
    modules = symbol[r0:r1, c0:c1]
    cell = side / modules.shape[0]
    size = round(cell * modules.shape[0])
    big = cv2.resize(modules, (size, size), interpolation=cv2.INTER_NEAREST)
    x, y = round(origin[0]), round(origin[1])
    pad = round(3 * cell)
    ImageDraw.Draw(image).rectangle((x - pad, y - pad, x + size + pad, y + size + pad), fill=(255, 255, 255))
    rgb_modules = np.where(big[..., None] < 128, np.uint8(20), np.uint8(255)).repeat(3, axis=2)
    image.paste(Image.fromarray(rgb_modules), (x, y))
    return float(x), float(y), float(x + size), float(y + size)


def _seal(image: Image.Image, centre: tuple[float, float], radius: float, authority: str,
          rng: random.Random) -> tuple[float, float, float, float]:
    """The authority's round seal in red ink over what is printed there: a ring, the star,
    the authority's name along the top arc, 登记专用章 underneath. Returns its box."""
    side = int(2 * radius + 8)
    layer = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    c = side / 2
    colour = rgb((200, 30, 40), rng, 10) + (235,)
    draw.ellipse((c - radius, c - radius, c + radius, c + radius), outline=colour, width=max(3, round(radius * 0.05)))
    _star(draw, (c, c), radius * 0.24, colour)
    text = font(radius * 0.2, bold=True)
    span = 240.0
    for k, ch in enumerate(authority):
        angle = -90 - span / 2 + span * (k + 0.5) / len(authority)
        glyph = Image.new("RGBA", (int(text.size * 1.6), int(text.size * 1.6)), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), ch, font=text, fill=colour, anchor="mm")
        glyph = glyph.rotate(-(angle + 90), resample=Image.Resampling.BICUBIC, expand=True)
        gx = c + 0.74 * radius * math.cos(math.radians(angle)) - glyph.width / 2
        gy = c + 0.74 * radius * math.sin(math.radians(angle)) - glyph.height / 2
        layer.alpha_composite(glyph, (int(gx), int(gy)))
    below = font(radius * 0.15)
    draw.text((c, c + radius * 0.55), "登记专用章", font=below, fill=colour, anchor="mm")
    x0, y0 = int(centre[0] - c), int(centre[1] - c)
    image.paste(layer, (x0, y0), layer)
    return centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius
