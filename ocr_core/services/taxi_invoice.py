"""ocr_taxi_invoice: machine-printed taxi invoices, several in one picture: each receipt found
on the desk, turned upright and read, and each printed value (code, number, car, date, times,
price, distance, fare...) answered with its rotated rectangle in the picture sent."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ocr_core.engines import Pipeline
from ocr_core.engines.base import TextLine
from ocr_core.errors import WrongCategory
from ocr_core.finders.sheets import find_sheets, inset
from ocr_core.geometry import Quad, Rect, Transform, warp_quad
from ocr_core.steps.answer import Findings
from ocr_core.steps.extract import find_labels
from ocr_core.steps.read import read_page_text

OPTIONS: dict = {}
LABELS = ["发票代码", "发票号码", "电话", "车号", "证号", "日期", "上车", "下车", "单价", "里程", "等候", "金额"]
# A receipt is a taxi invoice when this many of its labels are read; fewer is other paper.
MIN_LABELS = 3

# Characters OCR puts for digits on a thermal print.
_AS_DIGIT = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1", "Z": "2",
                           "S": "5", "B": "8", "G": "6", "：": ":", "。": ".", "，": ".", ",": ".", "—": "-",
                           "一": "-", "_": "-", "～": "-", "~": "-"})


_AS_LETTER = str.maketrans("0258", "DZSB")


def _digits(count: int) -> Callable[[str], str | None]:
    def parse(text: str) -> str | None:
        digits = re.sub(r"\D", "", text.translate(_AS_DIGIT))
        return digits if len(digits) == count else None
    return parse


def _pattern(regex: str, form: Callable[[re.Match], str] = lambda m: m.group(0)) -> Callable[[str], str | None]:
    compiled = re.compile(regex)

    def parse(text: str) -> str | None:
        match = compiled.search(text.replace(" ", "").translate(_AS_DIGIT))
        return form(match) if match else None
    return parse


def _plate(text: str) -> str | None:
    """车号: the city's letter, a dash, five letters or digits (A-X9F99), as the reference answers it."""
    match = re.search(r"([A-Z0258])[-—一_.·]?([A-Z0-9]{5})$", text.replace(" ", "").upper())
    if match is None:
        return None
    # The city's code is a letter, and plates use neither I nor O (GA 36): read as such, they
    # are the letter or digit that looks alike.
    city = match.group(1).translate(_AS_LETTER)
    return f"{city}-{match.group(2).replace('O', '0').replace('I', '1')}"


# How each value is printed; a reading in another form keeps its text and fails its check.
PARSERS: dict[str, Callable[[str], str | None]] = {
    "发票代码": _digits(12),
    "发票号码": _digits(8),
    "电话": _pattern(r"\d{3,4}-\d{7,8}"),
    "车号": _plate,
    "证号": _digits(6),
    "日期": _pattern(r"(\d{4})[-./年]?(\d\d)[-./月]?(\d\d)", lambda m: f"{m[1]}-{m[2]}-{m[3]}"),
    "上车": _pattern(r"(\d\d):?(\d\d)", lambda m: f"{m[1]}:{m[2]}"),
    "下车": _pattern(r"(\d\d):?(\d\d)", lambda m: f"{m[1]}:{m[2]}"),
    "单价": _pattern(r"(\d{1,2})\.?(\d\d)", lambda m: f"{m[1]}.{m[2]}元"),
    "里程": _pattern(r"(\d{1,3})\.(\d)", lambda m: f"{m[1]}.{m[2]}km"),
    "等候": _pattern(r"(\d\d):?(\d\d):?(\d\d)", lambda m: f"{m[1]}:{m[2]}:{m[3]}"),
    "金额": _pattern(r"(\d{1,4})\.(\d\d)", lambda m: f"¥{m[1]}.{m[2]}"),
}


@dataclass(frozen=True)
class Item:
    label: str
    txt: str
    quad: Quad      # in the picture sent
    prob: float
    valid: bool


def ocr_taxi_invoice(image: np.ndarray, configure: dict, pipeline: Pipeline) -> Findings:
    """The reference's answer: {"recipts": [{"items": [{"roi", "txt"}], "roi", "rotate_type"}], "success"}."""
    height, width = image.shape[:2]
    whole = Quad.from_box(0, 0, width, height)
    # The whole picture last: a receipt scanned or photographed close up has no desk around it,
    # and what stood out from the background may be other paper.
    sheets = find_sheets(image) + [whole]
    recipts, evidence, warnings = [], {}, []
    for sheet in sheets:
        if sheet is whole and recipts:
            break
        crop, crop_to_picture = warp_quad(image, _standing(inset(sheet)))
        page = read_page_text(crop, pipeline)
        items = _items(page.upright_lines(), page.to_original.then(crop_to_picture))
        if len({item.label for item in items}) < MIN_LABELS:
            continue
        n = len(recipts)
        recipts.append({"items": [{"roi": _rotated_rect(item.quad), "txt": item.txt} for item in items],
                        "roi": _rect(sheet, width, height),
                        "rotate_type": _rotate_type(page.to_original.then(crop_to_picture), page.upright.shape)})
        for k, item in enumerate(items):
            evidence[f"recipts.{n}.items.{k}"] = {"box": item.quad.to_list(), "prob": round(item.prob, 5),
                                                  "valid": item.valid, "label": item.label, "engine": page.engine}
        warnings += [w for w in page.warnings if w not in warnings]
    if not recipts:
        raise WrongCategory()
    # Each receipt's items name the engine of its own page.
    return Findings({"recipts": recipts}, evidence, warnings)


def _standing(sheet: Quad) -> Quad:
    """The sheet's corners ordered so that it is cut out standing: a taxi receipt is a strip of
    roll paper, longer than wide, its lines across the strip. Which end is up is left to the
    reader; the shape alone spares the line finder a guess at 90 against 0 degrees, which it
    can miss on small print whose lines lie closer than its characters are wide."""
    if sheet.length <= sheet.thickness:
        return sheet
    return Quad(sheet.bl, sheet.tl, sheet.tr, sheet.br)


def _items(lines: list[TextLine], to_picture: Transform) -> list[Item]:
    """Each label's value on the upright receipt, in print order: the rest of the label's line,
    or the line printed right of the label on its row when the value was found apart."""
    items = []
    hits = _label_hits(lines)
    for n, (label, index, start, stop) in enumerate(hits):
        line = lines[index]
        end = hits[n + 1][2] if n + 1 < len(hits) and hits[n + 1][1] == index else len(line.text)
        text = line.text[stop:end].strip(" :：")
        quad = _part(line.quad, line.text, stop, end) if text else None
        prob = line.prob
        if not text:
            beside = _beside(lines, line)
            if beside is None:
                continue
            text, quad, prob = beside.text.strip(), beside.quad, beside.prob
        parsed = PARSERS[label](text)
        items.append(Item(label, parsed or text, to_picture.apply_quad(quad), prob, parsed is not None))
    return items


def _label_hits(lines: list[TextLine]) -> list[tuple[str, int, int, int]]:
    """(label, line, start, end) of each label read, in print order. A label of two characters
    missing from the lines is taken where a line starts with it one character misread (全额 for
    金额, 等侯 for 等候), when no other label is as near: 上车 and 下车 differ by one character too."""
    hits = [(hit.label, hit.line, hit.start, hit.end) for hit in find_labels(lines, LABELS)]
    used = {hit[1] for hit in hits}
    for label in LABELS:
        if any(hit[0] == label for hit in hits):
            continue
        for index, line in enumerate(lines):
            head = line.text.strip()[:len(label)]
            if index in used or len(head) < len(label):
                continue
            misses = {other: sum(a != b for a, b in zip(head, other)) for other in LABELS if len(other) == len(label)}
            if misses[label] == 1 and sorted(misses.values())[1] > 1:
                at = line.text.index(head)
                hits.append((label, index, at, at + len(label)))
                used.add(index)
                break
    return sorted(hits, key=lambda hit: (hit[1], hit[2]))


def _beside(lines: list[TextLine], label: TextLine) -> TextLine | None:
    """The nearest line right of `label` whose middle lies within its height: its value."""
    left, top, right, bottom = label.quad.bounds()
    row = [line for line in lines if line is not label and top <= line.quad.center[1] <= bottom
           and line.quad.bounds()[0] >= right - 0.2 * (bottom - top)]
    return min(row, key=lambda line: line.quad.bounds()[0], default=None)


def _part(quad: Quad, text: str, start: int, end: int) -> Quad:
    """The stretch of a line's box that characters start..end take, by count of characters
    (a value printed after its label on one line)."""
    a, b = start / max(1, len(text)), end / max(1, len(text))
    mix = lambda p, q, t: (p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t)  # noqa: E731
    return Quad(mix(quad.tl, quad.tr, a), mix(quad.tl, quad.tr, b), mix(quad.bl, quad.br, b), mix(quad.bl, quad.br, a))


def _rotated_rect(quad: Quad) -> dict:
    """The reference's item roi (OpenCV's RotatedRect): centre, size along (w) and across (h)
    the reading direction, and clockwise angle in degrees, per `Rect`."""
    rect = Rect.from_quad(quad)
    cx, cy = rect.center
    return {"angle": round(rect.angle, 4), "center": {"x": round(cx, 2), "y": round(cy, 2)},
            "size": {"h": round(rect.height, 2), "w": round(rect.width, 2)}}


def _rect(sheet: Quad, width: int, height: int) -> dict:
    """The reference's receipt roi (OpenCV's Rect): the upright box around it, inside the picture."""
    left, top, right, bottom = sheet.bounds()
    x, y = max(0, int(math.floor(left))), max(0, int(math.floor(top)))
    return {"h": min(height, int(math.ceil(bottom))) - y, "w": min(width, int(math.ceil(right))) - x, "x": x, "y": y}


def _rotate_type(to_picture: Transform, shape: tuple[int, ...]) -> int:
    """The reference's rotate_type: 0 upright, 1/2/3 when the receipt must be turned clockwise
    by 90/180/270 degrees to stand upright."""
    h, w = shape[:2]
    (x0, y0), (x1, y1) = to_picture.apply([(w / 2 - 10, h / 2), (w / 2 + 10, h / 2)])
    applied = int(round(math.degrees(math.atan2(y1 - y0, x1 - x0)) / 90)) % 4
    return (4 - applied) % 4
