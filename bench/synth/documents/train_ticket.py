"""China Railway tickets (火车票, 87 × 54 mm), the blue magnetic and the red paper kind: stations
with their pinyin under them, the train between, date and time, car and seat, class, price,
the masked passenger ID and the red serial number; the truth in the reference's format.
Most tickets are printed over the railway's security pattern, 中国铁路 repeated in pale small
type across the ticket, under and between the fields (background, never a field)."""
from __future__ import annotations

import random

import numpy as np

from bench.synth import corpus
from bench.synth.documents.card import Canvas, DocumentSample, font, guilloche, mono_font, rgb
from bench.synth.truth import Distortion

CARD_MM = (87.0, 54.0)
CARD_WIDTH = 1000
SCALE = CARD_WIDTH / CARD_MM[0]
CARD_HEIGHT = round(CARD_MM[1] * SCALE)

# Stations and the pinyin printed under them.
STATIONS = (
    ("北京南", "Beijingnan"), ("北京西", "Beijingxi"), ("上海虹桥", "Shanghaihongqiao"), ("上海", "Shanghai"),
    ("杭州东", "Hangzhoudong"), ("杭州", "Hangzhou"), ("南京南", "Nanjingnan"), ("南京", "Nanjing"),
    ("广州南", "Guangzhounan"), ("深圳北", "Shenzhenbei"), ("武汉", "Wuhan"), ("长沙南", "Changshanan"),
    ("成都东", "Chengdudong"), ("西安北", "Xi'anbei"), ("郑州东", "Zhengzhoudong"), ("济南西", "Jinanxi"),
    ("天津西", "Tianjinxi"), ("苏州", "Suzhou"), ("宁波", "Ningbo"), ("合肥南", "Hefeinan"), ("福州", "Fuzhou"),
    ("厦门北", "Xiamenbei"), ("潍坊", "Weifang"), ("高密", "Gaomi"), ("青岛北", "Qingdaobei"),
    ("重庆北", "Chongqingbei"), ("石家庄", "Shijiazhuang"), ("沈阳北", "Shenyangbei"), ("大连北", "Dalianbei"),
    ("昆明南", "Kunmingnan"), ("贵阳北", "Guiyangbei"), ("南昌西", "Nanchangxi"), ("太原南", "Taiyuannan"),
    ("兰州西", "Lanzhouxi"), ("哈尔滨西", "Haerbinxi"), ("无锡东", "Wuxidong"), ("徐州东", "Xuzhoudong"),
)
FAST = "GDC"          # high-speed trains: seats by letter, 二等座/一等座/商务座
FAST_LEVELS = ("二等座",) * 6 + ("一等座",) * 2 + ("商务座",)
SLOW_LEVELS = ("新空调硬座",) * 4 + ("新空调硬卧",) * 2 + ("新空调软卧", "硬座", "硬卧")


def train_ticket(seed: int, *, distortion: Distortion | None = None) -> DocumentSample:
    """A train ticket from its seed alone, with the service's answer as its truth."""
    rng = random.Random(f"train-ticket-{seed}")
    (origin, origin_py), (destination, destination_py) = rng.sample(STATIONS, 2)
    kind = rng.choice("GGGGDDCKKTZ")
    number = kind + str(rng.randint(1000, 9999) if kind == "C" else rng.randint(1, 9999 if kind in "GDK" else 999))
    when = corpus.date(rng, 2014, 2024)
    date = f"{when.year}年{when.month:02d}月{when.day:02d}日{rng.randint(5, 22):02d}:{rng.choice(range(0, 60, 5)):02d}"
    car = rng.randint(1, 16)
    if kind in FAST:
        level = rng.choice(FAST_LEVELS)
        seat = f"{rng.randint(1, 20):02d}{rng.choice('ABCDF')}号"
    else:
        level = rng.choice(SLOW_LEVELS)
        seat = (f"{rng.randint(1, 66):02d}号{rng.choice(('上铺', '中铺', '下铺'))}" if "卧" in level
                else f"{rng.randint(1, 118):03d}号")
    place = f"{car:02d}车" + ("无座" if "座" in level and rng.random() < 0.12 else seat)
    price = rng.randint(10, 1200) + rng.choice((0.0, 0.0, 0.5))
    fields = {"date": date, "destination": destination, "level": level, "number": number,
              "origin": origin, "place": place, "price": price}

    blue = rng.random() < 0.65
    canvas = _ground(rng, blue)
    # The pattern has its own draws, so that a seed's fields and layout stay what they were.
    _railway_pattern(canvas, random.Random(f"train-ticket-pattern-{seed}"), blue)
    mm = lambda v: v * SCALE                              # noqa: E731
    jitter = lambda v, a=0.5: mm(v + rng.uniform(-a, a))  # noqa: E731
    ink = rgb((25, 25, 30), rng, 8)
    red = rgb((200, 30, 35), rng, 12)
    serial = (rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + f"{rng.randint(0, 99):02d}"
              + rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + f"{rng.randint(0, 999999):06d}") if blue \
        else rng.choice("ABCDEFGHJK") + f"{rng.randint(0, 999999):06d}"
    left, right = jitter(6.0), CARD_WIDTH - jitter(6.0)
    canvas.text(left, jitter(7.0, 0.3), serial, mono_font(round(mm(3.6))), red)
    if rng.random() < 0.6:
        office = rng.choice(STATIONS)[0]
        note = font(mm(2.6))
        canvas.text(right - note.getlength(office + "售") - mm(8), jitter(7.0, 0.3), office + "售", note, ink)

    station = font(mm(rng.uniform(4.6, 5.2)), bold=True)
    suffix = font(mm(3.0))
    pinyin = font(mm(2.4))
    row = jitter(17.0)
    canvas.runs(left + mm(2), row, [(origin, station, ink), ("站", suffix, ink)], gap=mm(0.6), field="origin")
    dest_width = station.getlength(destination) + suffix.getlength("站") + mm(0.6)
    canvas.runs(right - mm(2) - dest_width, row, [(destination, station, ink), ("站", suffix, ink)], gap=mm(0.6),
                field="destination")
    train = font(mm(rng.uniform(4.2, 4.8)), bold=True)
    centre = CARD_WIDTH / 2 + mm(rng.uniform(-2, 2))
    if not blue and rng.random() < 0.5:
        # Paper tickets print the train as K970次.
        times = font(mm(3.0))
        width = train.getlength(number) + times.getlength("次") + mm(0.5)
        canvas.runs(centre - width / 2, row - mm(1.5), [(number, train, ink), ("次", times, ink)], gap=mm(0.5),
                    field="number")
    else:
        canvas.text(centre - train.getlength(number) / 2, row - mm(1.5), number, train, ink, field="number")
    arrow_y = row + mm(1.0)
    canvas.draw.line((centre - mm(8), arrow_y, centre + mm(8), arrow_y), fill=ink, width=3)
    head = ((centre + mm(8), arrow_y - mm(0.9)), (centre + mm(10), arrow_y), (centre + mm(8), arrow_y + mm(0.9)))
    canvas.draw.polygon(head, fill=ink)
    canvas.text(left + mm(2), row + mm(4.2), origin_py, pinyin, ink)
    canvas.text(right - mm(2) - pinyin.getlength(destination_py), row + mm(4.2), destination_py, pinyin, ink)

    value = font(mm(rng.uniform(3.1, 3.5)))
    line = row + mm(11.5)
    canvas.text(left + mm(2), line, date + "开", value, ink, field="date")
    canvas.text(right - mm(4) - value.getlength(place), line, place, value, ink, field="place")
    line += mm(5.5)
    printed = f"{rng.choice('¥￥')}{price:.1f}元"
    canvas.text(left + mm(2), line, printed, value, ink, field="price")
    if rng.random() < 0.4:
        # 网: bought online, a character in a circle after the price.
        x, r = left + mm(4) + value.getlength(printed) + mm(2), mm(2.2)
        canvas.draw.ellipse((x, line - mm(3.6), x + 2 * r, line - mm(3.6) + 2 * r), outline=ink, width=2)
        mark = font(mm(2.6))
        canvas.draw.text((x + r, line - mm(3.6) + r), "网", font=mark, fill=ink, anchor="mm")
    level_x = right - mm(4) - value.getlength(level)
    canvas.text(level_x, line, level, value, ink, field="level")
    if rng.random() < 0.15:
        # A discount mark (学 student, 孩 child) printed before the class.
        canvas.text(level_x - mm(6), line, rng.choice("学孩"), value, ink)
    small = font(mm(2.6))
    line += mm(5.0)
    if rng.random() < 0.6:
        canvas.text(left + mm(2), line, rng.choice(("限乘当日当次车", "仅供报销使用")), small, ink)
    elif blue and rng.random() < 0.7:
        # The boxed notice of newer tickets, in the same place.
        notice = font(mm(2.2))
        text = rng.choice(("买票请到12306 发货请到95306", "中国铁路祝您旅途愉快"))
        x0, y0 = left + mm(2), line - mm(3.2)
        canvas.draw.rectangle((x0, y0, x0 + notice.getlength(text) + mm(3), y0 + mm(4.0)), outline=ink, width=1)
        canvas.text(x0 + mm(1.5), y0 + mm(3.0), text, notice, ink)
    line += mm(5.0)
    person = corpus.id_number(rng)
    masked = person[:10] + "****" + person[14:]
    canvas.text(left + mm(2), line, f"{masked} {corpus.person_name(rng)}", value, ink)
    code = f"{rng.randint(10**20, 10**21 - 1)}"[:21]
    canvas.text(left + mm(2), CARD_HEIGHT - jitter(4.0, 0.3), f"{code} {origin}售", small, ink)
    _qr(canvas, right - mm(14), CARD_HEIGHT - mm(16), mm(12.5), rng)
    return canvas.finish("train_ticket", fields, distortion, seed, corner_radius=mm(2.0) if blue else 0.0)


def _ground(rng: random.Random, blue: bool) -> Canvas:
    if blue:
        base, tints = rgb((200, 225, 245), rng, 6), (rgb((160, 200, 235), rng, 8), rgb((215, 235, 250), rng, 6))
    else:
        base, tints = rgb((250, 215, 215), rng, 6), (rgb((240, 180, 185), rng, 8), rgb((252, 230, 228), rng, 6))
    return Canvas(CARD_WIDTH, CARD_HEIGHT, guilloche(CARD_WIDTH, CARD_HEIGHT, rng, base, tints, 0.15))


# The words of the security pattern, and the share of tickets printed over it.
PATTERN_WORD = "中国铁路"
PATTERN_SHARE = 0.75


def _railway_pattern(canvas: Canvas, rng: random.Random, blue: bool) -> None:
    """中国铁路 repeated in rows over the whole ticket, each row shifted against the one above:
    smaller than the fields' type and in a tint of the ground, from barely visible to as dark
    as a reader will still read (it is not recorded as a line: it is ground, not print)."""
    if rng.random() >= PATTERN_SHARE:
        return
    size = rng.uniform(1.8, 2.8) * SCALE
    word = font(size, bold=rng.random() < 0.3, family=rng.choice(("sans", "serif")))
    ground = np.asarray(canvas.image, np.float32).reshape(-1, 3).mean(axis=0)
    tint = np.array((70, 120, 200) if blue else (210, 70, 85), np.float32)
    strength = rng.uniform(0.15, 0.5)
    colour = tuple(int(round(c)) for c in ground * (1 - strength) + tint * strength)
    gap = rng.uniform(0.8, 2.5) * size          # between the words of a row
    pitch = rng.uniform(1.5, 2.4) * size        # between rows
    step = word.getlength(PATTERN_WORD) + gap
    shift = rng.uniform(0.3, 0.7) * step        # each row against the one above
    start = rng.uniform(-step, 0)
    y, row = rng.uniform(0.6, 1.4) * size, 0
    while y < CARD_HEIGHT + size:
        x = start + (row * shift) % step - step
        while x < CARD_WIDTH:
            canvas.draw.text((x, y), PATTERN_WORD, font=word, fill=colour, anchor="ls")
            x += step
        y += pitch
        row += 1


def _qr(canvas: Canvas, x: float, y: float, size: float, rng: random.Random) -> None:
    """A QR-like block: 25 modules with the three finder squares."""
    n = 25
    cell = size / n
    grid = np.array([[rng.random() < 0.5 for _ in range(n)] for _ in range(n)])
    for fx, fy in ((0, 0), (n - 7, 0), (0, n - 7)):
        grid[fy:fy + 7, fx:fx + 7] = False
        grid[fy, fx:fx + 7] = grid[fy + 6, fx:fx + 7] = grid[fy:fy + 7, fx] = grid[fy:fy + 7, fx + 6] = True
        grid[fy + 2:fy + 5, fx + 2:fx + 5] = True
    for j in range(n):
        for i in range(n):
            if grid[j, i]:
                canvas.draw.rectangle((x + i * cell, y + j * cell, x + (i + 1) * cell - 1, y + (j + 1) * cell - 1),
                                      fill=(20, 20, 20))
