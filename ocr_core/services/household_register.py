"""ocr_household_register: a page of the household register (常住人口登记卡). Its fields are
found by their printed labels, row by row of the form; the vertical title by its column left
of the labels; the stamps as regions of red ink, sorted into the reference's kinds by what is
read in or beside them."""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ocr_core.checks.dates import normalize_date
from ocr_core.checks.id_number import correct_id_number, id_birth, id_sex
from ocr_core.engines import Pipeline, get_engine
from ocr_core.engines.base import TextLine
from ocr_core.errors import WrongCategory
from ocr_core.finders.seals import find_red_regions
from ocr_core.geometry import Quad, enclosing_quad, reference_box
from ocr_core.steps.answer import Findings
from ocr_core.steps.extract import PlacedLabel, chinese_value, find_labels, place_labels, simplified
from ocr_core.steps.locate import grey_of
from ocr_core.steps.read import PageText, read_page_text

OPTIONS: dict = {}
FAIL_TEXT = "FailInRecognition"
FAIL_BOX = "FailInDetection"
TITLE = "常住人口登记卡"
# The answer's fields and their printed labels.
FIELDS = {"relation": "户主或与户主关系", "name": "姓名", "gender": "性别", "birth_place": "出生地",
          "nation": "民族", "native_place": "籍贯", "birth_date": "出生日期", "idcard": "公民身份证件编号"}
# Every caption of the form: a value stops at the next one, answered or not.
OTHER_LABELS = ["曾用名", "其他住址", "宗教信仰", "身高", "文化程度", "婚姻状况", "服务处所", "职业",
                "迁来本市", "迁来本址", "承办人", "登记日期"]
LABELS = list(FIELDS.values()) + OTHER_LABELS
_SHARED_WITH_ID_CARD = {"姓名", "性别", "民族", "出生日期"}
STAMP_KINDS = ("invalid_stamp", "undertake_stamp", "register_stamp", "other_stamp")
# Pieces of the form's rules read as characters: not text of any row.
_RULE_NOISE = re.compile(r"^[1lI|丨一十\-_.,'`:;]{1,2}$")
_DATE = re.compile(r"(\d{4})\D{0,2}?(\d{1,2})\D{0,2}?(\d{1,2})")


@dataclass
class _Value:
    parts: list[tuple[float, str, TextLine]]   # (left edge, text, line) of each piece, in any order

    @property
    def text(self) -> str:
        return "".join(text for _, text, _ in sorted(self.parts, key=lambda part: part[0]))

    @property
    def quad(self) -> Quad:
        return enclosing_quad([line.quad for _, _, line in self.parts])

    @property
    def prob(self) -> float:
        return min(line.prob for _, _, line in self.parts)


def ocr_household_register(image: np.ndarray, configure: dict, pipeline: Pipeline) -> Findings:
    page = read_page_text(image, pipeline)
    upright = page.upright_lines()
    labels = place_labels(upright, LABELS)
    if len({label.label for label in labels} - _SHARED_WITH_ID_CARD) < 2:
        # No page of the register: an ID card prints 姓名, 性别 and 民族 too.
        raise WrongCategory()
    grid_left = _grid_left(labels)
    found = _values(upright, labels, grid_left)
    for caption in FIELDS.values():
        if caption in _by_name(labels) and caption not in found:
            found.update(_read_cell(page, pipeline, labels, caption))

    raw = {name: found.get(caption) for name, caption in FIELDS.items()}
    gender = _first_of(raw["gender"], "男女")
    birth_date = _printed_date(raw["birth_date"])
    number = _ascii_number(raw["idcard"].text) if raw["idcard"] else None
    idcard = correct_id_number(number, birth=birth_date, sex=gender) if number else None
    answer = {
        "angle": page.rotation,
        "name": _cjk(raw["name"]) or FAIL_TEXT,
        "gender": gender or (id_sex(idcard) if idcard else FAIL_TEXT),
        "relation": _cjk(raw["relation"]) or FAIL_TEXT,
        "birth_place": _cjk(raw["birth_place"]) or FAIL_TEXT,
        "nation": _cjk(raw["nation"]) or FAIL_TEXT,
        "native_place": _cjk(raw["native_place"]) or FAIL_TEXT,
        "birth_date": birth_date or (_date_of(id_birth(idcard)) if idcard else FAIL_TEXT),
        "idcard": idcard or FAIL_TEXT,
    }
    title = _title(page, upright, grid_left)
    answer["title"] = reference_box(title) if title else FAIL_BOX
    stamps = _stamps(image, page)
    answer.update({kind: [reference_box(quad) for quad in stamps[kind]] for kind in STAMP_KINDS})
    evidence = {name: _evidence(raw[name], page) for name in FIELDS}
    evidence["idcard"]["valid"] = idcard is not None if raw["idcard"] else None
    # A field not read is warned of; a number that fails its check is not (its evidence says so).
    return Findings(answer, evidence, page.warnings, page.engine, checksum_warnings=False, unread=FAIL_TEXT)


def _by_name(labels: list[PlacedLabel]) -> dict[str, PlacedLabel]:
    """The labels by their caption (each caption is placed once on a page)."""
    return {label.label: label for label in labels}


def _grid_left(labels: list[PlacedLabel]) -> float:
    """The left edge of the form's cells, just left of the leftmost caption. A caption read in
    a line far wider than its characters (the line finder ran a row into the title's column:
    姓名钟嘉 from x 49 to 500) gives no position, as characters are about as wide as high."""
    def square(label: PlacedLabel) -> bool:
        left, top, right, bottom = label.box
        return (right - left) <= 1.6 * (bottom - top) * len(label.label)

    placed = [label for label in labels if square(label)] or labels
    return min(label.box[0] for label in placed) - 5


def _values(lines: list[TextLine], labels: list[PlacedLabel], grid_left: float) -> dict[str, _Value]:
    """Each label's value: the text right of it in its row of the form, up to the next label.

    A line is cut at the labels it holds; a piece before any label (a value read as a line of
    its own, or run into the next label: 杭州天宇电子商务有限公司职业) belongs to the nearest
    label on its left whose middle is within a line's height of its own. Rows are not levelled
    first: on a photographed page the right half of a row may sit lower than the left."""
    heights = sorted(label.box[3] - label.box[1] for label in labels)
    tolerance = 1.1 * heights[len(heights) // 2]
    by_line: dict[int, list[PlacedLabel]] = {}
    for label in labels:
        by_line.setdefault(label.line, []).append(label)
    values: dict[str, _Value] = {}
    for index, line in enumerate(lines):
        if (_RULE_NOISE.match(line.text.strip()) or line.quad.center[0] < grid_left
                or _covered(line, lines)):
            continue
        left, top, right, bottom = line.quad.bounds()
        per_char = (right - left) / max(1, len(line.text))
        own = sorted(by_line.get(index, []), key=lambda label: label.start)
        cuts = [label.start for label in own] + [len(line.text)]
        for n, label in enumerate(own):
            piece = line.text[label.end:cuts[n + 1]].strip(" :：")
            if piece:
                values.setdefault(label.label, _Value([])).parts.append((label.box[2], piece, line))
        head = line.text[:cuts[0]].strip(" :：")
        # A caption read a second time (its first reading was placed) is no value.
        if not head or find_labels([TextLine(head, line.quad, line.prob)], LABELS):
            continue
        middle = (top + bottom) / 2
        row = [label for label in labels if abs((label.box[1] + label.box[3]) / 2 - middle) <= tolerance]
        owners = [label for label in row if label.box[2] <= left + per_char]
        # Ink over a caption of the row read again, shifted (系母文 over 户主或与户主关系), is no value.
        over = any(min(right, label.box[2]) - max(left, label.box[0]) > 0.3 * (right - left)
                   for label in labels if label.line != index and label.box[1] < bottom and top < label.box[3])
        if owners and not over:
            owner = max(owners, key=lambda label: label.box[2])
            values.setdefault(owner.label, _Value([])).parts.append((left, head, line))
    return {label: _without_ghosts(value, _by_name(labels)[label]) for label, value in values.items()}


def _without_ghosts(value: _Value, label: PlacedLabel) -> _Value:
    """The value without pieces read twice: of two pieces over the same columns (山东 above
    山东省济南市, half a line off), the one nearer the label's middle is the value."""
    middle = (label.box[1] + label.box[3]) / 2

    def offset(line: TextLine) -> float:
        return abs(line.quad.center[1] - middle)

    kept = []
    for part in value.parts:
        l0, _, r0, _ = part[2].quad.bounds()
        ghost = any(other[2] is not part[2] and offset(other[2]) < offset(part[2])
                    and min(r0, other[2].quad.bounds()[2]) - max(l0, other[2].quad.bounds()[0]) > 0.5 * (r0 - l0)
                    for other in value.parts)
        if not ghost:
            kept.append(part)
    return _Value(kept)


def _covered(line: TextLine, lines: list[TextLine]) -> bool:
    """Whether most of a line lies inside a longer line: the line finder found the same ink
    twice (系母文 over 户主或与户主关系母亲), and the longer reading is the one kept."""
    l0, t0, r0, b0 = line.quad.bounds()
    area = max(1.0, (r0 - l0) * (b0 - t0))
    for other in lines:
        if other is line or len(other.text) <= len(line.text):
            continue
        l1, t1, r1, b1 = other.quad.bounds()
        if max(0.0, min(r0, r1) - max(l0, l1)) * max(0.0, min(b0, b1) - max(t0, t1)) >= 0.5 * area:
            return True
    return False


def _read_cell(page: PageText, pipeline: Pipeline, labels: list[PlacedLabel], caption: str) -> dict[str, _Value]:
    """Read again the cell right of a label whose value no line held (the line finder missed
    it): from the label to the next label of its row, or a fixed width, one label high."""
    label = _by_name(labels)[caption]
    left, top, right, bottom = label.box
    height = bottom - top
    middle = (top + bottom) / 2
    after = [other.box[0] for other in labels if other.box[0] > right
             and abs((other.box[1] + other.box[3]) / 2 - middle) <= height]
    end = min(after, default=right + 14 * height) - 0.3 * height
    image = page.upright
    x0, x1 = int(max(0, right + 0.3 * height)), int(min(image.shape[1], end))
    y0, y1 = int(max(0, top - 0.45 * height)), int(min(image.shape[0], bottom + 0.45 * height))
    if x1 - x0 < height or y1 <= y0:
        return {}
    reading = get_engine(pipeline.reader).read_line(grey_of(image[y0:y1, x0:x1]))
    text = reading.text.strip(" :：|")
    if not text:
        return {}
    line = TextLine(text, Quad.from_box(x0, y0, x1, y1), reading.prob)
    return {caption: _Value([(x0, text, line)])}


def _title(page: PageText, upright: list[TextLine], grid_left: float) -> Quad | None:
    """The vertical title in the picture sent: the Chinese characters read in the column left
    of the form's cells (each is read as a line of its own), when most of the title is there."""
    column = []
    for line in upright:
        left, top, right, bottom = line.quad.bounds()
        if left >= grid_left - 10 or not line.text or line.text[0] not in TITLE:
            continue
        if right > grid_left + 10:
            # The title's last character read together with the row beside it: keep its square.
            right = left + (bottom - top)
        column.append(Quad.from_box(left, top, right, bottom))
    if len(column) < 3:
        return None
    return page.to_original.apply_quad(enclosing_quad(column))


def _stamps(image: np.ndarray, page: PageText) -> dict[str, list[Quad]]:
    """The red regions, by kind: 注销/作废 in them is an invalid stamp; the registry's seal
    (户口专用章, 派出所, 登记) a register stamp; a seal beside 承办人 or a name seal (a few
    characters ending in 印) the clerk's undertake stamp; anything else another stamp."""
    stamps: dict[str, list[Quad]] = {kind: [] for kind in STAMP_KINDS}
    for quad in find_red_regions(image):
        left, top, right, bottom = quad.bounds()
        inside = "".join(line.text for line in page.lines if quad.contains(line.quad.center))
        size = max(right - left, bottom - top)
        beside = [line.text for line in page.lines if _near(line.quad, quad, size)]
        if re.search("注销|作废|迁出|死亡", inside):
            kind = "invalid_stamp"
        elif re.search("户口专用|专用章|派出所|公安|登记", inside):
            kind = "register_stamp"
        elif re.search(r"^[\u4e00-\u9fff]{1,4}印$", inside.strip()) or any("承办人" in text for text in beside):
            kind = "undertake_stamp"
        else:
            kind = "other_stamp"
        stamps[kind].append(quad)
    return stamps


def _near(line: Quad, region: Quad, size: float) -> bool:
    """Whether a line stands within one stamp size of the region (and is not inside it)."""
    l0, t0, r0, b0 = line.bounds()
    l1, t1, r1, b1 = region.bounds()
    gap_x = max(0.0, l1 - r0, l0 - r1)
    gap_y = max(0.0, t1 - b0, t0 - b1)
    return max(gap_x, gap_y) <= size and not region.contains(line.center)



def _evidence(value: _Value | None, page: PageText) -> dict:
    """Where a value was read, in the picture sent, and the least confidence of its pieces."""
    if value is None:
        return {"box": None, "prob": 0.0, "valid": None}
    return {"box": page.to_original.apply_quad(value.quad).to_list(), "prob": round(value.prob, 5), "valid": None}


def _cjk(value: _Value | None) -> str:
    # Names, places, relations and nations are Chinese characters (and the middle dot of
    # minority names); anything else is a rule or a speck read as a character.
    return chinese_value(simplified(value.text)) if value else ""


def _first_of(value: _Value | None, choices: str) -> str | None:
    return next((ch for ch in value.text if ch in choices), None) if value else None


def _printed_date(value: _Value | None) -> str | None:
    """The birth date as the page prints it, 1988年8月8日, from any reading of it."""
    if value is None:
        return None
    ymd = normalize_date(value.text)
    if ymd is None:
        match = _DATE.search(_ascii_number(value.text))
        ymd = normalize_date("{}年{}月{}日".format(*match.groups())) if match else None
    return _date_of(ymd) if ymd else None


def _date_of(ymd: str) -> str:
    return f"{int(ymd[:4])}年{int(ymd[4:6])}月{int(ymd[6:8])}日"


def _ascii_number(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum() and ch.isascii())
