"""ocr_business_license: the three-in-one business licence. Each field is found by its printed
label and read right of it, on as many lines as it wraps in its column; the credit code under
its label, checked and corrected by GB 32100; the emblem, title, seal and QR code located by
colour, size and shape, and answered as boxes in the picture sent."""
from __future__ import annotations

import re

import cv2
import numpy as np

from ocr_core.checks.credit_code import correct_credit_code, registration_number_valid
from ocr_core.checks.dates import normalize_date, normalize_period
from ocr_core.engines import Pipeline, get_engine
from ocr_core.engines.base import TextLine
from ocr_core.errors import WrongCategory
from ocr_core.finders.frames import erase_frames
from ocr_core.finders.qrcodes import find_qr_code
from ocr_core.finders.seals import find_red_regions, red_mask
from ocr_core.geometry import Quad, reference_box
from ocr_core.steps.answer import Findings
from ocr_core.steps.extract import Field, PlacedLabel, chinese_value, field_evidence, place_labels
from ocr_core.steps.locate import grey_of, ink_mask
from ocr_core.steps.read import PageText, read_page_text
from ocr_core.steps.unseal import without_red_ink

OPTIONS: dict = {}
FAIL_TEXT = "FailInRecognition"
FAIL_BOX = "FailInDetection"
LONG_TERM = "29991231"      # the reference's 长期, and its answer for a licence printing no term
TITLE = "营业执照"
CODE_LABELS = ("统一社会信用代码", "注册号")
PERSON_LABELS = ("法定代表人", "负责人", "经营者", "投资人", "执行事务合伙人")
ADDRESS_LABELS = ("住所", "经营场所", "主要经营场所")
# The answer's single-label fields, and how many lines each may wrap to.
FIELDS = {"name": "名称", "captial": "注册资本", "establish_date": "成立日期", "valid_period": "营业期限",
          "business": "经营范围"}
WRAPS = {"名称": 2, "经营范围": 14, "住所": 3, "经营场所": 3, "主要经营场所": 3}
OTHER_LABELS = ("类型", "登记机关", "组成形式", "出资额", "注册日期")
LABELS = (CODE_LABELS + PERSON_LABELS + ADDRESS_LABELS + tuple(FIELDS.values()) + OTHER_LABELS)
# Labels only a business licence prints: two of them (or the title) make the page one.
DISTINCTIVE = {"统一社会信用代码", "注册号", "注册资本", "成立日期", "营业期限", "经营范围", "法定代表人"}
_CODE_CHARS = re.compile(r"[0-9A-Z]+")
# Half-width punctuation the recogniser answers for the full-width marks a licence prints.
_FULL_WIDTH = str.maketrans({";": "；", "(": "（", ")": "）", ",": "，", ":": "："})


def ocr_business_license(image: np.ndarray, configure: dict, pipeline: Pipeline) -> Findings:
    # The ornamented border encloses the page: without it the page's text direction is found.
    # The seal, stamped over the authority or over a label and its value, is taken out before
    # reading (the marks are located in the picture sent).
    page = read_page_text(erase_frames(without_red_ink(image)), pipeline)
    lines = _join_spread_labels(page.upright_lines())
    labels = _labels(lines)
    found = {label.label for label in labels}
    title = _title(page, lines, pipeline)
    if len(found & DISTINCTIVE) + (title is not None) < 2:
        raise WrongCategory()
    to_original = page.to_original

    values = {label.label: _value(lines, labels, label, page.upright.shape[1]) for label in labels}
    code_field, reg_num = _registration(lines, labels)
    person = next((values[name] for name in PERSON_LABELS if values.get(name)), None)
    address = next((values[name] for name in ADDRESS_LABELS if values.get(name)), None)
    raw = {"name": values.get("名称"), "person": person, "establish_date": values.get("成立日期"),
           "valid_period": values.get("营业期限"), "address": address, "captial": values.get("注册资本"),
           "business": values.get("经营范围")}

    establish = normalize_date(raw["establish_date"].text) if raw["establish_date"] else None
    period_end = _period_end(raw["valid_period"], "营业期限" in found)
    answer = {
        "angle": page.rotation,
        "reg_num": reg_num or FAIL_TEXT,
        "name": _name(raw["name"]) or FAIL_TEXT,
        "person": (chinese_value(raw["person"].text) if raw["person"] else "") or FAIL_TEXT,
        "establish_date": establish or FAIL_TEXT,
        "valid_period": period_end or FAIL_TEXT,
        "address": _address(raw["address"]) or FAIL_TEXT,
        "captial": _capital(raw["captial"]) or FAIL_TEXT,
        "business": _business(raw["business"]) or FAIL_TEXT,
    }
    emblem, stamp = _red_marks(image, page, title)
    qrcode = _qrcode(page)
    answer.update({
        "elbem": reference_box(emblem) if emblem else FAIL_BOX,
        "title": reference_box(to_original.apply_quad(title)) if title else FAIL_BOX,
        "stamp": reference_box(stamp) if stamp else FAIL_BOX,
        "qrcode": reference_box(to_original.apply_quad(qrcode)) if qrcode else FAIL_BOX,
    })
    originals = {name: _in_original(field, page) for name, field in raw.items()}
    evidence = {name: field_evidence(field) for name, field in originals.items()}
    evidence["reg_num"] = field_evidence(_in_original(code_field, page), reg_num is not None if code_field else None)
    evidence["establish_date"]["valid"] = establish is not None if raw["establish_date"] else None
    evidence["valid_period"]["valid"] = period_end is not None if raw["valid_period"] else None
    return Findings(answer, evidence, page.warnings, page.engine, echo=configure, unread=FAIL_TEXT)


def _join_spread_labels(lines: list[TextLine]) -> list[TextLine]:
    """The lines with each label of two characters printed spread wide (名　　称, 住　　所) made
    one line again: the line finder cuts it at the gap, into a character and the rest of the
    row (称, or 称 and its value when they stand close)."""
    two = {label[0]: label for label in LABELS if len(label) == 2}
    joined = list(lines)
    for line in lines:
        first = line.text.strip()
        if len(first) != 1 or first not in two or line not in joined:
            continue
        left, top, right, bottom = line.quad.bounds()
        h = bottom - top
        after = [other for other in joined if other is not line and other.text.strip()[:1] == two[first][1]
                 and abs(other.quad.center[1] - line.quad.center[1]) < 0.5 * h
                 and 0 <= other.quad.bounds()[0] - right < 4 * h]
        if not after:
            continue
        rest = min(after, key=lambda other: other.quad.bounds()[0])
        r_left, r_top, r_right, r_bottom = rest.quad.bounds()
        merged = TextLine(first + rest.text.strip(), Quad.from_box(left, min(top, r_top), r_right, max(bottom, r_bottom)),
                          min(line.prob, rest.prob))
        joined[joined.index(line)] = merged
        joined.remove(rest)
    return joined


def _labels(lines: list[TextLine]) -> list[PlacedLabel]:
    """The labels read on the upright page, each with its own box. Labels of three characters
    are taken only where printed exactly: one slip away they are words of a value (投资或 in
    the type 自然人投资或控股, 经营活 in the business scope)."""
    texts = [line.text.replace(" ", "") for line in lines]
    wanted = [label for label in LABELS if len(label) > 3 or any(label in text for text in texts)]
    return place_labels(lines, wanted)


def _value(lines: list[TextLine], labels: list[PlacedLabel], label: PlacedLabel, page_width: float) -> Field | None:
    """The text right of a label, up to the next label of its row, and the lines under it
    that stay in its column (indented past the label), until a label of its column starts."""
    h = label.height
    # The column ends where a label further right starts (the other column of the licence).
    reach = label.box[3] + 1.5 * h * WRAPS.get(label.label, 1)
    beyond = [other.box[0] for other in labels if other.box[0] > label.box[2] + 2 * h
              and label.box[1] - h < other.middle < reach]
    column_end = min(beyond, default=page_width)
    parts: list[tuple[str, TextLine]] = []
    own = lines[label.line]
    cut = min((other.start for other in labels if other.line == label.line and other.start >= label.end),
              default=len(own.text))
    first = own.text[label.end:cut].strip(" :：")
    if first:
        parts.append((first, own))
    else:
        row = [line for line in lines if line is not own and abs(line.quad.center[1] - label.middle) < 0.6 * h
               and label.box[2] - 0.5 * h <= line.quad.bounds()[0] < column_end]
        if row:
            nearest = min(row, key=lambda line: line.quad.bounds()[0])
            text = _before_label(nearest, lines, labels).strip(" :：")
            if text:
                parts.append((text, nearest))
    if not parts:
        return None
    bottom = max(label.box[3], parts[-1][1].quad.bounds()[3])
    column_labels = [other for other in labels if other is not label and other.box[1] > label.box[1]
                     and label.box[0] - 3 * h <= other.box[0] <= label.box[2]]
    stop = min((other.box[1] for other in column_labels), default=float("inf"))
    # Wrapped lines start under the value's first line, not anywhere right of the label (the
    # border's ornament at the page's edge reads as 0 or I).
    # On the label's own line the value starts somewhere after the label, a gap of a few
    # characters at most.
    start = parts[0][1].quad.bounds()[0] if parts[0][1] is not own else label.box[2] + 4 * h
    below = sorted((line for line in lines if line.quad.bounds()[1] > bottom - 0.4 * h
                    and label.box[2] - 0.6 * h <= line.quad.bounds()[0] < min(column_end - h, start + 2 * h)
                    and line.quad.center[1] < stop - 0.3 * h), key=lambda line: line.quad.bounds()[1])
    for line in below:
        if len(parts) >= WRAPS.get(label.label, 1):
            break
        _, top, _, line_bottom = line.quad.bounds()
        if top - bottom > 1.0 * h:
            break
        text = _before_label(line, lines, labels).strip()
        if text and not _speck(line):
            parts.append((text, line))
            bottom = line_bottom
    return Field("".join(text for text, _ in parts), tuple(line.quad for _, line in parts),
                 min(line.prob for _, line in parts))


def _before_label(line: TextLine, lines: list[TextLine], labels: list[PlacedLabel]) -> str:
    """A line's text up to the first label it holds (a row of the other column run into it)."""
    index = next((i for i, other in enumerate(lines) if other is line), None)
    starts = [label.start for label in labels if label.line == index]
    return line.text[:min(starts)] if starts else line.text


def _speck(line: TextLine) -> bool:
    # A lone character of low confidence is the border's ornament or a speck, not text.
    return len(line.text.strip()) <= 1 and line.prob < 0.7


def _registration(lines: list[TextLine], labels: list[PlacedLabel]) -> tuple[Field | None, str | None]:
    """The credit code (or the older 15-digit registration number): on its label's line, or
    under it, else anywhere its form and check character hold."""
    label = next((label for label in labels if label.label in CODE_LABELS), None)
    candidates: list[TextLine] = []
    if label:
        h = label.height
        own = lines[label.line]
        candidates.append(TextLine(own.text[label.end:], own.quad, own.prob))
        candidates += sorted((line for line in lines if 0 < line.quad.bounds()[1] - label.box[1] < 4 * h
                              and abs(line.quad.bounds()[0] - label.box[0]) < 4 * h),
                             key=lambda line: line.quad.bounds()[1])
    for line in candidates + lines:
        code = _code_in(line.text)
        if code:
            return Field(line.text, (line.quad,), line.prob), code
    if label and len(candidates) > 1:
        return Field(candidates[1].text, (candidates[1].quad,), candidates[1].prob), None
    return None, None


def _code_in(text: str) -> str | None:
    """A valid credit code or registration number read in `text`, corrected where a single
    look-alike character was misread."""
    runs = _CODE_CHARS.findall(text.upper().replace(" ", ""))
    for run in runs:
        for at in range(0, max(1, len(run) - 17)):
            code = correct_credit_code(run[at:at + 18]) if len(run) >= 18 else None
            if code:
                return code
        if len(run) == 15 and registration_number_valid(run):
            return run
    return None


def _period_end(field: Field | None, labelled: bool) -> str | None:
    """The last day of the term as YYYYMMDD; 长期, or no term printed, is 29991231."""
    if not labelled:
        return LONG_TERM
    if field is None:
        return None
    _, end = normalize_period(field.text)
    if end == "长期" or (end is None and "长期" in field.text):
        return LONG_TERM
    return end


def _title(page: PageText, lines: list[TextLine], pipeline: Pipeline) -> Quad | None:
    """The title on the upright page: a row of characters at least twice as tall as the
    fields', in bold strokes, in the upper half, that reads as two or more of 营业执照. The
    line finder leaves such large, widely spread characters out."""
    heights = sorted(line.quad.bounds()[3] - line.quad.bounds()[1] for line in lines)
    if not heights:
        return None
    typical = heights[len(heights) // 2]
    grey = grey_of(page.upright)
    upper = grey[: grey.shape[0] // 2]
    ink = ink_mask(upper)
    # Strokes thicker than the fields' stay; the fields' text and thin rules go.
    thick = max(2, int(round(0.2 * typical)))
    bold = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((thick, thick), np.uint8))
    joined = cv2.morphologyEx(bold, cv2.MORPH_CLOSE, np.ones((int(typical), int(typical)), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined)
    blobs = [tuple(int(v) for v in stats[k, :4]) for k in range(1, count)
             if 2.0 * typical <= stats[k, cv2.CC_STAT_HEIGHT] <= 6 * typical
             and stats[k, cv2.CC_STAT_WIDTH] <= 10 * stats[k, cv2.CC_STAT_HEIGHT]]
    engine = get_engine(pipeline.reader)
    for x, y, w, h in sorted(blobs, key=lambda b: -b[3]):
        row = [b for b in blobs if abs((b[1] + b[3] / 2) - (y + h / 2)) < 0.3 * h and 0.6 * h < b[3] < 1.6 * h]
        left, top = min(b[0] for b in row), min(b[1] for b in row)
        right, bottom = max(b[0] + b[2] for b in row), max(b[1] + b[3] for b in row)
        if right - left < 1.5 * h:
            continue   # one character alone (a seal's star, the emblem) is no title
        pad = int(0.15 * h)
        crop = grey[max(0, top - pad):bottom + pad, max(0, left - pad):right + pad]
        factor = 48.0 / max(1, crop.shape[0])
        reading = engine.read_line(cv2.resize(crop, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA))
        if len(set(reading.text) & set(TITLE)) >= 2:
            return Quad.from_box(left, top, right, bottom)
    return None


def _red_marks(image: np.ndarray, page: PageText, title: Quad | None) -> tuple[Quad | None, Quad | None]:
    """The emblem (red above the title, in the middle) and the seal (the largest round red
    mark below the title), in the picture sent."""
    to_upright = page.to_original.inverse()
    height, width = page.upright.shape[:2]
    marks = []
    for quad in find_red_regions(image):
        left, top, right, bottom = to_upright.apply_quad(quad).bounds()
        if right - left > 0.5 * width or bottom - top > 0.5 * height:
            continue   # a red border or a tablecloth, not a mark
        marks.append((quad, (left, top, right, bottom)))
    if title is not None:
        t_left, t_top, t_right, t_bottom = title.bounds()
        centre_x, split = (t_left + t_right) / 2, (t_top + t_bottom) / 2
        span = t_right - t_left
    else:
        centre_x, split, span = width / 2, 0.35 * height, 0.3 * width
    emblems = [(quad, b) for quad, b in marks if (b[1] + b[3]) / 2 < split and abs((b[0] + b[2]) / 2 - centre_x) < span]
    seals = [(quad, b) for quad, b in marks if (b[1] + b[3]) / 2 > split
             and 0.6 <= (b[2] - b[0]) / max(1.0, b[3] - b[1]) <= 1.6]
    emblem = max(emblems, key=lambda m: (m[1][2] - m[1][0]) * (m[1][3] - m[1][1]), default=None)
    seal = max(seals, key=lambda m: (m[1][2] - m[1][0]) * (m[1][3] - m[1][1]), default=None)
    return (_with_gold(image, _red_bounds(image, emblem[0])) if emblem else None), \
        (_red_bounds(image, seal[0]) if seal else None)


def _red_bounds(image: np.ndarray, region: Quad) -> Quad:
    """The upright rectangle around the red ink of a region: the rotated rectangle around a
    round seal may stand at any angle, and its corners then reach far past the seal."""
    left, top, right, bottom = (int(round(v)) for v in region.bounds())
    h, w = image.shape[:2]
    x0, y0, x1, y1 = max(0, left), max(0, top), min(w, right), min(h, bottom)
    ys, xs = np.nonzero(red_mask(image[y0:y1, x0:x1]))
    if len(xs) == 0:
        return region
    return Quad.from_box(x0 + float(xs.min()), y0 + float(ys.min()), x0 + float(xs.max()) + 1, y0 + float(ys.max()) + 1)


def _with_gold(image: np.ndarray, red: Quad) -> Quad:
    """The emblem's box grown to its golden wreath around the red disc."""
    left, top, right, bottom = red.bounds()
    pad = 0.35 * max(right - left, bottom - top)
    h, w = image.shape[:2]
    x0, y0 = int(max(0, left - pad)), int(max(0, top - pad))
    x1, y1 = int(min(w, right + pad)), int(min(h, bottom + pad))
    hsv = cv2.cvtColor(image[y0:y1, x0:x1], cv2.COLOR_BGR2HSV)
    gold = cv2.inRange(hsv, (12, 90, 110), (32, 255, 255))
    gold = cv2.morphologyEx(gold, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    ys, xs = np.nonzero(gold)
    if len(xs) < 20:
        return red
    # Only gold that touches the red disc's neighbourhood: the paper's beige stays out.
    return Quad.from_box(min(left, x0 + np.percentile(xs, 1)), min(top, y0 + np.percentile(ys, 1)),
                         max(right, x0 + np.percentile(xs, 99)), max(bottom, y0 + np.percentile(ys, 99)))


def _qrcode(page: PageText) -> Quad | None:
    """The QR code on the upright page, where the page is level."""
    return find_qr_code(grey_of(page.upright))


def _in_original(field: Field | None, page: PageText) -> Field | None:
    if field is None:
        return None
    return Field(field.text, tuple(page.to_original.apply_quad(q) for q in field.quads), field.prob)



def _clean(text: str) -> str:
    return text.replace(" ", "").translate(_FULL_WIDTH).strip("：:")


def _name(field: Field | None) -> str:
    return _clean(field.text) if field else ""


def _address(field: Field | None) -> str:
    if field is None:
        return ""
    return "".join(ch for ch in _clean(field.text) if "\u4e00" <= ch <= "\u9fff" or ch.isalnum() or ch in "-（）·")


def _capital(field: Field | None) -> str:
    if field is None:
        return ""
    return "".join(ch for ch in _clean(field.text) if "\u4e00" <= ch <= "\u9fff" or ch.isdigit() or ch == ".")


def _business(field: Field | None) -> str:
    if field is None:
        return ""
    text = _clean(field.text)
    # A full stop read as a point or a small o before the closing remark or at the end.
    return re.sub(r"[.o。]?(?=（依法|$)", lambda m: "。" if m.group(0) else "", text) if text else ""
