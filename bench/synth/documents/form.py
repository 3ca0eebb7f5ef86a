"""Two fixed-layout office forms (物资入库单, 费用报销单), blank and filled, for custom templates:
the filled copies with their truth in `ocr_template`'s `items`, and the template a user would
draw on the blank one, built from the boxes the drawing knows."""
from __future__ import annotations

import base64
import random
from dataclasses import dataclass, field

import cv2
import numpy as np

from bench.synth import corpus
from bench.synth.documents.card import Canvas, font
from bench.synth.truth import Distortion, LineTruth, Sample

FORMS = ("receipt", "expense")
WIDTH, HEIGHT = 1240, 980
_LABEL, _VALUE = 26, 24
_TITLES = {"receipt": "物资入库单", "expense": "费用报销单"}

Rect = tuple[float, float, float, float]  # left, top, right, bottom


@dataclass
class FormSample:
    """A picture of a form and what `ocr_template` should answer in `items`."""

    kind: str                  # "receipt" or "expense"
    image: np.ndarray          # BGR uint8
    items: dict                # field -> text; table -> {"labels", "values"}
    lines: list[LineTruth]
    distortion: Distortion
    seed: int
    # The template of the blank form (API.md "Templates"), boxes in the upright drawing.
    template: dict = field(default_factory=dict)

    def encode(self, fmt: str = "png") -> bytes:
        return Sample(self.image, self.lines, self.distortion, self.seed).encode(fmt)


class _Form:
    """A form being drawn: its rules, its fixed texts (anchors) and its value regions (fields)."""

    def __init__(self) -> None:
        self.canvas = Canvas(WIDTH, HEIGHT)
        self.label_font, self.value_font = font(_LABEL), font(_VALUE)
        self.anchors: list[dict] = []
        self.fields: list[dict] = []
        self.tables: list[dict] = []

    def rule(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self.canvas.draw.line([(x0, y0), (x1, y1)], fill=(30, 30, 30), width=2)

    def grid(self, xs: list[float], ys: list[float], inner_vertical: bool = True) -> None:
        for y in ys:
            self.rule(xs[0], y, xs[-1], y)
        for x in (xs if inner_vertical else (xs[0], xs[-1])):
            self.rule(x, ys[0], x, ys[-1])

    def anchor(self, text: str, cell: Rect, size: int = _LABEL, bold: bool = False, centre: bool = False) -> None:
        fnt = font(size, bold)
        x = (cell[0] + cell[2] - fnt.getlength(text)) / 2 if centre else cell[0] + 12
        left, top, right, bottom = self.canvas.text(x, _baseline(cell, size), text, fnt)
        self.anchors.append({"text": text, "box": _box((left, top, right, bottom))})

    def field(self, name: str, cell: Rect, text: str | None, x: float | None = None) -> None:
        """A value region of the template; `text` is drawn in it when filling."""
        self.fields.append({"name": name, "box": _box((cell[0] + 3, cell[1] + 3, cell[2] - 3, cell[3] - 3))})
        if text:
            self.canvas.text(cell[0] + 12 if x is None else x, _baseline(cell, _VALUE), text, self.value_font)

    def lines_in(self, name: str, cell: Rect, texts: list[str] | None) -> None:
        """A value region of several lines, a `(cr)` field."""
        self.fields.append({"name": name + "(cr)", "box": _box((cell[0] + 3, cell[1] + 3, cell[2] - 3, cell[3] - 3))})
        step = 1.6 * _VALUE
        for i, text in enumerate(texts or []):
            self.canvas.text(cell[0] + 12, cell[1] + 14 + _VALUE + i * step, text, self.value_font)

    def table(self, name: str, columns: list[tuple[str, str, float, float]], top: float, row_h: float,
              rows: list[list[str]] | None, count: int, vertical: bool) -> float:
        """A table: a heading of anchors, `count` body rows (filled from `rows`); the bottom's y."""
        xs = [c[2] for c in columns] + [columns[-1][3]]
        heading = (top, top + row_h)
        ys = [top + i * row_h for i in range(count + 2)]
        if vertical:
            self.grid(xs, ys)
        else:
            for y in ys:
                self.rule(xs[0], y, xs[-1], y)
        for label, heading_text, x0, x1 in columns:
            self.anchor(heading_text, (x0, heading[0], x1, heading[1]), centre=True)
        for r, row in enumerate(rows or []):
            for (_, _, x0, x1), text in zip(columns, row):
                if text:
                    cell = (x0, ys[r + 1], x1, ys[r + 2])
                    self.canvas.text(x0 + 12, _baseline(cell, _VALUE), text, self.value_font)
        self.tables.append({"name": name, "box": _box((xs[0], ys[1], xs[-1], ys[-1])),
                            "columns": [{"label": c[0], "x0": c[2], "x1": c[3]} for c in columns]})
        return ys[-1]

    def template(self, kind: str) -> dict:
        return {"name": _TITLES[kind], "anchors": self.anchors, "fields": self.fields, "tables": self.tables}


def _baseline(cell: Rect, size: int) -> float:
    return (cell[1] + cell[3]) / 2 + 0.36 * size


def _box(rect: Rect) -> list[float]:
    return [round(rect[0], 1), round(rect[1], 1), round(rect[2] - rect[0], 1), round(rect[3] - rect[1], 1)]


# --- the values -----------------------------------------------------------------------------

_GOODS = ("办公椅", "打印纸", "显示器", "文件柜", "碳粉盒", "硒鼓", "电源线", "键盘", "投影仪", "会议桌", "台灯", "路由器")
_WAREHOUSES = ("一号成品仓", "二号原料仓", "东区备件仓", "中心仓库", "南区周转仓")
_REMARKS = ("货物已按合同数量全部验收入库", "外包装完好无破损", "发票随货同行已交财务", "部分货物需于下周补送",
            "质检报告编号见附件", "请财务部门于月底前完成付款", "破损两件已退回供应商")
_DEPARTMENTS = ("市场部", "财务部", "技术研发部", "行政部", "销售一部", "人力资源部", "采购部")
_EXPENSES = ("差旅费", "交通费", "住宿费", "餐费", "办公用品", "通讯费", "会议费", "培训费")
_REASONS = ("赴上海参加行业展会", "拜访杭州重点客户", "季度产品发布会筹备", "新员工入职培训",
            "年度审计资料准备", "华南区渠道商洽谈")


def _money(rng: random.Random, high: int = 9999) -> str:
    return f"{rng.randint(1, high)}.{rng.randint(0, 99):02d}"


def _receipt(filled: bool, rng: random.Random) -> tuple[_Form, dict]:
    f, items = _Form(), {}
    v = (lambda key, text: items.setdefault(key, text)) if filled else (lambda key, text: None)
    f.anchor(_TITLES["receipt"], (0, 40, WIDTH, 110), size=44, bold=True, centre=True)
    xs, ys = [60, 220, 700, 860, 1180], [150, 216, 282]
    f.grid(xs, ys)
    f.anchor("供应单位", (xs[0], ys[0], xs[1], ys[1]))
    f.field("supplier", (xs[1], ys[0], xs[2], ys[1]), v("supplier", corpus.company_name(rng)))
    f.anchor("入库日期", (xs[2], ys[0], xs[3], ys[1]))
    f.field("date", (xs[3], ys[0], xs[4], ys[1]), v("date", corpus.date_iso(rng)))
    f.anchor("单据编号", (xs[0], ys[1], xs[1], ys[2]))
    f.field("number", (xs[1], ys[1], xs[2], ys[2]), v("number", f"RK{rng.randint(10 ** 9, 10 ** 10 - 1)}"))
    f.anchor("仓库名称", (xs[2], ys[1], xs[3], ys[2]))
    f.field("warehouse", (xs[3], ys[1], xs[4], ys[2]), v("warehouse", rng.choice(_WAREHOUSES)))
    columns = [("name", "物品名称", 60, 420), ("spec", "规格型号", 420, 720), ("quantity", "数量", 720, 900),
               ("price", "单价", 900, 1180)]
    rows = []
    if filled:
        n = rng.randint(1, 4)
        rows = [[rng.choice(_GOODS), f"XK-{rng.randint(100, 999)}", str(rng.randint(1, 500)), _money(rng)]
                for _ in range(n)] + [["", "", "", ""]] * (4 - n)
        items["items"] = {"labels": [c[0] for c in columns], "values": rows}
    bottom = f.table("items", columns, 320, 56, rows, 4, vertical=True)
    cell = (220, bottom + 30, 1180, bottom + 130)
    f.grid([60, 220, 1180], [cell[1], cell[3]])
    f.anchor("备注", (60, cell[1], 220, cell[3]))
    remark = rng.sample(_REMARKS, 2) if filled else None
    if remark:
        items["remark"] = "".join(remark)
    f.lines_in("remark", cell, remark)
    y = cell[3] + 50
    for label, key, x in (("验收人", "inspector", 60), ("保管员", "keeper", 640)):
        f.anchor(label, (x, y, x + 130, y + 56))
        f.rule(x + 130, y + 50, x + 420, y + 50)
        f.field(key, (x + 130, y, x + 420, y + 48), v(key, corpus.person_name(rng)))
    return f, items


def _expense(filled: bool, rng: random.Random) -> tuple[_Form, dict]:
    f, items = _Form(), {}
    v = (lambda key, text: items.setdefault(key, text)) if filled else (lambda key, text: None)
    f.anchor(_TITLES["expense"], (0, 40, WIDTH, 110), size=44, bold=True, centre=True)
    xs, ys = [60, 220, 640, 800, 1180], [150, 216, 282]
    f.grid(xs, ys)
    f.anchor("报销部门", (xs[0], ys[0], xs[1], ys[1]))
    f.field("department", (xs[1], ys[0], xs[2], ys[1]), v("department", rng.choice(_DEPARTMENTS)))
    f.anchor("报销日期", (xs[2], ys[0], xs[3], ys[1]))
    # The date is three boxes sharing a name, between the printed 年 月 日: joined in order.
    when = corpus.date(rng, 2020, 2025)
    parts = [f"{when.year}", f"{when.month:02d}", f"{when.day:02d}"]
    if filled:
        items["date"] = "".join(parts)
    x = xs[3]
    for part, unit, width in zip(parts, "年月日", (100, 64, 64)):
        f.field("date", (x, ys[0], x + width, ys[1]), part if filled else None, x + 14)
        f.canvas.text(x + width, _baseline((x, ys[0], x, ys[1]), _VALUE), unit, f.value_font)
        x += width + 26
    f.anchor("报销人", (xs[0], ys[1], xs[1], ys[2]))
    f.field("claimant", (xs[1], ys[1], xs[2], ys[2]), v("claimant", corpus.person_name(rng)))
    f.anchor("联系电话", (xs[2], ys[1], xs[3], ys[2]))
    f.field("phone", (xs[3], ys[1], xs[4], ys[2]), v("phone", corpus.mobile(rng)))
    columns = [("item", "费用项目", 60, 500), ("date", "发生日期", 500, 840), ("amount", "金额", 840, 1180)]
    rows = []
    if filled:
        n = rng.randint(1, 3)
        rows = [[rng.choice(_EXPENSES), corpus.date_iso(rng), _money(rng, 5000)] for _ in range(n)]
        rows += [["", "", ""]] * (3 - n)
        items["details"] = {"labels": [c[0] for c in columns], "values": rows}
    bottom = f.table("details(hl)", columns, 320, 56, rows, 3, vertical=False)
    cell = (220, bottom + 30, 1180, bottom + 130)
    f.grid([60, 220, 1180], [cell[1], cell[3]])
    f.anchor("报销事由", (60, cell[1], 220, cell[3]))
    reason = [rng.choice(_REASONS), rng.choice(_REMARKS[:4])] if filled else None
    if reason:
        items["reason"] = "".join(reason)
    f.lines_in("reason", cell, reason)
    cell = (220, cell[3] + 30, 640, cell[3] + 96)
    f.grid([60, 220, 640], [cell[1], cell[3]])
    f.anchor("合计金额", (60, cell[1], 220, cell[3]))
    f.field("total", cell, v("total", _money(rng, 20000)))
    f.anchor("财务审核", (700, cell[1], 860, cell[3]))
    return f, items


_MAKERS = {"receipt": _receipt, "expense": _expense}


def blank_form(kind: str) -> tuple[np.ndarray, dict]:
    """The blank form as a user would upload it to draw a template, and that template."""
    f, _ = _MAKERS[kind](False, random.Random(0))
    sample = f.canvas.finish(kind, {}, Distortion(), 0)
    return sample.image, f.template(kind)


def template_definition(kind: str) -> dict:
    """The template of form `kind` with its blank picture, as `POST /v1/templates` takes it."""
    image, template = blank_form(kind)
    ok, png = cv2.imencode(".png", image)
    return {**template, "image": base64.b64encode(png.tobytes()).decode()}


def filled_form(seed: int, kind: str | None = None, *, distortion: Distortion | None = None) -> FormSample:
    """A filled copy of form `kind` (by default the seed's: receipt, expense in turn)."""
    kind = kind or FORMS[seed % len(FORMS)]
    f, items = _MAKERS[kind](True, random.Random(f"form-{kind}-{seed}"))
    sample = f.canvas.finish(kind, {}, distortion, seed)
    return FormSample(kind, sample.image, items, sample.lines, sample.distortion, seed, f.template(kind))
