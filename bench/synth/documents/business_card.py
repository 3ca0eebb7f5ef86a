"""Business cards (名片, 90 × 54 mm) as they are printed, in seven designs: today's white card
(text left, right or centred, a logo block, an edge band), light type on a dark card, a coloured
card, a white card whose company sits in a coloured band, a vertical card (54 × 90 mm), an
English-first card (an English name, title and company over the Chinese company), and a card
without any labels. Within a design: one or two phones, fields left out, names spaced out,
titles beside the name, addresses wrapped over two rows, contact lines with or without labels
(or with a small icon where the label would be); the truth is the reference's name and arrays
(company, department, title, tel_cell, tel_work, addr, email)."""
from __future__ import annotations

import random
from dataclasses import dataclass

from bench.synth import corpus
from bench.synth.documents.card import Canvas, DocumentSample, font, rgb
from bench.synth.render import FAMILIES
from bench.synth.truth import Distortion

CARD_MM = (90.0, 54.0)
CARD_WIDTH = 1000
SCALE = CARD_WIDTH / CARD_MM[0]
CARD_HEIGHT = round(CARD_MM[1] * SCALE)

#: The designs a card is printed in. `business_card(seed)` takes them in turn, today's white
#: card twice in eight, so that any eight seeds in a row hold every design.
DESIGNS = ("classic", "dark", "coloured", "band", "vertical", "english", "plain")
_TURNS = ("classic", "dark", "coloured", "band", "classic", "vertical", "english", "plain")

DEPARTMENTS = ("市场部", "销售部", "技术部", "财务部", "人力资源部", "采购部", "研发中心", "客户服务中心",
               "华东事业部", "国际业务部", "产品部", "运营中心", "工程部", "行政部")
TITLES = ("经理", "销售经理", "总经理", "副总经理", "技术总监", "市场总监", "高级工程师", "工程师", "主任",
          "项目经理", "客户经理", "董事长", "总裁", "首席执行官", "设计总监", "财务总监", "CEO", "主管")
BRAND_SUFFIXES = ("集团", "控股", "集团")
INKS = ((25, 25, 30), (20, 40, 90), (60, 60, 60), (30, 30, 60))
ACCENTS = ((200, 30, 40), (20, 90, 170), (0, 120, 90), (230, 120, 0), (90, 40, 140))

# How each kind of contact line may be introduced; "" prints the value alone.
CELL_PREFIXES = ("手机：", "手机 ", "M：", "Mobile: ", "Mob: ", "手机/微信：", "")
WORK_PREFIXES = ("电话：", "座机：", "T：", "Tel: ", "")
FAX_PREFIXES = ("传真：", "F：", "Fax: ")
MAIL_PREFIXES = ("邮箱：", "E-mail: ", "Email: ", "")
ADDR_PREFIXES = ("地址：", "地址：", "Add: ", "")
# An English-first card's labels and titles.
ENGLISH_CELL_PREFIXES = ("Mob: ", "M: ", "Mobile: ", "")
ENGLISH_WORK_PREFIXES = ("Tel: ", "T: ", "")
ENGLISH_MAIL_PREFIXES = ("E-mail: ", "Email: ", "E: ", "")
ENGLISH_TITLES = ("Sales Manager", "General Manager", "Project Manager", "Technical Director", "Marketing Director",
                  "Senior Engineer", "Account Manager", "Vice President", "Product Designer", "Financial Controller")
# Grounds of the dark and coloured cards, and the type printed on them.
DARK_PAPERS = ((22, 28, 48), (28, 28, 30), (16, 52, 44), (58, 22, 30), (45, 45, 52))
LIGHT_INKS = ((245, 245, 245), (232, 204, 140), (214, 224, 236))
COLOURED_PAPERS = ((25, 90, 170), (175, 30, 40), (0, 110, 80), (196, 92, 14), (90, 45, 140))
PASTEL_PAPERS = ((250, 236, 190), (214, 230, 246), (222, 240, 225), (246, 224, 224))
# For the English name of a company, printed under the Chinese one on some cards.
CITY_ENGLISH = {"北京": "Beijing", "上海": "Shanghai", "天津": "Tianjin", "重庆": "Chongqing", "杭州": "Hangzhou",
                "宁波": "Ningbo", "南京": "Nanjing", "苏州": "Suzhou", "广州": "Guangzhou", "深圳": "Shenzhen",
                "成都": "Chengdu", "武汉": "Wuhan", "济南": "Jinan", "青岛": "Qingdao", "厦门": "Xiamen",
                "福州": "Fuzhou", "长沙": "Changsha", "西安": "Xi'an", "郑州": "Zhengzhou", "合肥": "Hefei",
                "沈阳": "Shenyang", "大连": "Dalian", "石家庄": "Shijiazhuang"}
BRAND_ENGLISH = {"华信": "Huaxin", "瑞达": "Ruida", "恒通": "Hengtong", "宏远": "Hongyuan", "金盛": "Jinsheng",
                 "天成": "Tiancheng", "博远": "Boyuan", "中科": "Zhongke", "永安": "Yongan", "嘉禾": "Jiahe",
                 "东方": "Dongfang", "长城": "Changcheng", "华夏": "Huaxia", "信达": "Xinda", "明德": "Mingde"}
INDUSTRY_ENGLISH = {"科技": "Technology", "信息技术": "Information Technology", "网络科技": "Network Technology",
                    "软件": "Software", "贸易": "Trading", "实业": "Industrial", "电子": "Electronics",
                    "物流": "Logistics", "食品": "Food", "服装": "Garment", "商贸": "Commerce"}



def business_card(seed: int, *, distortion: Distortion | None = None, design: str | None = None) -> DocumentSample:
    """A business card from its seed alone, in `design` (one of DESIGNS) or in one the seed
    draws, with the service's answer as its truth."""
    rng = random.Random(f"business-card-{seed}")
    # Drawn apart from the content: a seed's card says the same in any design but the English-first one.
    looks = random.Random(f"business-card-design-{seed}")
    design = design or _TURNS[seed % len(_TURNS)]
    if design not in DESIGNS:
        raise ValueError(f"design must be one of {DESIGNS}, not {design!r}")
    english_first, vertical = design == "english", design == "vertical"
    # How contact lines are introduced: a label (手机：, Tel:), nothing, or a small icon.
    labels = {"classic": "text", "plain": "none"}.get(design) or looks.choice(("text", "text", "none", "icon"))
    province, city, short, area, (district, _) = corpus.region(rng)
    name = corpus.person_name(rng)
    brand = rng.choice(corpus.BRANDS)
    industry = rng.choice(corpus.INDUSTRIES)
    company = short + brand + industry + rng.choice(corpus.COMPANY_SUFFIXES)
    english = (f"{CITY_ENGLISH[short]} {BRAND_ENGLISH[brand]} {INDUSTRY_ENGLISH[industry]} "
               + rng.choice(("Co., Ltd.", "Co.,Ltd.", "Co., Ltd"))) \
        if brand in BRAND_ENGLISH and industry in INDUSTRY_ENGLISH and (english_first or rng.random() < 0.6) else None
    truth: dict[str, list[str]] = {k: [] for k in ("company", "department", "title", "tel_cell", "tel_work",
                                                   "addr", "email")}

    def label(choices: tuple[str, ...], english_choices: tuple[str, ...] | None = None) -> str:
        chosen = rng.choice(english_choices if english_first and english_choices else choices)
        return chosen if labels == "text" else ""

    # The rows of the card, top to bottom: (kind, text, field, value for the truth: None to
    # take it from the text, "" for a row that continues the one before).
    head: list[tuple[str, str, str | None, str | None]] = []
    body: list[tuple[str, str, str | None, str | None]] = []
    with_company = rng.random() < 0.93
    company_on_top = rng.random() < 0.6
    department = title = None
    joined = False
    if english_first:
        # The English name as it is printed (Xiaodong Li, LI Xiaodong), the English title under it.
        surname, given = corpus.pinyin(name).title().split(" ")
        name = rng.choice((f"{surname} {given}", f"{given} {surname}", f"{surname.upper()} {given}"))
        if english:
            head.append(("english", english, "company", english))
        head.append(("name", name, "name", None))
        head.append(("small", rng.choice(ENGLISH_TITLES), "title", None))
    else:
        with_brand = rng.random() < 0.3
        if with_brand:
            head.append(("brand", brand + rng.choice(BRAND_SUFFIXES), "company", None))
        # A few cards (a freelancer's, a private one) name no company at all.
        with_company = with_brand or with_company
        if company_on_top and with_company:
            head.append(("company", company, "company", company))
            if english:
                head.append(("english", english, "company", english))
        # Two-character names are often spaced out to the width of three.
        spaced = len(name) == 2 and rng.random() < 0.3
        head.append(("name", name[0] + "\u3000" + name[1] if spaced else name, "name", None))
        if rng.random() < 0.3:
            head.append(("english", corpus.pinyin(name).title(), None, None))
        department = rng.choice(DEPARTMENTS) if rng.random() < 0.75 else None
        title = rng.choice(TITLES) if rng.random() < 0.85 else None
        joined = bool(department and title and rng.random() < 0.3)
        if joined:
            # One row: 市场部 | 销售经理.
            head.append(("small", department + rng.choice((" | ", "  ", "｜")) + title, "department", department))
        else:
            if department:
                head.append(("small", department, "department", None))
            if title:
                head.append(("small", title, "title", None))

    phones = rng.choice(("cell", "cell", "work", "both", "both", "two_cells"))
    if phones in ("cell", "both", "two_cells"):
        body.append(("contact", label(CELL_PREFIXES, ENGLISH_CELL_PREFIXES) + _mobile(rng), "tel_cell", None))
    if phones == "two_cells":
        body.append(("contact", label(CELL_PREFIXES, ENGLISH_CELL_PREFIXES) + _mobile(rng), "tel_cell", None))
    if phones in ("work", "both"):
        body.append(("contact", label(WORK_PREFIXES, ENGLISH_WORK_PREFIXES) + corpus.landline(rng, area),
                     "tel_work", None))
    # A fax is told from a phone only by its label.
    if rng.random() < 0.25 and labels == "text":
        body.append(("contact", rng.choice(FAX_PREFIXES) + corpus.landline(rng, area), None, None))
    if rng.random() < 0.7:
        # An English name has no pinyin to make the address of: an address of someone's name.
        address = corpus.email(rng, None if english_first else name)
        body.append(("contact", label(MAIL_PREFIXES, ENGLISH_MAIL_PREFIXES) + address, "email", None))
    if rng.random() < 0.8:
        address = (province if rng.random() < 0.6 else "") + city + district + corpus.street_address(rng)
        prefix = label(ADDR_PREFIXES, ("Add: ", "Address: "))
        cut = address.find("号") + 1
        # A vertical card's column holds some 16 characters: longer addresses wrap there.
        wrap = (len(address) >= 16 and rng.random() < 0.8) if vertical else len(address) >= 18 and rng.random() < 0.3
        if wrap and 3 <= len(address) - cut and cut >= 8:
            # Wrapped after the street number; the second row adds nothing to the truth.
            body.append(("contact", prefix + address[:cut], "addr", address))
            body.append(("contact", address[cut:], "addr", ""))
        else:
            body.append(("contact", prefix + address, "addr", address))
    if rng.random() < 0.2:
        body.append(("contact", f"{'邮编：' if labels == 'text' else ''}{rng.randint(100000, 850000)}", None, None))
    if rng.random() < 0.2:
        body.append(("contact", f"www.{corpus.SURNAMES.get(brand[0], 'hx')}{rng.randint(1, 99)}.com", None, None))
    if english_first and with_company:
        # Under the English lines, the company's Chinese name.
        body.append(("company", company, "company", company))
    elif not company_on_top and with_company:
        body.append(("company", company, "company", company))
        if english:
            body.append(("english", english, "company", english))
    rows = head + body
    for kind, text, field, value in rows:
        if field in truth and value != "":
            truth[field].append(value or _value_of(kind, text, field))
    if joined:
        truth["title"].append(title)

    width, height = (CARD_HEIGHT, CARD_WIDTH) if vertical else (CARD_WIDTH, CARD_HEIGHT)
    paper, ink, accent = _colours(rng, design)
    canvas = Canvas(width, height)
    canvas.draw.rectangle((0, 0, width, height), fill=paper)
    family = rng.choice(FAMILIES)
    sizes = {"brand": rng.uniform(4.0, 4.6), "company": rng.uniform(2.8, 3.3), "name": rng.uniform(5.2, 6.2),
             "english": rng.uniform(2.3, 2.6), "small": rng.uniform(2.6, 3.0), "contact": rng.uniform(2.3, 2.6)}
    if english_first:
        sizes["name"] = rng.uniform(4.6, 5.4)
    style = _Style(ink, accent, family, sizes, labels == "icon", beside=not (vertical or english_first))
    if design == "band":
        head, body, band_mm = _company_band(canvas, rng, head, body, company_on_top, paper, accent, style)
        top, bottom = (band_mm + 4.0, CARD_MM[1] - 4.0) if company_on_top else (5.0, CARD_MM[1] - band_mm - 3.0)
        align = rng.choice(("left", "left", "centre"))
        left, right = 8 * SCALE, width - 8 * SCALE
    elif vertical:
        align = rng.choice(("centre", "centre", "left"))
        left, right = 6 * SCALE, width - 6 * SCALE
        logo_mm = 0.0
        if rng.random() < 0.7:
            logo_mm = rng.uniform(11, 14)
            x = (width - logo_mm * SCALE) / 2 if align == "centre" else left
            _logo(canvas, rng, x, 8 * SCALE, logo_mm * SCALE, accent, paper)
        top, bottom = 8.0 + logo_mm + 3.0 + rng.uniform(0, 3.0), CARD_MM[0] - 6.0 - rng.uniform(0, 2.0)
    else:
        align, left, right = _logo_and_column(canvas, rng, paper, accent, edge_band=design == "classic")
        top, bottom = 6.0 + rng.uniform(0, 2.0), CARD_MM[1] - 4.5 - rng.uniform(0, 1.5)
    _lay_out(canvas, rng, head, body, top, bottom, left, right, align, style)
    if joined:
        canvas.mark("title", canvas.rects["department"])
    fields = {"name": name, **truth}
    return canvas.finish("business_card", fields, distortion, seed, corner_radius=rng.choice((0.0, 0.0, 20.0)))


@dataclass(frozen=True)
class _Style:
    """How a card's rows are printed: colours, font family, type sizes (mm), icons before
    contact lines, and whether a title may stand beside the name."""

    ink: tuple
    accent: tuple
    family: str
    sizes: dict[str, float]
    icons: bool
    beside: bool


_GAPS = {"name": 3.0, "brand": 2.5, "company": 2.2, "english": 1.6, "small": 1.6, "contact": 1.3}


def _lay_out(canvas: Canvas, rng: random.Random, head: list, body: list, top: float, bottom: float, left: float,
             right: float, align: str, style: _Style) -> None:
    """The head rows (company, name, title) from `top` down and the contact rows up to `bottom`
    (mm), in the column from `left` to `right` (px), squeezed to fit."""
    sizes = style.sizes
    # The title often stands beside the name, on its baseline.
    beside = next((row for row in head if row[2] == "title"), None) if style.beside and rng.random() < 0.35 else None
    stacked = [row for row in head if row is not beside]

    def height(rows: list) -> float:
        return sum(sizes[k] + _GAPS[k] for k, *_ in rows) - _GAPS[rows[-1][0]] if rows else 0.0

    squeeze = min(1.0, (bottom - top - 3.0) / (height(stacked) + height(body)))
    y = top * SCALE
    for kind, text, field, _ in stacked:
        size = sizes[kind] * squeeze
        y += size * SCALE
        x, end = _line(canvas, rng, align, left, right, y, kind, text, field, size, style)
        if kind == "name" and beside:
            fnt = font(sizes["small"] * squeeze * SCALE, family=style.family)
            gap = rng.uniform(3.0, 5.0) * SCALE
            at = end + gap if align != "right" else x - fnt.getlength(beside[1]) - gap
            canvas.text(at, y, beside[1], fnt, style.ink, field="title")
        y += _GAPS[kind] * squeeze * SCALE
    y = max(y + 2.0 * SCALE, (bottom - height(body) * squeeze) * SCALE)
    for kind, text, field, _ in body:
        size = sizes[kind] * squeeze
        y += size * SCALE
        _line(canvas, rng, align, left, right, y, kind, text, field, size, style)
        y += _GAPS[kind] * squeeze * SCALE


def _line(canvas: Canvas, rng: random.Random, align: str, left: float, right: float, baseline: float, kind: str,
          text: str, field: str | None, size: float, style: _Style) -> tuple[float, float]:
    """Draw one row in the card's alignment, shrunk to the column; where it starts and ends.
    A contact row on a card with icons has a small mark two characters before it."""
    bold = kind in ("name", "brand", "company")
    icon = style.icons and kind == "contact"
    room = 2.0 * size * SCALE if icon else 0.0
    fnt = font(size * SCALE, bold=bold, family=style.family)
    while fnt.getlength(text) > right - left - room and fnt.size > 14:
        fnt = font(fnt.size - 2, bold=bold, family=style.family)
    width = fnt.getlength(text)
    x = {"left": left + room, "right": right - width, "centre": left + (right - left - width + room) / 2}[align]
    colour = style.accent if kind in ("brand", "company") and rng.random() < 0.5 else style.ink
    if icon:
        d = 0.75 * fnt.size
        box = (x - room, baseline - 0.8 * fnt.size, x - room + d, baseline - 0.8 * fnt.size + d)
        if rng.random() < 0.5:
            canvas.draw.ellipse(box, fill=style.accent)
        else:
            canvas.draw.rounded_rectangle(box, radius=d * 0.25, fill=style.accent)
    canvas.text(x, baseline, text, fnt, colour, field=field)
    return x, x + width


def _colours(rng: random.Random, design: str) -> tuple[tuple, tuple, tuple]:
    """The card's paper, its ink, and the accent of its logo and company name."""
    if design == "dark":
        paper = rgb(rng.choice(DARK_PAPERS), rng, 6)
        ink = rgb(rng.choice(LIGHT_INKS), rng, 6)
        return paper, ink, rgb(rng.choice(LIGHT_INKS), rng, 8)
    if design == "coloured":
        if rng.random() < 0.6:
            # White type on a saturated card.
            paper = rgb(rng.choice(COLOURED_PAPERS), rng, 8)
            return paper, rgb((248, 248, 248), rng, 4), rgb(rng.choice(LIGHT_INKS), rng, 6)
        paper = rgb(rng.choice(PASTEL_PAPERS), rng, 4)
        return paper, rgb(rng.choice(INKS), rng, 6), rgb(rng.choice(ACCENTS), rng, 10)
    paper = rgb(rng.choice(((255, 255, 255), (250, 248, 240), (245, 247, 250))), rng, 4)
    return paper, rgb(rng.choice(INKS), rng, 6), rgb(rng.choice(ACCENTS), rng, 10)


def _logo(canvas: Canvas, rng: random.Random, x: float, y: float, size: float, colour: tuple,
          cut_colour: tuple) -> None:
    """A mark without letters (a filled shape with a cut of the paper's colour), as logos often are."""
    box = (x, y, x + size, y + size)
    shape = rng.choice(("circle", "square", "diamond"))
    if shape == "circle":
        canvas.draw.ellipse(box, fill=colour)
    elif shape == "square":
        canvas.draw.rounded_rectangle(box, radius=size * 0.2, fill=colour)
    else:
        cx, cy = x + size / 2, y + size / 2
        canvas.draw.polygon(((cx, y), (x + size, cy), (cx, y + size), (x, cy)), fill=colour)
    cut = size * 0.18
    canvas.draw.ellipse((x + size / 2 - cut, y + size / 2 - cut, x + size / 2 + cut, y + size / 2 + cut),
                        fill=cut_colour)


def _logo_and_column(canvas: Canvas, rng: random.Random, paper: tuple, accent: tuple,
                     edge_band: bool) -> tuple[str, float, float]:
    """A landscape card's logo block (and, on today's card, a band along an edge), and where
    its text goes: alignment and the column."""
    align = rng.choice(("left", "left", "right", "centre"))
    mm = SCALE
    logo = rng.random() < 0.7
    if align == "left":
        left, right = 8 * mm, CARD_WIDTH - (26 if logo else 8) * mm
        logo_x = CARD_WIDTH - 22 * mm
    elif align == "right":
        left, right = (26 if logo else 8) * mm, CARD_WIDTH - 8 * mm
        logo_x = 6 * mm
    else:
        left, right = (20 if logo else 8) * mm, CARD_WIDTH - (20 if logo else 8) * mm
        logo_x = 4 * mm
    if logo:
        y0, size = rng.uniform(5, 12) * mm, rng.uniform(12, 15) * mm
        if align == "centre":
            size = rng.uniform(11, 13) * mm
        _logo(canvas, rng, logo_x, y0, size, accent, paper)
    if edge_band and rng.random() < 0.4:
        # A thin coloured band along the bottom or top edge.
        band = rng.uniform(1.5, 3.0) * mm
        y = CARD_HEIGHT - band if rng.random() < 0.7 else 0
        canvas.draw.rectangle((0, y, CARD_WIDTH, y + band), fill=accent)
    return align, left, right


def _company_band(canvas: Canvas, rng: random.Random, head: list, body: list, on_top: bool, paper: tuple,
                  accent: tuple, style: _Style) -> tuple[list, list, float]:
    """A coloured band across the top (or the bottom) of the card holding the logo and the
    company's rows in the paper's colour; the rows left for the rest of the card, and the
    band's height (mm)."""
    rows = [row for row in head + body if row[2] == "company"]
    sizes = [style.sizes[k] for k, *_ in rows]
    band_mm = max(12.0, sum(sizes) + 2.0 * max(0, len(rows) - 1) + rng.uniform(7.0, 10.0))
    y0 = 0.0 if on_top else CARD_HEIGHT - band_mm * SCALE
    canvas.draw.rectangle((0, y0, CARD_WIDTH, y0 + band_mm * SCALE), fill=accent)
    logo = 0.6 * band_mm * SCALE
    _logo(canvas, rng, 6 * SCALE, y0 + 0.2 * band_mm * SCALE, logo, paper, accent)
    left, right = 6 * SCALE + logo + 4 * SCALE, CARD_WIDTH - 6 * SCALE
    band_style = _Style(paper, paper, style.family, style.sizes, False, False)
    y = y0 + (band_mm - sum(sizes) - 2.0 * max(0, len(rows) - 1)) / 2 * SCALE
    for kind, text, field, _ in rows:
        y += style.sizes[kind] * SCALE
        _line(canvas, rng, "left", left, right, y, kind, text, field, style.sizes[kind], band_style)
        y += 2.0 * SCALE
    return [row for row in head if row not in rows], [row for row in body if row not in rows], band_mm


def _mobile(rng: random.Random) -> str:
    number = corpus.mobile(rng).replace("-", "")
    style = rng.random()
    if style < 0.2:
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    if style < 0.35:
        return f"{number[:3]}-{number[3:7]}-{number[7:]}"
    if style < 0.45:
        return "+86 " + number
    return number


def _value_of(kind: str, text: str, field: str) -> str:
    """What the service answers for a printed line: the value without its prefix, phones
    as digits only (the reference's 057185212345), a +86 country code left out."""
    if field in ("tel_cell", "tel_work"):
        digits = "".join(ch for ch in text if ch.isdigit())
        return digits[2:] if field == "tel_cell" and len(digits) == 13 else digits
    if field == "email":
        return text.split()[-1].split("：")[-1]
    return text
