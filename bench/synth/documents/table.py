"""Synthetic tables on a page, with their cells' truth in the reference's json form
(sx, sy, ex, ey end exclusive, text): ruled tables, ruled tables with merged cells, financial
statements (1,234,567.89 and (12,345.00)), and tables with only horizontal rules or none;
sometimes two tables on one page. Three kinds drawn only when asked for (`kind=`), so that
every seed's default picture stays as it was: three-line tables of papers (header rule, body,
bottom rule; headings set close together, some in two lines), tables ruled by columns only (a
lab report: a frame and the rules between columns, none between body rows) and unruled
tables under a caption of normal type ("表3" and a description, just above the table)."""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from PIL import ImageFont

from bench.synth import corpus
from bench.synth.distort import apply, photographed
from bench.synth.documents.card import Canvas, DocumentSample, font
from bench.synth.render import to_bgr
from bench.synth.truth import Distortion

# The kinds seeds take in turn; the new ones only by name (so no seed's picture changed).
SEED_KINDS = ("ruled", "merged", "finance", "unruled")
NEW_KINDS = ("three_line", "column_ruled", "captioned")
KINDS = SEED_KINDS + NEW_KINDS
# Unruled tables: no rules at all, a "three-line" table (top, under the heading, bottom), or a
# rule under every row.
UNRULED_STYLES = ("none", "three_line", "rows")

HEADINGS = (
    ("序号", "姓名", "部门", "职务", "入职日期", "联系电话"),
    ("品名", "规格", "单位", "数量", "单价", "金额"),
    ("项目名称", "负责人", "开始日期", "完成日期", "进度", "备注"),
    ("网点", "城市", "地址", "联系人", "电话", "营业时间"),
)
DEPARTMENTS = ("财务部", "人事部", "市场部", "技术部", "采购部", "行政部", "销售部", "客服中心")
TITLES = ("经理", "主管", "专员", "工程师", "会计", "出纳", "助理", "总监")
GOODS = ("办公桌", "打印纸", "墨盒", "文件柜", "笔记本电脑", "投影仪", "签字笔", "订书机", "显示器", "路由器")
SPECS = ("A4", "70g", "1.2m", "HP-680", "15.6寸", "4K", "0.5mm", "24口", "双门")
UNITS = ("张", "箱", "个", "台", "套", "支", "包")
PROJECTS = ("系统升级", "仓库改造", "年度审计", "渠道拓展", "培训计划", "数据迁移", "品牌推广", "设备采购")
STATUS = ("已完成", "进行中", "未开始", "已验收", "暂停")
NOTES = ("按期", "延期", "待审批", "无", "已付款", "加急")
HOURS = ("9:00-17:00", "8:30-18:00", "10:00-21:00", "全天")
FINANCE_ITEMS = (
    "货币资金", "交易性金融资产", "应收票据", "应收账款", "预付款项", "其他应收款", "存货", "合同资产",
    "其他流动资产", "长期股权投资", "固定资产", "在建工程", "无形资产", "商誉", "长期待摊费用",
    "递延所得税资产", "短期借款", "应付账款", "营业收入", "营业成本", "税金及附加", "销售费用",
    "管理费用", "研发费用", "财务费用", "投资收益", "营业利润", "利润总额", "所得税费用", "净利润",
)
FINANCE_TITLES = ("资产负债表", "利润表", "合并资产负债表", "合并利润表")
# Three-line tables of papers: a label column and statistics, headings set close together.
STAT_LABELS = (("Type of delay", "Patient delay", "Healthcare services delay", "Total diagnostic delay", "Group A",
                "Group B", "Control", "Treatment"),
               ("组别", "对照组", "观察组", "治疗组", "实验组", "男性", "女性", "合计"))
STAT_HEADINGS = (("Mean", "SD", "Median", "IQR", "Min", "Max", "n", "P"),
                 ("均值", "标准差", "中位数", "例数", "最小值", "最大值", "P值"))
# Column-ruled reports (a lab sheet): code, item, result, reference range, unit.
LAB_ITEMS = (("ALT", "谷丙转氨酶", "0--40", "U/L"), ("AST", "谷草转氨酶", "8--40", "U/L"),
             ("TBIL", "总胆红素", "<20", "umol/L"), ("DBIL", "直接胆红素", "0--7", "umol/L"),
             ("TP", "总蛋白", "60--80", "g/L"), ("ALB", "白蛋白", "33--55", "g/L"), ("GLO", "球蛋白", "20--30", "g/L"),
             ("ALP", "碱性磷酸酶", "15--112", "IU/L"), ("GGT", "谷氨酰转肽酶", "<50", "U/L"),
             ("LDH", "乳酸脱氢酶", "114--240", "U/L"), ("ADA", "腺苷脱氨酶", "4--24", "U/L"),
             ("GLU", "葡萄糖", "3.9--6.1", "mmol/L"), ("UREA", "尿素", "2.9--8.2", "mmol/L"))
CAPTIONS = ("各部门人员情况", "物品采购明细", "项目进度一览", "网点信息汇总", "主要统计数据")
INK = (25, 25, 25)


@dataclass
class TableSample(DocumentSample):
    """A page of tables; `tables` holds each table's cells, row by row, as
    {"sx", "sy", "ex", "ey", "text"} (text: the cell's lines joined, "" when empty)."""

    tables: list[list[dict]] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)   # per table: its kind (and unruled style)


@dataclass
class _Spec:
    """A table to draw: its grid of texts (each cell a list of lines), merged rectangles
    (sx, sy, ex, ey), which rules it has, and how each column is aligned."""

    texts: list[list[list[str]]]
    merges: list[tuple[int, int, int, int]]
    rules: str                 # "all", "dashed", "none", "three_line", "rows", "columns"
    align: list[str]           # per column: "left", "centre", "right"
    heading_rows: int = 1
    gap: float = 1.5           # unruled columns: characters of clear paper added between them
    caption: list[str] = field(default_factory=list)   # lines of normal type just above the table


def photographed_table(seed: int) -> Distortion:
    """A phone photo of a printed table on a desk (the page generator's photo)."""
    return photographed(seed)


def table_kind(seed: int) -> str:
    return SEED_KINDS[seed % len(SEED_KINDS)]


def table_page(seed: int, *, distortion: Distortion | None = None, kind: str | None = None) -> TableSample:
    """A page with one table (two, for some seeds of ruled kinds) of `kind` (by default
    the seed's: ruled, merged, finance, unruled in turn; three_line, column_ruled and
    captioned only when named)."""
    kind = kind or table_kind(seed)
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    rng = random.Random(f"table-{kind}-{seed}")
    size = rng.randint(20, 26)
    specs, styles = [], []
    count = 2 if kind in ("ruled", "merged") and seed % 5 == 4 else 1
    for _ in range(count):
        if kind == "finance":
            spec = _finance(rng)
        elif kind == "unruled":
            spec = _unruled(rng, seed)
        elif kind == "three_line":
            spec = _three_line(rng)
        elif kind == "column_ruled":
            spec = _column_ruled(rng)
        elif kind == "captioned":
            spec = _captioned(rng, seed)
        else:
            spec = _plain(rng, merged=kind == "merged")
        specs.append(spec)
        styles.append(kind if kind != "unruled" else f"unruled:{spec.rules}")
    return _draw(specs, styles, size, rng, seed, distortion, kind)


# --- contents ---------------------------------------------------------------------------

def _value(heading: str, row: int, rng: random.Random) -> str:
    if heading == "序号":
        return str(row)
    if heading in ("姓名", "负责人", "联系人"):
        return corpus.person_name(rng)
    if heading == "部门":
        return rng.choice(DEPARTMENTS)
    if heading == "职务":
        return rng.choice(TITLES)
    if "日期" in heading:
        return corpus.date_iso(rng)
    if "电话" in heading:
        return corpus.mobile(rng)
    if heading == "品名":
        return rng.choice(GOODS)
    if heading == "规格":
        return rng.choice(SPECS)
    if heading == "单位":
        return rng.choice(UNITS)
    if heading == "数量":
        return str(rng.randint(1, 500))
    if heading in ("单价", "金额"):
        return f"{corpus.amount(rng, 1, 200000) / 100:,.2f}"
    if heading == "项目名称":
        return rng.choice(PROJECTS)
    if heading == "进度":
        return rng.choice(STATUS)
    if heading == "备注":
        return rng.choice(NOTES)
    if heading == "网点":
        return rng.choice(("朝阳", "海淀", "浦东", "天河", "南山", "武侯", "西湖", "江北")) + "网点"
    if heading == "城市":
        return corpus.region(rng)[1]
    if heading == "地址":
        return corpus.road(rng) + f"{rng.randint(1, 300)}号"
    if heading == "营业时间":
        return rng.choice(HOURS)
    return corpus.person_name(rng)


def _plain(rng: random.Random, merged: bool) -> _Spec:
    headings = list(rng.choice(HEADINGS))
    n_cols = rng.randint(3, len(headings))
    headings = headings[:n_cols]
    n_rows = rng.randint(4, 8)
    texts = [[[h] for h in headings]] + [[[_value(h, r, rng)] for h in headings] for r in range(1, n_rows)]
    merges: list[tuple[int, int, int, int]] = []
    if merged:
        for _ in range(rng.randint(1, 3)):
            w, h = rng.choice(((2, 1), (1, 2), (2, 2), (1, 3), (3, 1)))
            sx, sy = rng.randint(0, n_cols - w), rng.randint(1, n_rows - h)
            box = (sx, sy, sx + w, sy + h)
            if w <= n_cols and sy + h <= n_rows and not any(_overlap(box, m) for m in merges):
                merges.append(box)
        for sx, sy, ex, ey in merges:
            # A merged cell's text: one value, in two lines when it spans rows.
            value = texts[sy][sx][0]
            texts[sy][sx] = [value, rng.choice(NOTES)] if ey - sy > 1 and rng.random() < 0.5 else [value]
    rules = "dashed" if rng.random() < 0.2 else "all"
    align = ["centre"] * n_cols
    return _Spec(texts, merges, rules, align)


def _finance(rng: random.Random) -> _Spec:
    items = rng.sample(FINANCE_ITEMS, rng.randint(5, 9))
    group = rng.random() < 0.5
    notes = rng.random() < 0.4
    columns = ["项目"] + (["附注"] if notes else []) + ["期末余额", "年初余额"]
    rows = []
    for item in items:
        row = [[item]] + ([[f"五、{rng.randint(1, 40)}"]] if notes else [])
        for _ in range(2):
            cents = corpus.amount(rng, 100, 9_000_000_000)
            text = f"{cents / 100:,.2f}"
            row.append([f"({text})" if rng.random() < 0.25 else text])
        rows.append(row)
    n_cols = len(columns)
    if group:
        # 项目 (and 附注) over two heading rows, 金额 over the two amount columns.
        first = [[c] for c in columns[:-2]] + [["金额"], [""]]
        second = [[""] for _ in columns[:-2]] + [[columns[-2]], [columns[-1]]]
        merges = [(c, 0, c + 1, 2) for c in range(n_cols - 2)] + [(n_cols - 2, 0, n_cols, 1)]
        texts, heading_rows = [first, second] + rows, 2
    else:
        texts, merges, heading_rows = [[[c] for c in columns]] + rows, [], 1
    align = ["left"] + (["centre"] if notes else []) + ["right", "right"]
    return _Spec(texts, merges, "all", align, heading_rows)


def _unruled(rng: random.Random, seed: int) -> _Spec:
    style = UNRULED_STYLES[(seed // 4) % len(UNRULED_STYLES)]
    headings = list(rng.choice(HEADINGS))
    n_cols = rng.randint(3, min(5, len(headings)))
    headings = headings[:n_cols]
    n_rows = rng.randint(4, 7)
    body = [[[_value(h, r, rng)] for h in headings] for r in range(1, n_rows)]
    if (seed // 4) % 2:
        # A heading over two columns, on a row of its own.
        c = rng.randint(0, n_cols - 2)
        group = [[""] for _ in headings]
        group[c] = [rng.choice(("基本信息", "明细情况", "统计数据", "登记信息"))]
        texts = [group, [[h] for h in headings]] + body
        merges, heading_rows = [(c, 0, c + 2, 1)], 2
    else:
        texts, merges, heading_rows = [[[h] for h in headings]] + body, [], 1
    return _Spec(texts, merges, style, ["left"] * n_cols, heading_rows)


def _three_line(rng: random.Random) -> _Spec:
    """A paper's three-line table: a label column and 3–6 statistics, headings close together
    (a word apart), numbers in the body; sometimes the label heading in two lines."""
    chinese = rng.random() < 0.5
    labels, headings = STAT_LABELS[chinese], STAT_HEADINGS[chinese]
    n_cols = rng.randint(3, 6)
    heads = [labels[0]] + rng.sample(headings[:6], n_cols)
    n_rows = rng.randint(3, 6)
    names = rng.sample(labels[1:], n_rows)
    body = []
    for name in names:
        row = [[name]]
        for h in heads[1:]:
            if h in ("IQR",):
                lo = rng.randint(1, 60)
                row.append([f"{lo}-{lo + rng.randint(5, 150)}"])
            elif h in ("n", "例数", "Min", "Max", "最小值", "最大值"):
                row.append([str(rng.randint(0, 400))])
            elif h in ("P", "P值"):
                row.append([f"0.{rng.randint(1, 999):03d}"])
            else:
                row.append([f"{rng.uniform(1, 200):.1f}"])
        body.append(row)
    texts = [[[h] for h in heads]] + body
    return _Spec(texts, [], "three_line", ["left"] * (n_cols + 1), 1, gap=rng.uniform(-0.5, -0.2))


def _column_ruled(rng: random.Random) -> _Spec:
    """A report ruled by columns only (a lab sheet): a frame, the rules between columns and
    one under the heading, no rule between body rows."""
    items = rng.sample(LAB_ITEMS, rng.randint(5, 10))
    texts = [[["代号"], ["项目"], ["结果"], ["参考值"], ["单位"]]]
    for code, name, reference, unit in items:
        texts.append([[code], [name], [f"{rng.uniform(1, 120):.1f}"], [reference], [unit]])
    return _Spec(texts, [], "columns", ["left", "centre", "centre", "centre", "left"], 1)


def _captioned(rng: random.Random, seed: int) -> _Spec:
    """An unruled table (no rules, or three lines) under a caption of the body's type."""
    spec = _unruled(rng, seed)
    spec.rules = rng.choice(("none", "three_line"))
    spec.caption = [f"表{rng.randint(1, 9)}", rng.choice(CAPTIONS)] if rng.random() < 0.5 else [
        f"表{rng.randint(1, 9)}  " + rng.choice(CAPTIONS)]
    return spec


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


# --- drawing ----------------------------------------------------------------------------

def _draw(specs: list[_Spec], styles: list[str], size: int, rng: random.Random, seed: int,
          distortion: Distortion | None, kind: str) -> TableSample:
    fnt = font(size)
    title_font = font(int(size * 1.4), bold=True)
    pad_x, pad_y, line_h = 0.8 * size, 0.55 * size, 1.35 * size
    layouts = [_layout(spec, fnt, pad_x, pad_y, line_h) for spec in specs]
    margin = int(3 * size)
    width = int(max(sum(widths) for widths, _ in layouts)) + 2 * margin
    height = margin
    title = kind == "finance" or (kind not in NEW_KINDS and rng.random() < 0.5)
    plan = []
    for spec, (widths, heights) in zip(specs, layouts):
        top = height + (int(3.5 * size) if title else 0) + int(len(spec.caption) * 1.35 * size)
        plan.append(top)
        height = top + int(sum(heights)) + int(3 * size)
    height += margin
    canvas = Canvas(width, height)
    truth = []
    for n, (spec, (widths, heights), top) in enumerate(zip(specs, layouts, plan)):
        left = (width - sum(widths)) / 2
        if title:
            text = rng.choice(FINANCE_TITLES) if kind == "finance" else f"表{n + 1}  " + rng.choice(
                ("人员名单", "物品清单", "项目进度", "网点信息", "统计表"))
            canvas.text((width - title_font.getlength(text)) / 2, top - 1.6 * size, text, title_font)
            if kind == "finance":
                canvas.text(left + sum(widths) - fnt.getlength("单位：元"), top - 0.45 * size, "单位：元", fnt)
        for i, text in enumerate(spec.caption):
            canvas.text(left + pad_x, top - (len(spec.caption) - i) * 1.35 * size - 0.1 * size, text, fnt, fill=INK)
        truth.append(_draw_table(canvas, spec, widths, heights, left, top, fnt, pad_x, pad_y, line_h, rng))
    d = distortion or Distortion()
    image, lines = apply(to_bgr(canvas.image), canvas.lines, d, seed)
    return TableSample(kind=f"table_{kind}", image=image, fields={}, boxes={}, lines=lines, distortion=d,
                       seed=seed, tables=truth, styles=styles)


def _spans(spec: _Spec) -> list[tuple[int, int, int, int]]:
    """Every cell of the table as (sx, sy, ex, ey), row by row."""
    n_rows, n_cols = len(spec.texts), len(spec.texts[0])
    covered = {}
    for m in spec.merges:
        for r in range(m[1], m[3]):
            for c in range(m[0], m[2]):
                covered[(c, r)] = m
    cells = []
    for r in range(n_rows):
        for c in range(n_cols):
            m = covered.get((c, r), (c, r, c + 1, r + 1))
            if (m[0], m[1]) == (c, r):
                cells.append(m)
    return cells


def _layout(spec: _Spec, fnt: ImageFont.FreeTypeFont, pad_x: float, pad_y: float,
            line_h: float) -> tuple[list[float], list[float]]:
    n_rows, n_cols = len(spec.texts), len(spec.texts[0])
    widths = [2 * pad_x + 2 * fnt.size] * n_cols
    heights = [2 * pad_y + line_h] * n_rows
    spans = _spans(spec)
    for sx, sy, ex, ey in sorted(spans, key=lambda s: s[2] - s[0]):
        need = max(fnt.getlength(t) for t in spec.texts[sy][sx]) + 2 * pad_x
        if spec.rules not in ("all", "dashed", "columns"):
            need += spec.gap * fnt.size  # unruled columns: a clear gap between them
        have = sum(widths[sx:ex])
        if need > have:
            for c in range(sx, ex):
                widths[c] += (need - have) / (ex - sx)
        lines_need = len(spec.texts[sy][sx]) * line_h + 2 * pad_y
        have_h = sum(heights[sy:ey])
        if lines_need > have_h:
            for r in range(sy, ey):
                heights[r] += (lines_need - have_h) / (ey - sy)
    return [round(w) for w in widths], [round(h) for h in heights]


def _draw_table(canvas: Canvas, spec: _Spec, widths: list[float], heights: list[float], left: float, top: float,
                fnt: ImageFont.FreeTypeFont, pad_x: float, pad_y: float, line_h: float,
                rng: random.Random) -> list[dict]:
    xs = [left + sum(widths[:c]) for c in range(len(widths) + 1)]
    ys = [top + sum(heights[:r]) for r in range(len(heights) + 1)]
    thick = rng.choice((1, 2, 2, 3))
    draw = canvas.draw
    cells = []
    for sx, sy, ex, ey in _spans(spec):
        lines = [t for t in spec.texts[sy][sx] if t]
        cells.append({"sx": sx, "sy": sy, "ex": ex, "ey": ey, "text": "".join(lines)})
        block_top = (ys[sy] + ys[ey]) / 2 - len(lines) * line_h / 2
        for i, text in enumerate(lines):
            w = fnt.getlength(text)
            align = spec.align[sx] if ex - sx == 1 and sy >= spec.heading_rows else "centre"
            x = {"left": xs[sx] + pad_x, "right": xs[ex] - pad_x - w}.get(align, (xs[sx] + xs[ex] - w) / 2)
            if ex - sx > 1 and spec.rules not in ("all", "dashed", "columns"):
                x = xs[sx + 1] - w / 2  # a heading over two unruled columns stands over the line between them
            canvas.text(x, block_top + i * line_h + 0.5 * line_h + 0.36 * fnt.size, text, fnt, fill=INK)
        if spec.rules in ("all", "dashed"):
            dashed = spec.rules == "dashed"
            # Each cell's right and bottom edges (the outer frame is drawn whole below).
            if ex < len(widths):
                _rule(draw, (xs[ex], ys[sy]), (xs[ex], ys[ey]), thick, dashed)
            if ey < len(heights):
                _rule(draw, (xs[sx], ys[ey]), (xs[ex], ys[ey]), thick, dashed)
    if spec.rules in ("all", "dashed"):
        frame = thick + rng.choice((0, 1))
        for a, b in (((xs[0], ys[0]), (xs[-1], ys[0])), ((xs[0], ys[-1]), (xs[-1], ys[-1])),
                     ((xs[0], ys[0]), (xs[0], ys[-1])), ((xs[-1], ys[0]), (xs[-1], ys[-1]))):
            _rule(draw, a, b, frame, False)
    elif spec.rules == "three_line":
        for y, t in ((ys[0], thick + 1), (ys[spec.heading_rows], thick), (ys[-1], thick + 1)):
            _rule(draw, (xs[0], y), (xs[-1], y), t, False)
    elif spec.rules == "columns":
        frame = thick + rng.choice((0, 1))
        for a, b in (((xs[0], ys[0]), (xs[-1], ys[0])), ((xs[0], ys[-1]), (xs[-1], ys[-1])),
                     ((xs[0], ys[0]), (xs[0], ys[-1])), ((xs[-1], ys[0]), (xs[-1], ys[-1]))):
            _rule(draw, a, b, frame, False)
        for x in xs[1:-1]:
            _rule(draw, (x, ys[0]), (x, ys[-1]), thick, False)
        _rule(draw, (xs[0], ys[spec.heading_rows]), (xs[-1], ys[spec.heading_rows]), thick, False)
    elif spec.rules == "rows":
        for y in ys:
            _rule(draw, (xs[0], y), (xs[-1], y), thick, False)
    return cells


def _rule(draw, a: tuple[float, float], b: tuple[float, float], thick: int, dashed: bool) -> None:
    if not dashed:
        draw.line((a, b), fill=INK, width=thick)
        return
    (x0, y0), (x1, y1) = a, b
    length = max(abs(x1 - x0), abs(y1 - y0))
    dash, gap = 6.0, 4.0
    t = 0.0
    while t < length:
        e = min(length, t + dash)
        f0, f1 = t / length, e / length
        draw.line(((x0 + (x1 - x0) * f0, y0 + (y1 - y0) * f0), (x0 + (x1 - x0) * f1, y0 + (y1 - y0) * f1)),
                  fill=INK, width=thick)
        t = e + gap


def cells_json(sample: TableSample) -> list[list[list[dict]]]:
    """The truth nested as the reference's json answer: tables, rows (by first row), cells."""
    out = []
    for cells in sample.tables:
        rows: dict[int, list[dict]] = {}
        for cell in cells:
            rows.setdefault(cell["sy"], []).append(cell)
        out.append([rows[r] for r in sorted(rows)])
    return out


__all__ = ["TableSample", "table_page", "photographed_table", "table_kind", "cells_json", "KINDS", "SEED_KINDS",
           "NEW_KINDS"]
