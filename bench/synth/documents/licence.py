"""The motor vehicle driving licence (机动车驾驶证, 88 × 60 mm, laminated):
the main page with the holder and the permitted classes, and the
supplementary page (副页) with the archive number."""
from __future__ import annotations

import datetime as dt
import math
import random

from PIL import Image, ImageDraw

from bench.synth.documents.card import Canvas, DocumentSample, font, guilloche, mono_font, portrait, rgb
from bench.synth.documents.idcard import Citizen, citizen
from bench.synth.documents.passport import _add_years
from bench.synth.render import wrap
from bench.synth.truth import Distortion

CARD_MM = (88.0, 60.0)
CARD_WIDTH = 1000
SCALE = CARD_WIDTH / CARD_MM[0]
CARD_HEIGHT = round(CARD_MM[1] * SCALE)
CORNER_MM = 2.5
CLASSES = ("C1",) * 8 + ("C2",) * 3 + ("B1", "B2", "A1", "A2", "A1A2", "B2D", "C1D", "C1E")
# Where the issuing authority's seal is stamped on the main page (the row it is centred on, and
# mm from the table's left edge): over the values beside the photo, as our first layout had it,
# or, as other printers stamp it, over the lower labels and their values.
SEAL_PLACES = {
    "values": None,                     # (56, 46) mm on the card, over the dates and the photo's edge
    "class": (5, 10.0),                 # over 准驾车型 and the class
    "first_issue": (4, 14.0),           # over 初次领证日期 and its date
    "validity": (6, 12.0),              # over 有效期限 / 有效起始日期
}


def face_layout(seed: int) -> tuple[str, bool]:
    """The layout family of a main page: where its seal sits (a key of SEAL_PLACES), and
    whether its address is printed at full size on two lines (a second line under the first)
    instead of shrunk into its row. Drawn apart from the page's other randomness, so that a
    seed keeps its person, its style and its jitter whichever family it falls in."""
    rng = random.Random(f"driver-family-{seed}")
    place = rng.choice(("values", "values", "class", "first_issue", "validity"))
    return place, rng.random() < 0.35


def _licence_dates(rng: random.Random, birth: dt.date) -> tuple[dt.date, dt.date, dt.date | None]:
    """First issue (at 18 or later), and the current validity: 6 years after
    the first exam, then 10, then unlimited (None)."""
    first = max(_add_years(birth, 18), min(_add_years(birth, rng.randint(18, 40)), dt.date(2024, 6, 30)))
    start, years = first, 6
    while True:
        end = _add_years(start, years)
        if end > dt.date(2025, 6, 1):
            return first, start, end
        start, years = end, 10 if years == 6 else 0
        if years == 0:
            return first, start, None


def driver_license(seed: int, side: str = "face", *, distortion: Distortion | None = None) -> DocumentSample:
    """A driving licence's main page ("face") or supplementary page ("back"),
    from its seed alone; both sides of one seed belong to the same person."""
    if side not in ("face", "back"):
        raise ValueError(f"side must be 'face' or 'back', not {side!r}")
    person = citizen(random.Random(seed))
    rng = random.Random(f"driver-{seed}")
    first, start, end = _licence_dates(rng, person.birth)
    vehicle = rng.choice(CLASSES)
    archive = f"{person.id_number[:4]}{rng.randint(0, 10**8 - 1):08d}"   # starts with the city's code
    layout = random.Random(f"driver-{side}-{seed}")
    if side == "face":
        return _face(person, first, start, end, vehicle, layout, seed, distortion)
    return _back(person, archive, first, layout, seed, distortion)


def _ground(rng: random.Random) -> Canvas:
    base = rgb((240, 240, 236), rng, 5)
    return Canvas(CARD_WIDTH, CARD_HEIGHT, guilloche(
        CARD_WIDTH, CARD_HEIGHT, rng, base, (rgb((214, 200, 226), rng, 8), rgb((232, 214, 200), rng, 8)), 0.2))


def _face(c: Citizen, first: dt.date, start: dt.date, end: dt.date | None, vehicle: str,
          rng: random.Random, seed: int, distortion: Distortion | None) -> DocumentSample:
    canvas = _ground(rng)
    mm = lambda v: v * SCALE                               # noqa: E731
    jitter = lambda v, a=0.6: mm(v + rng.uniform(-a, a))  # noqa: E731
    ink = rgb((20, 20, 24), rng, 8)
    label_colour = rgb((40, 40, 48), rng, 8)
    frame = rgb((120, 110, 140), rng, 12)
    title = font(mm(4.0), bold=True)
    title_text = "中华人民共和国机动车驾驶证"
    tx = (CARD_WIDTH - title.getlength(title_text)) / 2 + mm(rng.uniform(-1.0, 1.0))
    canvas.text(tx, jitter(7.5, 0.3), title_text, title, ink)
    sub = font(mm(2.2))
    sub_text = "Driving License of the People's Republic of China"
    canvas.text((CARD_WIDTH - sub.getlength(sub_text)) / 2, jitter(11.5, 0.3), sub_text, sub, label_colour)

    left, right = jitter(4.0, 0.3), CARD_WIDTH - jitter(4.0, 0.3)
    top, bottom = jitter(14.0, 0.3), CARD_HEIGHT - jitter(4.0, 0.3)
    label = font(mm(rng.uniform(2.2, 2.5)))
    english = font(mm(1.6))
    value = font(mm(rng.uniform(2.8, 3.2)))
    digits = mono_font(round(mm(rng.uniform(3.0, 3.4))))
    pitch = (bottom - top) / 7
    rows = [top + pitch * k for k in range(8)]
    for y in rows:
        canvas.draw.line((left, y, right, y), fill=frame, width=2)
    canvas.draw.rectangle((left, top, right, bottom), outline=frame, width=3)
    photo_x0 = right - mm(24.0)

    def label_at(x: float, r: int, zh: str, en: str) -> float:
        """A label in row r (0-based): Chinese over English; returns where the value starts."""
        base = rows[r] + pitch * 0.5
        canvas.text(x + mm(1.2), base, zh, label, label_colour)
        canvas.text(x + mm(1.2), base + english.size * 1.15, en, english, label_colour)
        return x + mm(1.2) + max(label.getlength(zh), english.getlength(en)) + mm(rng.uniform(2.0, 3.5))

    def baseline(r: int) -> float:
        return rows[r] + pitch * 0.5 + value.size * 0.35

    x = label_at(left, 0, "证号", "License No.")
    canvas.text(x, baseline(0), c.id_number, digits, ink, field="num", spacing=mm(0.3))
    x = label_at(left, 1, "姓名", "Name")
    canvas.text(x, baseline(1), c.name, value, ink, field="name")
    x = label_at(left + mm(32.0), 1, "性别", "Sex")
    canvas.text(x, baseline(1), c.sex, value, ink, field="sex")
    x = label_at(left + mm(50.0), 1, "国籍", "Nationality")
    canvas.text(x, baseline(1), "中国", value, ink)
    x = label_at(left, 2, "住址", "Address")
    place, wrapped = face_layout(seed)
    small = value
    if wrapped:
        # Full-size type broken onto a second line under the first, however short the address:
        # the row is as wide as the photo's column leaves it.
        small = font(pitch * 0.4)
        room = min(photo_x0 - x - mm(1), small.getlength(c.address) * rng.uniform(0.55, 0.75))
        parts = wrap(c.address, small, room, min_last_chars=2)
    else:
        while len(wrap(c.address, small, photo_x0 - x - mm(1))) > 1 and small.size > pitch * 0.36:
            small = font(small.size - 2)     # two lines must fit in one row
        while len(wrap(c.address, small, photo_x0 - x - mm(1))) > 2:
            small = font(small.size - 2)
        parts = wrap(c.address, small, photo_x0 - x - mm(1))
    if len(parts) == 1:
        canvas.text(x, baseline(2), parts[0], small, ink, field="addr")
    else:
        opening, lead = (0.40, 0.44) if wrapped else (0.44, 0.42)
        for k, part in enumerate(parts):
            canvas.text(x, rows[2] + pitch * (opening + lead * k), part, small, ink, field="addr")
    canvas.draw.line((photo_x0, rows[3], photo_x0, bottom), fill=frame, width=2)
    face = portrait(canvas, (round(photo_x0 + mm(2)), round(rows[3] + mm(1.5)),
                             round(right - mm(2)), round(bottom - mm(1.5))), rng, background=(250, 250, 250))
    canvas.mark("face", face)
    x = label_at(left, 3, "出生日期", "Date of Birth")
    canvas.text(x, baseline(3), f"{c.birth:%Y-%m-%d}", value, ink)
    x = label_at(left, 4, "初次领证日期", "Issue Date")
    canvas.text(x, baseline(4), f"{first:%Y-%m-%d}", value, ink)
    x = label_at(left, 5, "准驾车型", "Class")
    canvas.text(x, baseline(5), vehicle, value, ink, field="vehicle_type")
    old_style = rng.random() < 0.3 and end is not None
    if old_style:
        # Licences before 2008: a start date and a duration in years.
        years = end.year - start.year
        x = label_at(left, 6, "有效起始日期", "Valid From")
        canvas.text(x, baseline(6), f"{start:%Y-%m-%d}", value, ink, field="start_date")
        x2 = label_at(left + mm(40.0), 6, "有效期限", "Valid For")
        canvas.text(x2, baseline(6), f"{years}年", value, ink, field="end_date")
        end_value = str(years)
    else:
        x = label_at(left, 6, "有效期限", "Valid Period")
        canvas.text(x, baseline(6), f"{start:%Y-%m-%d}", value, ink, field="start_date")
        joiner = x + value.getlength(f"{start:%Y-%m-%d}") + mm(1.5)
        canvas.text(joiner, baseline(6), "至", value, ink)
        closing = f"{end:%Y-%m-%d}" if end else "长期"
        canvas.text(joiner + value.getlength("至") + mm(1.5), baseline(6), closing, value, ink, field="end_date")
        end_value = f"{end:%Y%m%d}" if end else "长期"
    office = f"{c.province}{c.city}公安局交通警察支队"
    if SEAL_PLACES[place] is None:
        seal(canvas, (jitter(56.0, 2.0), jitter(46.0, 2.0)), mm(9.0), office, rng)
    else:
        # Stamped over a label of the lower rows, in a darker ink than the values' seal.
        row, across = SEAL_PLACES[place]
        seal(canvas, (left + jitter(across, 2.0), rows[row] + pitch * rng.uniform(0.35, 0.65)), mm(rng.uniform(8.5, 10.0)),
             office, rng, opacity=rng.uniform(150, 210))
    fields = {"name": c.name, "num": c.id_number, "sex": c.sex, "addr": c.address, "vehicle_type": vehicle,
              "start_date": f"{start:%Y%m%d}", "end_date": end_value}
    return canvas.finish("driver_license_face", fields, distortion, seed, corner_radius=mm(CORNER_MM))


def seal(canvas: Canvas, centre: tuple[float, float], radius: float, text: str, rng: random.Random,
         opacity: float | None = None) -> None:
    """A translucent red round seal: a ring, a star and the office's name on the arc; its ink's
    `opacity` (0-255) drawn between 110 and 170 unless given."""
    size = int(radius * 2 + 8)
    layer = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    red = (220, 40, 40, int(rng.uniform(110, 170) if opacity is None else opacity))
    c = size / 2
    d.ellipse((c - radius, c - radius, c + radius, c + radius), outline=red, width=max(3, int(radius * 0.06)))
    star = []
    for k in range(10):
        a = -math.pi / 2 + k * math.pi / 5
        rr = radius * (0.22 if k % 2 == 0 else 0.09)
        star.append((c + rr * math.cos(a), c + rr * math.sin(a)))
    d.polygon(star, fill=red)
    glyph = font(radius * 0.26, bold=True)
    n = len(text)
    sweep = math.radians(min(250.0, 20.0 * n))
    for k, ch in enumerate(text):
        a = -math.pi / 2 - sweep / 2 + sweep * (k + 0.5) / n
        g = Image.new("RGBA", (int(glyph.size * 1.4),) * 2, (0, 0, 0, 0))
        ImageDraw.Draw(g).text((g.width / 2, g.height / 2), ch, font=glyph, fill=red, anchor="mm")
        g = g.rotate(-math.degrees(a) - 90, resample=Image.Resampling.BICUBIC)
        px, py = c + radius * 0.72 * math.cos(a), c + radius * 0.72 * math.sin(a)
        layer.alpha_composite(g, (int(px - g.width / 2), int(py - g.height / 2)))
    canvas.image.paste(layer, (int(centre[0] - c), int(centre[1] - c)), layer)


def _back(c: Citizen, archive: str, first: dt.date, rng: random.Random, seed: int, distortion: Distortion | None) -> DocumentSample:
    canvas = _ground(rng)
    mm = lambda v: v * SCALE                               # noqa: E731
    jitter = lambda v, a=0.6: mm(v + rng.uniform(-a, a))  # noqa: E731
    ink = rgb((20, 20, 24), rng, 8)
    label_colour = rgb((40, 40, 48), rng, 8)
    frame = rgb((120, 110, 140), rng, 12)
    title = font(mm(4.0), bold=True)
    title_text = "中华人民共和国机动车驾驶证副页"
    canvas.text((CARD_WIDTH - title.getlength(title_text)) / 2 + mm(rng.uniform(-1, 1)), jitter(8.0, 0.3),
                title_text, title, ink)
    left, right = jitter(4.0, 0.3), CARD_WIDTH - jitter(4.0, 0.3)
    top, bottom = jitter(12.5, 0.3), CARD_HEIGHT - jitter(4.0, 0.3)
    label = font(mm(rng.uniform(2.3, 2.6)))
    value = font(mm(rng.uniform(2.8, 3.2)))
    digits = mono_font(round(mm(rng.uniform(3.0, 3.4))))
    pitch = mm(7.0)
    canvas.draw.rectangle((left, top, right, bottom), outline=frame, width=3)
    for k in (1, 2):
        canvas.draw.line((left, top + pitch * k, right, top + pitch * k), fill=frame, width=2)
    y = top + pitch * 0.5 + value.size * 0.35
    canvas.text(left + mm(1.5), y, "证号", label, label_colour)
    canvas.text(left + mm(10.0), y, c.id_number, digits, ink, spacing=mm(0.3))
    y += pitch
    canvas.text(left + mm(1.5), y, "姓名", label, label_colour)
    canvas.text(left + mm(10.0), y, c.name, value, ink)
    gap, spread = mm(rng.uniform(2.0, 3.5)), mm(0.2)
    room = label.getlength("档案编号") + gap + digits.getlength(archive) + spread * len(archive) + mm(2.0)
    x = min(left + mm(rng.uniform(36.0, 44.0)), right - room)
    canvas.text(x, y, "档案编号", label, label_colour)
    canvas.text(x + label.getlength("档案编号") + gap, y, archive, digits, ink, field="archive_no", spacing=spread)
    y += pitch
    canvas.text(left + mm(1.5), y, "记录", label, label_colour)
    notes = ("请于每个记分周期结束后三十日内接受审验。", "无记分记录。", f"实习期至{first.year + 1}年{first.month}月{first.day}日")
    for note in rng.sample(notes, rng.randint(1, 2)):
        y += pitch * 0.9
        canvas.text(left + mm(10.0), y, note, value, ink)
    return canvas.finish("driver_license_back", {"archive_no": archive}, distortion, seed,
                         corner_radius=mm(CORNER_MM))
