"""A page of the household register (常住人口登记卡, 143 × 100 mm): a printed
form with a vertical title, filled in by the registry's printer, slightly off
the grid, with the clerk's red seal."""
from __future__ import annotations

import random

from bench.synth import corpus
from bench.synth.documents.card import Canvas, DocumentSample, font, guilloche, rgb
from bench.synth.documents.idcard import citizen
from bench.synth.truth import Distortion, LineTruth

PAGE_MM = (143.0, 100.0)
PAGE_WIDTH = 1300
SCALE = PAGE_WIDTH / PAGE_MM[0]
PAGE_HEIGHT = round(PAGE_MM[1] * SCALE)
TITLE = "常住人口登记卡"
RELATIONS = ("户主",) * 4 + ("妻", "夫", "长子", "长女", "次子", "次女", "儿子", "女儿", "母亲", "父亲")
EDUCATION = ("大学本科", "大学专科", "高中", "初中", "研究生", "小学")
MARRIAGE = ("已婚", "未婚", "已婚", "离婚")


def household_register(seed: int, *, distortion: Distortion | None = None) -> DocumentSample:
    """A household register page from its seed alone (the same person as the other documents of the seed)."""
    c = citizen(random.Random(seed))
    rng = random.Random(f"household-{seed}")
    relation = rng.choice([r for r in RELATIONS if r not in (("夫", "父亲", "长子", "次子", "儿子") if c.female
                                                             else ("妻", "母亲", "长女", "次女", "女儿"))])
    birth_place = c.province + c.city + (c.district if rng.random() < 0.5 else "")
    if rng.random() < 0.6:
        native = c.province + c.city
    else:
        province, city, *_ = corpus.region(rng)
        native = province + city
    birth_date = f"{c.birth.year}年{c.birth.month}月{c.birth.day}日"
    fields = {"name": c.name, "gender": c.sex, "relation": relation, "birth_place": birth_place,
              "nation": c.ethnicity, "native_place": native, "birth_date": birth_date, "idcard": c.id_number}

    mm = lambda v: v * SCALE                               # noqa: E731
    canvas = Canvas(PAGE_WIDTH, PAGE_HEIGHT, guilloche(
        PAGE_WIDTH, PAGE_HEIGHT, rng, rgb((242, 238, 228), rng, 5),
        (rgb((228, 214, 196), rng, 8), rgb((214, 226, 216), rng, 8)), 0.12))
    frame = rgb((70, 90, 130), rng, 15)              # the printed form is blue-grey
    label_colour = frame
    ink = rgb((25, 25, 30), rng, 10)                 # the registry's printer
    label = font(mm(rng.uniform(2.5, 2.8)))
    value = font(mm(rng.uniform(3.0, 3.4)), family="serif")

    left, right = mm(6.0 + rng.uniform(-0.5, 0.5)), PAGE_WIDTH - mm(6.0 + rng.uniform(-0.5, 0.5))
    top, bottom = mm(8.0 + rng.uniform(-0.5, 0.5)), PAGE_HEIGHT - mm(14.0)
    title_w = mm(12.0)
    # The vertical title, one character under another, in its own column.
    head = font(mm(5.2), bold=True)
    step = (bottom - top) / (len(TITLE) + 1)
    x = left + (title_w - head.size) / 2
    first = None
    for k, ch in enumerate(TITLE):
        r = canvas.text(x, top + step * (k + 1) + head.size * 0.4, ch, head, label_colour)
        first = first or r
    canvas.mark("title", (first[0], first[1], r[2], r[3]))
    # One vertical line, not seven: its quad starts at the top (see `_vertical`).
    canvas.lines[-len(TITLE):] = [LineTruth(TITLE, _vertical(canvas.lines[-len(TITLE)].quad, canvas.lines[-1].quad))]

    rows = [
        (("姓名", fields["name"], "name"), ("户主或与户主关系", relation, "relation")),
        (("曾用名", "", None), ("性别", c.sex, "gender")),
        (("出生地", birth_place, "birth_place"), ("民族", c.ethnicity, "nation")),
        (("籍贯", native, "native_place"), ("出生日期", birth_date, "birth_date")),
        (("本市(县)其他住址", "", None), ("宗教信仰", "", None)),
        (("公民身份证件编号", c.id_number, "idcard"), ("身高", f"{rng.randint(150, 188)}厘米", None)),
        (("文化程度", rng.choice(EDUCATION), None), ("婚姻状况", rng.choice(MARRIAGE), None)),
        (("服务处所", corpus.company_name(rng) if rng.random() < 0.6 else "", None), ("职业", "", None)),
        (("何时由何地迁来本市(县)", "", None),),
        (("何时由何地迁来本址", "", None),),
    ]
    grid_left = left + title_w
    pitch = (bottom - top) / len(rows)
    canvas.draw.rectangle((left, top, right, bottom), outline=frame, width=3)
    canvas.draw.line((grid_left, top, grid_left, bottom), fill=frame, width=2)
    half = grid_left + (right - grid_left) * rng.uniform(0.54, 0.58)
    label_w = mm(rng.uniform(30.0, 33.0))
    # The printer's offset: the whole fill-in is shifted a little from the form's cells.
    dx, dy = mm(rng.uniform(-1.5, 1.5)), mm(rng.uniform(-1.0, 1.0))
    for i, cells in enumerate(rows):
        y = top + pitch * i
        if i:
            canvas.draw.line((grid_left, y, right, y), fill=frame, width=2)
        spans = [(grid_left, half), (half, right)] if len(cells) == 2 else [(grid_left, right)]
        for (caption, text, field), (x0, x1) in zip(cells, spans):
            lw = label_w if x0 == grid_left else min(label_w, label.getlength(caption) + mm(4))
            if x0 != grid_left:
                canvas.draw.line((x0, y, x0, y + pitch), fill=frame, width=2)
            canvas.draw.line((x0 + lw, y, x0 + lw, y + pitch), fill=frame, width=1)
            fnt = label
            while fnt.getlength(caption) > lw - mm(2):
                fnt = font(fnt.size - 2)
            canvas.text(x0 + (lw - fnt.getlength(caption)) / 2, y + pitch / 2 + fnt.size * 0.35, caption, fnt, label_colour)
            if text:
                vf = value
                while vf.getlength(text) > x1 - x0 - lw - mm(4):
                    vf = font(vf.size - 2, family="serif")
                canvas.text(x0 + lw + mm(2.0) + dx, y + pitch / 2 + vf.size * 0.35 + dy, text, vf, ink, field=field)

    foot = bottom + mm(8.0)
    canvas.text(grid_left + mm(4), foot, "承办人签章：", label, label_colour)
    stamp_x = grid_left + mm(4) + label.getlength("承办人签章：") + mm(2)
    stamp = (stamp_x, foot - mm(6.0), stamp_x + mm(16.0), foot + mm(1.5))
    canvas.draw.rectangle(stamp, outline=(205, 45, 45), width=3)
    canvas.text(stamp_x + mm(2.0), foot - mm(1.2), corpus.person_name(rng)[:3] + "印", font(mm(3.0), bold=True),
                (205, 45, 45))
    canvas.mark("undertake_stamp", stamp)
    issued = corpus.date(rng, max(c.birth.year, 2000), 2024)
    when = f"登记日期：{issued.year}年{issued.month}月{issued.day}日"
    canvas.text(half + mm(4), foot, when, label, label_colour)
    return canvas.finish("household_register", fields, distortion, seed)


def _vertical(first, last):
    """The quad of a vertical line from its first and last characters' boxes:
    it starts at the top, so tl is the top-right corner turned (text runs down)."""
    x0 = min(first[0][0], last[0][0])
    x1 = max(first[1][0], last[1][0])
    y0, y1 = first[0][1], last[2][1]
    # Reading direction is downwards: rotate the corner order a quarter turn.
    return (x1, y0), (x1, y1), (x0, y1), (x0, y0)
