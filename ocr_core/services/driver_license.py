"""ocr_driver_license: the motor vehicle driving licence (机动车驾驶证), main page (number, name,
sex, address, permitted class, validity) and supplementary page (archive number), each field
found by its printed label; a field that cannot be read answers "NoResult", as the reference does."""
from __future__ import annotations

import re

import numpy as np

from ocr_core.checks.dates import normalize_date, normalize_period
from ocr_core.checks.id_number import correct_id_number, id_sex
from ocr_core.engines import Pipeline, get_engine
from ocr_core.errors import WrongCategory
from ocr_core.steps.answer import Findings
from ocr_core.steps.extract import (
    ID_NUMBER_LIKE,
    Field,
    address_value,
    chinese_value,
    field_evidence,
    first_match,
    row_between,
    simplified,
    without_latin_lines,
)
from ocr_core.steps.label_grid import values_by_grid
from ocr_core.steps.reread import first_parsed, read_from, read_labelled, read_wrapped, rest_of_row
from ocr_core.steps.unseal import without_red_ink

OPTIONS = {"side": ("face", "back")}
NO_RESULT = "NoResult"
FACE_LABELS = ["证号", "姓名", "性别", "国籍", "住址", "出生日期", "初次领证日期", "准驾车型", "有效起始日期", "有效期限"]
BACK_LABELS = ["证号", "姓名", "档案编号", "记录"]
# The main page's labels as rows and columns, for a label lost under the seal: licences since
# 2008 close with the period (有效期限), older ones with a start date and a length in years.
FACE_GRID = [["证号"], ["姓名", "性别", "国籍"], ["住址"], ["出生日期"], ["初次领证日期"], ["准驾车型"], ["有效期限"]]
OLD_FACE_GRID = FACE_GRID[:-1] + [["有效起始日期", "有效期限"]]
# Permitted classes: A1 … D, combined (A1A2) and with the added classes D, E, F, M, N, P.
_CLASS = re.compile(r"(?:[ABC][1-6]|[DEFMNP])+")
_DIGIT_LOOKALIKES = {"Z": "2", "I": "1", "L": "1", "S": "5", "G": "6"}
# Most of a number in a line: where a misread line's number starts.
_DIGIT_RUN = re.compile(r"[0-9]{12,}")


def ocr_driver_license(image: np.ndarray, configure: dict, pipeline: Pipeline) -> Findings:
    side = configure.get("side", "face")
    # The authority's seal stamped over the lower labels and values is taken out first.
    read = read_labelled(without_red_ink(image), pipeline, FACE_LABELS if side == "face" else BACK_LABELS, {"住址": 2})
    page, lines, fields, readings = read.page, read.lines, read.fields, read.readings
    if side == "face":
        # The address wraps inside its cell: its rows read one by one, its row's pieces, then
        # what followed its label.
        readings["住址"] = [read_wrapped(page, "住址", "出生日期", get_engine(pipeline.reader), "Address", "姓名"),
                          row_between(without_latin_lines(page.upright_lines()), "住址", "出生日期"),
                          *readings["住址"][::-1]]
        upright = without_latin_lines(page.upright_lines())
        old = any("起始" in line.text or "Valid From" in line.text for line in page.lines)
        # Last, what each label's cell holds: a label not read (under the seal, misread) found by
        # its place among those read, a value read apart from its label's line (准驾车型NTN, B1).
        for label, texts in values_by_grid(page.upright, upright, OLD_FACE_GRID if old else FACE_GRID,
                                           get_engine(pipeline.reader), read_alone={"准驾车型"}).items():
            readings[label] += texts
        start_line = next((line for line in lines if "有效起始日期" in line.text), None)
        if start_line is not None and "有效期限" not in fields:
            # Old style: its 有效期限 (6年) sits under the seal, where the line finder may lose it.
            readings["有效期限"].append(rest_of_row(page, start_line, get_engine(pipeline.reader)))
    readings = {label: [simplified(text) if text else text for text in texts] for label, texts in readings.items()}
    answer, evidence = _face(page, lines, fields, readings, pipeline) if side == "face" else _back(fields, readings)
    return Findings(answer, evidence, page.warnings, page.engine, echo=configure)


def _face(page, lines, fields: dict[str, Field], readings: dict[str, list], pipeline: Pipeline) -> tuple[dict, dict]:
    number_field = fields.get("证号") or first_match(lines, ID_NUMBER_LIKE)
    sex = first_parsed(readings["性别"], lambda text: next((ch for ch in text if ch in "男女"), None))
    engine = get_engine(pipeline.reader)
    num = first_parsed(readings["证号"] + [line.text for line in lines], lambda text: _number(text, sex))
    if num is None:
        num = first_parsed(_number_rereadings(page, lines, engine), lambda text: _number(text, sex))
    if len(fields) < 2 and num is None:
        raise WrongCategory()
    if "有效起始日期" in fields:
        # Licences before 2008: a start date and a duration in years (有效期限 6年).
        start = first_parsed(readings["有效起始日期"], normalize_date)
        # A reading that says 年 first: a speck of the seal beside the label reads as a lone 1.
        end = first_parsed(readings["有效期限"], lambda text: _years(text) if "年" in text else None) \
            or first_parsed(readings["有效期限"], _years)
    else:
        # The first reading with both ends, else what the line gave.
        start, end = first_parsed(readings["有效期限"], lambda text: _both(normalize_period(text))) or (
            first_parsed(_period_rereadings(page, lines, engine), lambda text: _both(normalize_period(text)))
            or normalize_period(readings["有效期限"][-1] or ""))
    classes = first_parsed(readings["准驾车型"], _class)
    answer = {
        "name": first_parsed(readings["姓名"], chinese_value) or NO_RESULT,
        "num": num or NO_RESULT,
        "vehicle_type": classes.group(0) if classes else NO_RESULT,
        "start_date": start or NO_RESULT,
        "end_date": end or NO_RESULT,
        "addr": first_parsed(readings["住址"], address_value) or NO_RESULT,
        "sex": sex or (id_sex(num) if num else NO_RESULT),
    }
    period = fields.get("有效起始日期") or fields.get("有效期限")
    evidence = {
        "name": field_evidence(fields.get("姓名")),
        "num": field_evidence(number_field, num is not None),
        "vehicle_type": field_evidence(fields.get("准驾车型"), classes is not None),
        "start_date": field_evidence(period, start is not None if period else None),
        "end_date": field_evidence(fields.get("有效期限"), end is not None if "有效期限" in fields else None),
        "addr": field_evidence(fields.get("住址")),
        "sex": field_evidence(fields.get("性别"), answer["sex"] == id_sex(num) if num and sex else None),
    }
    return answer, evidence


def _back(fields: dict[str, Field], readings: dict[str, list]) -> tuple[dict, dict]:
    if not fields:
        raise WrongCategory()
    archive = first_parsed(readings["档案编号"], lambda text: (re.findall(r"\d{12}", text.replace(" ", "")) or [None])[0])
    answer = {"archive_no": archive or NO_RESULT}
    return answer, {"archive_no": field_evidence(fields.get("档案编号"), archive is not None)}


def _number_rereadings(page, lines, engine) -> list[str]:
    """The number's line read again from where its digits start: the two-row label 证号 / License
    No. merged with the number into one tall line is misread (E号S N) and takes the number's
    first digits with it."""
    return [text for line in lines for run in [_DIGIT_RUN.search(line.text)] if run
            for text in read_from(page, line, run.start(), engine)]


def _period_rereadings(page, lines, engine) -> list[str]:
    """A period whose label was misread (有效期RIR): the line that opens with its start date and
    至, and what follows on its row (the end date under the seal may be a line apart or lost)."""
    return [line.text + rest_of_row(page, line, engine) for line in lines
            if "至" in line.text and normalize_date(line.text.split("至")[0])]


def _class(text: str) -> re.Match | None:
    """The permitted class a reading is (C1, A1A2), its label's remnants (准驾 of a label half
    read under the seal) dropped from its head."""
    text = text.upper().replace(" ", "").strip(":：")
    # A class digit read as the letter it looks like (A2 read AZ).
    text = re.sub(r"(?<=[ABC])[ZISLG]", lambda m: _DIGIT_LOOKALIKES[m.group(0)], text)
    return _CLASS.fullmatch(text.lstrip("准驾车型:：")) or _CLASS.fullmatch(text)


def _years(text: str) -> str | None:
    """The length of an old licence's validity: 6 in 6年 (or a number alone)."""
    match = re.search(r"(\d{1,2})\s*年", text) or re.fullmatch(r"\D*(\d{1,2})\D*", text)
    return match.group(1) if match else None


def _both(period: tuple[str | None, str | None]) -> tuple[str, str] | None:
    return period if all(period) else None


def _number(text: str, sex: str | None) -> str | None:
    match = ID_NUMBER_LIKE.search(text.replace(" ", ""))
    return correct_id_number(match.group(0), sex=sex) if match else None
