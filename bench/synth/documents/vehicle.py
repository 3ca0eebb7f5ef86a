"""The motor vehicle licence (机动车行驶证, 88 × 60 mm): the main page with
the plate, owner, model, VIN and engine number, and the supplementary page
with the vehicle's masses, dimensions and inspection record."""
from __future__ import annotations

import datetime as dt
import random

from bench.synth import corpus
from bench.synth.documents.card import Canvas, DocumentSample, font, guilloche, mono_font, rgb
from bench.synth.documents.idcard import citizen
from bench.synth.documents.licence import CARD_HEIGHT, CARD_WIDTH, CORNER_MM, SCALE, seal
from bench.synth.render import wrap
from bench.synth.truth import Distortion

# Plate prefixes of the cities the corpus knows.
PLATE_PREFIX = {
    "北京市": "京A", "上海市": "沪A", "天津市": "津A", "重庆市": "渝A", "杭州市": "浙A", "宁波市": "浙B",
    "南京市": "苏A", "苏州市": "苏E", "广州市": "粤A", "深圳市": "粤B", "成都市": "川A", "武汉市": "鄂A",
    "济南市": "鲁A", "青岛市": "鲁B", "厦门市": "闽D", "福州市": "闽A", "长沙市": "湘A", "西安市": "陕A",
    "郑州市": "豫A", "合肥市": "皖A", "沈阳市": "辽A", "大连市": "辽B", "石家庄市": "冀A",
}
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"   # never I or O
# (type, brand-model, seats, unladen kg, gross kg, length, width, height mm)
MODELS = (
    ("小型轿车", "大众汽车牌SVW7180LE1", 5, 1290, 1720, 4687, 1778, 1469),
    ("小型轿车", "丰田牌TV7250Luxury", 5, 1505, 2000, 4945, 1845, 1480),
    ("小型轿车", "本田牌HG7201AB", 5, 1380, 1820, 4893, 1862, 1449),
    ("小型普通客车", "别克牌SGM6521UAAA", 7, 1835, 2390, 5256, 1878, 1776),
    ("小型越野客车", "哈弗牌CC6460RM21", 5, 1575, 2025, 4649, 1852, 1710),
    ("小型轿车", "比亚迪牌BYD7152WT6HEVC", 5, 1615, 1990, 4980, 1890, 1495),
    ("小型轿车", "吉利牌MR7152D06", 5, 1235, 1660, 4635, 1789, 1470),
)
CODES = ("vin", "engine_num", "file_no")        # printed in the digit-friendly font
USES = ("非营运",) * 6 + ("营运", "出租客运", "租赁", "出租转非")
# Where the issuing authority's seal is stamped on the main page: the row (of seven) it is
# centred on and mm from the table's left edge; None is over the values right of the middle,
# as our first layout had it. Other printers stamp it over the labels of the lower rows.
SEAL_PLACES = {"values": None, "engine": (5, 12.0), "owner": (1, 10.0), "vin": (4, 16.0)}
# The supplementary page: no stamp, the inspection stamp over the record, or a seal over the
# labels of the masses.
BACK_STAMPS = {"none": None, "inspection": (5, 30.0), "masses": (1.5, 12.0)}


def face_layout(seed: int) -> tuple[str, bool]:
    """The layout family of a main page: where its seal sits (a key of SEAL_PLACES), and
    whether its address is printed at full size on two lines instead of shrunk into its row.
    Drawn apart from the page's other randomness, so that a seed keeps its vehicle and its
    jitter whichever family it falls in."""
    rng = random.Random(f"vehicle-family-{seed}")
    place = rng.choice(("values", "values", "engine", "owner", "vin"))
    return place, rng.random() < 0.35


def back_layout(seed: int) -> str:
    """Which stamp the supplementary page carries (a key of BACK_STAMPS)."""
    return random.Random(f"vehicle-back-family-{seed}").choice(("none", "none", "inspection", "masses"))


def plate_number(rng: random.Random, city: str) -> str:
    """E.g. 浙A8K2Q1: the city's prefix, then five digits of which at most two are letters."""
    letters = set(rng.sample(range(5), rng.choice((0, 1, 1, 2, 2))))
    return PLATE_PREFIX.get(city, "京A") + "".join(
        rng.choice(PLATE_LETTERS) if k in letters else rng.choice("0123456789") for k in range(5))


def vehicle_license(seed: int, side: str = "face", *, distortion: Distortion | None = None,
                    layout: tuple[str, bool] | None = None) -> DocumentSample:
    """A vehicle licence's main page ("face") or supplementary page ("back")
    from its seed alone; both pages of one seed describe the same vehicle. A main page's
    `layout` (a face_layout) may be given instead of the seed's own."""
    if side not in ("face", "back"):
        raise ValueError(f"side must be 'face' or 'back', not {side!r}")
    owner = citizen(random.Random(seed))
    rng = random.Random(f"vehicle-{seed}")
    kind, model, seats, unladen, gross, length, width, height = rng.choice(MODELS)
    registered = corpus.date(rng, 2010, 2024)
    issued = registered if rng.random() < 0.7 else corpus.date(rng, registered.year, 2024)
    issued = max(issued, registered)
    company = rng.random() < 0.25
    vehicle = {
        "plate_num": plate_number(rng, owner.city), "vehicle_type": kind,
        "owner": corpus.company_name(rng) if company else owner.name,
        "use_character": rng.choice(USES), "addr": owner.address, "model": model,
        "vin": corpus.vin(rng, registered.year), "engine_num": _engine_number(rng),
        "register_date": f"{registered:%Y%m%d}", "issue_date": f"{issued:%Y-%m-%d}",
    }
    inspected = dt.date(min(registered.year + rng.randint(2, 6), 2026), rng.randint(1, 12), 1)
    prefix = vehicle["plate_num"]
    back = {
        "plate_num": prefix, "file_no": f"{owner.id_number[:6]}{rng.randint(0, 999999):06d}",
        "appproved_passenger_capacity": f"{seats}人", "approved_load": "", "gross_mass": f"{gross}kg",
        "unladen_mass": f"{unladen}kg", "overall_dimension": f"{length}x{width}x{height}mm", "traction_mass": "",
        "inspection_record": f"检验有效期至{inspected.year}年{inspected.month:02d}月{prefix[:2]}({rng.randint(1, 9):02d})",
    }
    family = layout or face_layout(seed)
    layout = random.Random(f"vehicle-{side}-{seed}")
    if side == "face":
        return _face(vehicle, owner.province + owner.city, layout, seed, distortion, family)
    return _back(back, layout, seed, distortion)


def _engine_number(rng: random.Random) -> str:
    style = rng.random()
    if style < 0.4:
        return f"{rng.randint(0, 999999):06d}"
    letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(rng.randint(1, 3)))
    return letters + f"{rng.randint(0, 10**7 - 1):07d}"


def _ground(rng: random.Random) -> Canvas:
    base = rgb((238, 238, 234), rng, 5)
    return Canvas(CARD_WIDTH, CARD_HEIGHT, guilloche(
        CARD_WIDTH, CARD_HEIGHT, rng, base, (rgb((222, 206, 200), rng, 8), rgb((200, 214, 226), rng, 8)), 0.2))


def _grid(canvas: Canvas, rng: random.Random, title: str, subtitle: str,
          rows: list[list[tuple[str, str, str, str | None]]], wrapped: bool = False) -> tuple[float, float, float]:
    """A bordered table under a title: each row holds cells of (Chinese
    label, English label, value, field); cells share the row's width. A `wrapped` address is
    printed larger, broken onto a second line whatever its length. Returns the table's left,
    top and row pitch."""
    mm = lambda v: v * SCALE                               # noqa: E731
    ink = rgb((20, 20, 24), rng, 8)
    label_colour = rgb((40, 40, 48), rng, 8)
    frame = rgb((110, 120, 140), rng, 12)
    head = font(mm(3.8), bold=True)
    canvas.text((CARD_WIDTH - head.getlength(title)) / 2 + mm(rng.uniform(-1, 1)), mm(7.0 + rng.uniform(-0.3, 0.3)),
                title, head, ink)
    sub = font(mm(2.0))
    canvas.text((CARD_WIDTH - sub.getlength(subtitle)) / 2, mm(10.8), subtitle, sub, label_colour)
    left, right = mm(4.0 + rng.uniform(-0.3, 0.3)), CARD_WIDTH - mm(4.0 + rng.uniform(-0.3, 0.3))
    top, bottom = mm(13.0 + rng.uniform(-0.3, 0.3)), CARD_HEIGHT - mm(4.0)
    pitch = (bottom - top) / len(rows)
    label = font(mm(rng.uniform(2.1, 2.4)))
    english = font(mm(1.5))
    value = font(mm(rng.uniform(2.6, 3.0)))
    size_of_codes = round(mm(rng.uniform(2.9, 3.2)))
    canvas.draw.rectangle((left, top, right, bottom), outline=frame, width=3)
    for r, cells in enumerate(rows):
        y = top + pitch * r
        if r:
            canvas.draw.line((left, y, right, y), fill=frame, width=2)
        cell_w = (right - left) / len(cells)
        for k, (zh, en, text, field) in enumerate(cells):
            x = left + cell_w * k
            if k:
                canvas.draw.line((x, y, x, y + pitch), fill=frame, width=2)
            canvas.text(x + mm(1.0), y + pitch * 0.48, zh, label, label_colour)
            canvas.text(x + mm(1.0), y + pitch * 0.48 + english.size * 1.1, en, english, label_colour)
            vx = x + mm(1.0) + max(label.getlength(zh), english.getlength(en)) + mm(rng.uniform(1.5, 3.0))
            if not text:
                continue
            make = mono_font if field in CODES else font
            fnt = make(size_of_codes if field in CODES else value.size)
            room = x + cell_w - vx - mm(1.0)
            while field != "addr" and fnt.getlength(text) > room and fnt.size > 14:
                fnt = make(fnt.size - 2)
            if field == "addr" and wrapped:
                fnt = make(round(pitch * 0.4))
                room = min(room, fnt.getlength(text) * rng.uniform(0.55, 0.75))
            elif field == "addr":
                # Two lines must share one row: shrink until they fit.
                while len(wrap(text, fnt, room)) > 1 and fnt.size > pitch * 0.38:
                    fnt = make(fnt.size - 2)
                while len(wrap(text, fnt, room)) > 2:
                    fnt = make(fnt.size - 2)
            parts = wrap(text, fnt, room, min_last_chars=2 if wrapped else 4) if field == "addr" else [text]
            lead = 0.44 if field == "addr" and wrapped else 0.42
            for i, part in enumerate(parts):
                base = y + pitch * (0.5 + lead * (i - (len(parts) - 1) / 2)) + fnt.size * 0.35
                canvas.text(vx, base, part, fnt, ink, field=field)
    return left, top, pitch


def _face(v: dict[str, str], office_area: str, rng: random.Random, seed: int,
          distortion: Distortion | None, family: tuple[str, bool]) -> DocumentSample:
    canvas = _ground(rng)
    registered = dt.datetime.strptime(v["register_date"], "%Y%m%d").date()
    rows = [
        [("号牌号码", "Plate No.", v["plate_num"], "plate_num"), ("车辆类型", "Vehicle Type", v["vehicle_type"], "vehicle_type")],
        [("所有人", "Owner", v["owner"], "owner")],
        [("住址", "Address", v["addr"], "addr")],
        [("使用性质", "Use Character", v["use_character"], "use_character"), ("品牌型号", "Model", v["model"], "model")],
        [("车辆识别代号", "VIN", v["vin"], "vin")],
        [("发动机号码", "Engine No.", v["engine_num"], "engine_num")],
        [("注册日期", "Register Date", f"{registered:%Y-%m-%d}", "register_date"),
         ("发证日期", "Issue Date", v["issue_date"], "issue_date")],
    ]
    place, wrapped = family
    left, top, pitch = _grid(canvas, rng, "中华人民共和国机动车行驶证", "Vehicle License of the People's Republic of China",
                             rows, wrapped)
    office = f"{office_area}公安局交通警察支队"
    if SEAL_PLACES[place] is None:
        seal(canvas, (SCALE * rng.uniform(66, 74), SCALE * rng.uniform(40, 46)), SCALE * 8.5, office, rng)
    else:
        # Over a label of the lower rows and the start of its value, in a darker ink.
        row, across = SEAL_PLACES[place]
        seal(canvas, (left + SCALE * (across + rng.uniform(-2, 2)), top + pitch * (row + rng.uniform(0.35, 0.65))),
             SCALE * rng.uniform(8.0, 9.5), office, rng, opacity=rng.uniform(150, 210))
    return canvas.finish("vehicle_license_face", dict(v), distortion, seed, corner_radius=SCALE * CORNER_MM)


def _back(b: dict[str, str], rng: random.Random, seed: int, distortion: Distortion | None) -> DocumentSample:
    canvas = _ground(rng)
    rows = [
        [("号牌号码", "Plate No.", b["plate_num"], "plate_num"), ("档案编号", "File No.", b["file_no"], "file_no")],
        [("核定载人数", "Passengers", b["appproved_passenger_capacity"], "appproved_passenger_capacity"),
         ("总质量", "Gross Mass", b["gross_mass"], "gross_mass")],
        [("整备质量", "Unladen Mass", b["unladen_mass"], "unladen_mass"), ("核定载质量", "Approved Load", "--", None)],
        [("外廓尺寸", "Overall Dimension", b["overall_dimension"], "overall_dimension")],
        [("准牵引总质量", "Traction Mass", "--", None)],
        [("检验记录", "Inspection Record", b["inspection_record"], "inspection_record")],
    ]
    left, top, pitch = _grid(canvas, rng, "中华人民共和国机动车行驶证副页", "Vehicle License Supplementary Page", rows)
    stamp = BACK_STAMPS[back_layout(seed)]
    if stamp is not None:
        row, across = stamp
        seal(canvas, (left + SCALE * (across + rng.uniform(-2, 2)), top + pitch * (row + rng.uniform(0.35, 0.65))),
             SCALE * rng.uniform(7.5, 9.0), "检验合格" if row == 5 else "公安局交通警察支队车辆管理所", rng,
             opacity=rng.uniform(140, 200))
    return canvas.finish("vehicle_license_back", dict(b), distortion, seed, corner_radius=SCALE * CORNER_MM)
