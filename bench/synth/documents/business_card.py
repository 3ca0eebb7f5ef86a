"""Business cards (名片, 90 × 54 mm) in the layouts they come in: text left, right or centred,
a logo block, one or two phones, fields left out, a few English lines (pinyin names, company
names), names spaced out, titles beside the name, addresses wrapped over two rows; the truth
is the reference's name and arrays (company, department, title, tel_cell, tel_work, addr, email)."""
from __future__ import annotations

import random

from bench.synth import corpus
from bench.synth.documents.card import Canvas, DocumentSample, font, rgb
from bench.synth.truth import Distortion

CARD_MM = (90.0, 54.0)
CARD_WIDTH = 1000
SCALE = CARD_WIDTH / CARD_MM[0]
CARD_HEIGHT = round(CARD_MM[1] * SCALE)

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


def business_card(seed: int, *, distortion: Distortion | None = None) -> DocumentSample:
    """A business card from its seed alone, with the service's answer as its truth."""
    rng = random.Random(f"business-card-{seed}")
    province, city, short, area, (district, _) = corpus.region(rng)
    name = corpus.person_name(rng)
    brand = rng.choice(corpus.BRANDS)
    industry = rng.choice(corpus.INDUSTRIES)
    company = short + brand + industry + rng.choice(corpus.COMPANY_SUFFIXES)
    english = (f"{CITY_ENGLISH[short]} {BRAND_ENGLISH[brand]} {INDUSTRY_ENGLISH[industry]} "
               + rng.choice(("Co., Ltd.", "Co.,Ltd.", "Co., Ltd"))) \
        if brand in BRAND_ENGLISH and industry in INDUSTRY_ENGLISH and rng.random() < 0.6 else None
    truth: dict[str, list[str]] = {k: [] for k in ("company", "department", "title", "tel_cell", "tel_work",
                                                   "addr", "email")}
    # The rows of the card, top to bottom: (kind, text, field, value for the truth: None to
    # take it from the text, "" for a row that continues the one before).
    head: list[tuple[str, str, str | None, str | None]] = []
    body: list[tuple[str, str, str | None, str | None]] = []

    with_brand = rng.random() < 0.3
    if with_brand:
        head.append(("brand", brand + rng.choice(BRAND_SUFFIXES), "company", None))
    # A few cards (a freelancer's, a private one) name no company at all.
    with_company = with_brand or rng.random() < 0.93
    company_on_top = rng.random() < 0.6
    if company_on_top and with_company:
        head.append(("company", company, "company", company))
        if english:
            head.append(("english", english, "company", english))
    # Two-character names are often spaced out to the width of three.
    head.append(("name", name[0] + "\u3000" + name[1] if len(name) == 2 and rng.random() < 0.3 else name, "name", None))
    if rng.random() < 0.3:
        head.append(("english", corpus.pinyin(name).title(), None, None))
    department = rng.choice(DEPARTMENTS) if rng.random() < 0.75 else None
    title = rng.choice(TITLES) if rng.random() < 0.85 else None
    joined = department and title and rng.random() < 0.3
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
        body.append(("contact", rng.choice(CELL_PREFIXES) + _mobile(rng), "tel_cell", None))
    if phones == "two_cells":
        body.append(("contact", rng.choice(CELL_PREFIXES) + _mobile(rng), "tel_cell", None))
    if phones in ("work", "both"):
        body.append(("contact", rng.choice(WORK_PREFIXES) + corpus.landline(rng, area), "tel_work", None))
    if rng.random() < 0.25:
        body.append(("contact", rng.choice(FAX_PREFIXES) + corpus.landline(rng, area), None, None))
    if rng.random() < 0.7:
        body.append(("contact", rng.choice(MAIL_PREFIXES) + corpus.email(rng, name), "email", None))
    if rng.random() < 0.8:
        address = (province if rng.random() < 0.6 else "") + city + district + corpus.street_address(rng)
        prefix = rng.choice(ADDR_PREFIXES)
        cut = address.find("号") + 1
        if len(address) >= 18 and 3 <= len(address) - cut and cut >= 8 and rng.random() < 0.3:
            # Wrapped after the street number; the second row adds nothing to the truth.
            body.append(("contact", prefix + address[:cut], "addr", address))
            body.append(("contact", address[cut:], "addr", ""))
        else:
            body.append(("contact", prefix + address, "addr", address))
    if rng.random() < 0.2:
        body.append(("contact", f"邮编：{rng.randint(100000, 850000)}", None, None))
    if rng.random() < 0.2:
        body.append(("contact", f"www.{corpus.SURNAMES.get(brand[0], 'hx')}{rng.randint(1, 99)}.com", None, None))
    if not company_on_top and with_company:
        body.append(("company", company, "company", company))
        if english:
            body.append(("english", english, "company", english))
    rows = head + body
    for kind, text, field, value in rows:
        if field in truth and value != "":
            truth[field].append(value or _value_of(kind, text, field))
    if joined:
        truth["title"].append(title)

    canvas, ink, accent, align, left, right = _ground(rng)
    sizes = {"brand": rng.uniform(4.0, 4.6), "company": rng.uniform(2.8, 3.3), "name": rng.uniform(5.2, 6.2),
             "english": rng.uniform(2.3, 2.6), "small": rng.uniform(2.6, 3.0), "contact": rng.uniform(2.3, 2.6)}
    gaps = {"name": 3.0, "brand": 2.5, "company": 2.2, "english": 1.6, "small": 1.6, "contact": 1.3}
    # The title often stands beside the name, on its baseline.
    beside = next((row for row in head if row[2] == "title"), None) if rng.random() < 0.35 else None
    stacked = [row for row in head if row is not beside]
    top, bottom = 6.0 + rng.uniform(0, 2.0), CARD_MM[1] - 4.5 - rng.uniform(0, 1.5)
    height = lambda rows: sum(sizes[k] + gaps[k] for k, *_ in rows) - gaps[rows[-1][0]]  # noqa: E731
    squeeze = min(1.0, (bottom - top - 3.0) / (height(stacked) + height(body)))
    y = top * SCALE
    for kind, text, field, _ in stacked:
        size = sizes[kind] * squeeze
        y += size * SCALE
        x, end = _line(canvas, rng, align, left, right, y, kind, text, field, size, ink, accent)
        if kind == "name" and beside:
            fnt = font(sizes["small"] * squeeze * SCALE)
            gap = rng.uniform(3.0, 5.0) * SCALE
            at = end + gap if align != "right" else x - fnt.getlength(beside[1]) - gap
            canvas.text(at, y, beside[1], fnt, ink, field="title")
        y += gaps[kind] * squeeze * SCALE
    y = max(y + 2.0 * SCALE, (bottom - height(body) * squeeze) * SCALE)
    for kind, text, field, _ in body:
        size = sizes[kind] * squeeze
        y += size * SCALE
        _line(canvas, rng, align, left, right, y, kind, text, field, size, ink, accent)
        y += gaps[kind] * squeeze * SCALE
    if joined:
        canvas.mark("title", canvas.rects["department"])
    fields = {"name": name, **truth}
    return canvas.finish("business_card", fields, distortion, seed, corner_radius=rng.choice((0.0, 0.0, 20.0)))


def _line(canvas: Canvas, rng: random.Random, align: str, left: float, right: float, baseline: float, kind: str,
          text: str, field: str | None, size: float, ink: tuple, accent: tuple) -> tuple[float, float]:
    """Draw one row in the card's alignment, shrunk to the column; where it starts and ends."""
    bold = kind in ("name", "brand", "company")
    fnt = font(size * SCALE, bold=bold)
    while fnt.getlength(text) > right - left and fnt.size > 14:
        fnt = font(fnt.size - 2, bold=bold)
    width = fnt.getlength(text)
    x = {"left": left, "right": right - width, "centre": left + (right - left - width) / 2}[align]
    colour = accent if kind in ("brand", "company") and rng.random() < 0.5 else ink
    canvas.text(x, baseline, text, fnt, colour, field=field)
    return x, x + width


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


def _ground(rng: random.Random) -> tuple[Canvas, tuple, tuple, str, float, float]:
    """A blank card with a logo block, and where its text goes: alignment and the column."""
    canvas = Canvas(CARD_WIDTH, CARD_HEIGHT)
    paper = rgb(rng.choice(((255, 255, 255), (250, 248, 240), (245, 247, 250))), rng, 4)
    canvas.draw.rectangle((0, 0, CARD_WIDTH, CARD_HEIGHT), fill=paper)
    ink = rgb(rng.choice(INKS), rng, 6)
    accent = rgb(rng.choice(ACCENTS), rng, 10)
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
        # A mark without letters (a filled shape with a white cut), as logos often are.
        y0, size = rng.uniform(5, 12) * mm, rng.uniform(12, 15) * mm
        if align == "centre":
            size = rng.uniform(11, 13) * mm
        box = (logo_x, y0, logo_x + size, y0 + size)
        shape = rng.choice(("circle", "square", "diamond"))
        if shape == "circle":
            canvas.draw.ellipse(box, fill=accent)
        elif shape == "square":
            canvas.draw.rounded_rectangle(box, radius=size * 0.2, fill=accent)
        else:
            cx, cy = logo_x + size / 2, y0 + size / 2
            canvas.draw.polygon(((cx, y0), (logo_x + size, cy), (cx, y0 + size), (logo_x, cy)), fill=accent)
        cut = size * 0.18
        canvas.draw.ellipse((logo_x + size / 2 - cut, y0 + size / 2 - cut, logo_x + size / 2 + cut,
                             y0 + size / 2 + cut), fill=paper)
    if rng.random() < 0.4:
        # A coloured band along the bottom or top edge.
        band = rng.uniform(1.5, 3.0) * mm
        y = CARD_HEIGHT - band if rng.random() < 0.7 else 0
        canvas.draw.rectangle((0, y, CARD_WIDTH, y + band), fill=accent)
    return canvas, ink, accent, align, left, right
