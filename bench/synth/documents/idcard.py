"""The second-generation resident identity card (居民身份证), 85.6 × 54 mm:
the face with the holder's particulars and portrait, the back with the
emblem, the issuing office and the validity period."""
from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from bench.synth import corpus
from bench.synth.documents.card import Canvas, DocumentSample, font, guilloche, mono_font, portrait, rgb
from bench.synth.render import wrap
from bench.synth.truth import Distortion

CARD_MM = (85.6, 54.0)
CARD_WIDTH = 1000
SCALE = CARD_WIDTH / CARD_MM[0]            # px per mm
CARD_HEIGHT = round(CARD_MM[1] * SCALE)
CORNER_MM = 3.0

# The 56 nationalities are all possible; the common ones are weighted by population.
ETHNICITIES = ("汉",) * 30 + ("回", "满", "壮", "蒙古", "维吾尔", "藏", "苗", "土家", "彝", "朝鲜", "侗", "瑶", "白", "哈萨克")
VILLAGE_PARTS = ("镇", "乡", "街道")
HOUSING = ("小区", "花园", "新村", "家园", "公寓", "苑")


@dataclass(frozen=True)
class Citizen:
    """One person, consistent across all their documents."""
    name: str
    female: bool
    ethnicity: str
    birth: dt.date
    address: str
    id_number: str
    province: str       # of the registered residence, e.g. "浙江省" ("" for municipalities)
    city: str           # e.g. "杭州市"
    district: str       # e.g. "西湖区"

    @property
    def sex(self) -> str:
        return "女" if self.female else "男"


def citizen(rng: random.Random) -> Citizen:
    """A person with a home address and a valid ID number of the same district."""
    province, city, _, _, (district, code) = corpus.region(rng)
    female = rng.random() < 0.5
    birth = corpus.date(rng, 1950, 2006)
    return Citizen(name=corpus.person_name(rng), female=female, ethnicity=rng.choice(ETHNICITIES),
                   birth=birth, address=home_address(rng, province, city, district),
                   id_number=corpus.id_number(rng, birth=birth, female=female, region_code=code),
                   province=province, city=city, district=district)


def home_address(rng: random.Random, province: str, city: str, district: str) -> str:
    """A registered residence: a flat in a residential compound or a village house."""
    head = province + city + district
    style = rng.random()
    if style < 0.55:
        return (head + corpus.road(rng) + f"{rng.randint(1, 999)}号" + corpus.ROAD_NAMES[rng.randrange(len(corpus.ROAD_NAMES))]
                + rng.choice(HOUSING) + f"{rng.randint(1, 30)}幢{rng.randint(1, 6)}单元{rng.randint(1, 28)}{rng.randint(1, 4):02d}室")
    if style < 0.8:
        return head + corpus.street_address(rng)
    town = rng.choice(corpus.ROAD_NAMES) + rng.choice(VILLAGE_PARTS)
    return head + town + rng.choice(corpus.ROAD_NAMES) + f"村{rng.randint(1, 12)}组{rng.randint(1, 120)}号"


def issuing_office(c: Citizen) -> str:
    """E.g. 杭州市公安局西湖分局."""
    return f"{c.city}公安局{c.district.removesuffix('区').removesuffix('新')}分局"


def validity(rng: random.Random, birth: dt.date) -> tuple[dt.date, dt.date | None]:
    """Issue date and expiry (None: 长期) by the holder's age at issue, as the law sets them."""
    earliest = max(birth.year + 16, 2005)
    issued = corpus.date(rng, min(earliest, 2024), 2024)
    age = issued.year - birth.year - ((issued.month, issued.day) < (birth.month, birth.day))
    years = 5 if age < 16 else 10 if age <= 25 else 20 if age <= 45 else None
    if years is None:
        return issued, None
    try:
        return issued, issued.replace(year=issued.year + years)
    except ValueError:   # 29 February
        return issued, issued.replace(year=issued.year + years, day=28)


def id_card(seed: int, side: str = "face", *, distortion: Distortion | None = None) -> DocumentSample:
    """An ID card side ("face" or "back"), from its seed alone; both sides of
    one seed belong to the same person."""
    if side not in ("face", "back"):
        raise ValueError(f"side must be 'face' or 'back', not {side!r}")
    person = citizen(random.Random(seed))
    rng = random.Random(f"idcard-{side}-{seed}")
    if side == "face":
        return _face(person, rng, seed, distortion)
    return _back(person, rng, seed, distortion)


def _mm(v: float) -> float:
    return v * SCALE


def _ground(rng: random.Random) -> Canvas:
    base = rgb((236, 241, 240), rng, 5)
    return Canvas(CARD_WIDTH, CARD_HEIGHT, guilloche(
        CARD_WIDTH, CARD_HEIGHT, rng, base, (rgb((200, 222, 236), rng, 8), rgb((240, 222, 214), rng, 8)), 0.25))


def _face(c: Citizen, rng: random.Random, seed: int, distortion: Distortion | None) -> DocumentSample:
    canvas = _ground(rng)
    label_colour = rgb((46, 120, 178), rng, 14)
    ink = rgb((18, 18, 22), rng, 8)
    label = font(_mm(rng.uniform(2.5, 2.8)))
    value = font(_mm(rng.uniform(3.0, 3.4)), bold=rng.random() < 0.3)
    jitter = lambda v, a=0.8: _mm(v + rng.uniform(-a, a))   # noqa: E731 - a layout tweak per seed
    left = jitter(6.0)
    column = left + label.getlength("姓名") + jitter(3.6, 0.6)
    pitch = jitter(6.4, 0.4)
    row = jitter(10.5, 0.8)

    # The portrait first: it sits under nothing and the fields keep clear of it.
    face_box = (round(jitter(54.0, 1.0)), round(jitter(8.0, 1.0)))
    face_box = face_box + (face_box[0] + round(_mm(26.0)), face_box[1] + round(_mm(32.0)))
    face = portrait(canvas, face_box, rng)
    canvas.mark("face", face)

    canvas.text(left, row, "姓名", label, label_colour, spacing=_mm(1.2))
    canvas.text(column, row, c.name, value, ink, field="name")
    row += pitch
    canvas.text(left, row, "性别", label, label_colour, spacing=_mm(1.2))
    canvas.text(column, row, c.sex, value, ink, field="sex")
    nation_x = column + jitter(12.0, 1.0)
    canvas.text(nation_x, row, "民族", label, label_colour, spacing=_mm(1.2))
    canvas.text(nation_x + label.getlength("民族") + jitter(4.5, 0.6), row, c.ethnicity, value, ink, field="nationality")
    row += pitch
    canvas.text(left, row, "出生", label, label_colour, spacing=_mm(1.2))
    gap = _mm(rng.uniform(0.8, 1.6))
    canvas.runs(column, row, [(str(c.birth.year), value, ink), ("年", label, label_colour),
                              (str(c.birth.month), value, ink), ("月", label, label_colour),
                              (str(c.birth.day), value, ink), ("日", label, label_colour)], gap=gap, field="birth")
    row += pitch
    canvas.text(left, row, "住址", label, label_colour, spacing=_mm(1.2))
    width = face_box[0] - column - _mm(1.0)
    address_font = value
    while len(wrap(c.address, address_font, width)) > 3:
        address_font = font(address_font.size - 2, bold="Bold" in address_font.getname()[1])
    leading = rng.uniform(1.2, 1.35)
    for text in wrap(c.address, address_font, width):
        canvas.text(column, row, text, address_font, ink, field="address")
        row += address_font.size * leading
    number_row = jitter(47.5, 0.6)
    canvas.text(left, number_row, "公民身份号码", label, label_colour, spacing=_mm(0.5))
    digits = mono_font(round(_mm(rng.uniform(3.6, 4.0))))
    canvas.text(jitter(30.0, 1.0), number_row, c.id_number, digits, ink, field="num",
                spacing=_mm(rng.uniform(0.3, 0.6)))

    fields = {"name": c.name, "sex": c.sex, "nationality": c.ethnicity, "birth": f"{c.birth:%Y%m%d}",
              "address": c.address, "num": c.id_number}
    return canvas.finish("idcard_face", fields, distortion, seed, corner_radius=_mm(CORNER_MM))


def emblem(canvas: Canvas, centre: tuple[float, float], radius: float) -> None:
    """The national emblem, simplified: a red disc, a golden ring, five stars
    and the gate, enough to be recognised as the emblem area."""
    d = canvas.draw
    x, y, r = centre[0], centre[1], radius
    gold, red = (236, 190, 40), (206, 30, 35)
    d.ellipse((x - r, y - r, x + r, y + r), fill=gold)
    d.ellipse((x - r * 0.86, y - r * 0.86, x + r * 0.86, y + r * 0.86), fill=red)
    for i, (dx, dy, s) in enumerate(((0, -0.5, 0.2), (-0.3, -0.62, 0.08), (-0.12, -0.72, 0.08),
                                     (0.12, -0.72, 0.08), (0.3, -0.62, 0.08))):
        _star(canvas, (x + dx * r, y + dy * r), s * r, gold)
    d.rectangle((x - r * 0.45, y - r * 0.05, x + r * 0.45, y + r * 0.25), fill=gold)
    d.polygon(((x - r * 0.55, y - r * 0.05), (x, y - r * 0.25), (x + r * 0.55, y - r * 0.05)), fill=gold)
    d.rectangle((x - r * 0.6, y + r * 0.32, x + r * 0.6, y + r * 0.42), fill=gold)
    d.arc((x - r * 0.75, y - r * 0.75, x + r * 0.75, y + r * 0.75), 20, 160, fill=gold, width=max(2, round(r * 0.08)))


def _star(canvas: Canvas, centre: tuple[float, float], r: float, fill: tuple[int, int, int]) -> None:
    pts = []
    for k in range(10):
        a = -math.pi / 2 + k * math.pi / 5
        rr = r if k % 2 == 0 else r * 0.4
        pts.append((centre[0] + rr * math.cos(a), centre[1] + rr * math.sin(a)))
    canvas.draw.polygon(pts, fill=fill)


def _back(c: Citizen, rng: random.Random, seed: int, distortion: Distortion | None) -> DocumentSample:
    canvas = _ground(rng)
    jitter = lambda v, a=0.8: _mm(v + rng.uniform(-a, a))   # noqa: E731
    emblem(canvas, (jitter(14.0, 0.8), jitter(13.5, 0.8)), _mm(rng.uniform(7.6, 8.4)))
    ink = rgb((18, 18, 22), rng, 8)
    label_colour = rgb((46, 120, 178), rng, 14)
    title_x = jitter(32.0, 1.0)
    canvas.text(title_x, jitter(12.0, 0.5), "中华人民共和国", font(_mm(3.6), bold=True), ink, spacing=_mm(1.5))
    canvas.text(title_x - _mm(1.0), jitter(24.0, 0.5), "居民身份证", font(_mm(6.4), bold=True), ink, spacing=_mm(2.6))

    issued, expires = validity(rng, c.birth)
    label = font(_mm(rng.uniform(2.5, 2.8)))
    value = font(_mm(rng.uniform(3.0, 3.3)))
    left = jitter(15.5, 1.0)
    column = left + label.getlength("签发机关") + _mm(4 * 1.0) + jitter(3.0, 0.6)
    row = jitter(41.0, 0.8)
    office = issuing_office(c)
    canvas.text(left, row, "签发机关", label, label_colour, spacing=_mm(1.0))
    canvas.text(column, row, office, value, ink, field="issue")
    row += jitter(7.0, 0.4)
    canvas.text(left, row, "有效期限", label, label_colour, spacing=_mm(1.0))
    period = f"{issued:%Y.%m.%d}-" + (f"{expires:%Y.%m.%d}" if expires else "长期")
    canvas.text(column, row, period, value, ink)
    dash = period.index("-")
    canvas.mark_part("start_date", column, row, period, 0, dash, value)
    canvas.mark_part("end_date", column, row, period, dash + 1, len(period), value)
    fields = {"issue": office, "start_date": f"{issued:%Y%m%d}",
              "end_date": f"{expires:%Y%m%d}" if expires else "长期"}
    return canvas.finish("idcard_back", fields, distortion, seed, corner_radius=_mm(CORNER_MM))
