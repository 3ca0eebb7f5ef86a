"""ocr_vehicle_license: the motor vehicle licence (机动车行驶证), main page (plate, owner, model,
VIN, engine number, dates) and supplementary page (masses, dimensions, inspection record), each
field found by its printed label and put in the reference's form (2000kg, 4945x1845x1480mm)."""
from __future__ import annotations

import re

import numpy as np

from ocr_core.checks.dates import normalize_date
from ocr_core.checks.plate_number import DIGITS, LETTERS, PROVINCES
from ocr_core.checks.vin import correct_vin
from ocr_core.engines import Pipeline, get_engine
from ocr_core.errors import WrongCategory
from ocr_core.services.vehicle_license.models import correct_model, model_fits, vehicle_type
from ocr_core.steps.answer import Findings
from ocr_core.steps.extract import (
    address_value,
    chinese_value,
    field_evidence,
    row_between,
    simplified,
    without_latin_lines,
)
from ocr_core.steps.label_grid import values_by_grid
from ocr_core.steps.reread import first_parsed, read_found_from, read_from, read_labelled, read_wrapped, rest_of_row
from ocr_core.steps.unseal import without_red_ink

OPTIONS = {"side": ("face", "back")}
FACE_LABELS = ["号牌号码", "车辆类型", "所有人", "住址", "使用性质", "品牌型号", "车辆识别代号", "发动机号码",
               "注册日期", "发证日期"]
BACK_LABELS = ["号牌号码", "档案编号", "核定载人数", "总质量", "整备质量", "核定载质量", "外廓尺寸", "准牵引总质量",
               "检验记录"]
# The labels as rows and columns of each page, for a label lost under a seal or a stamp.
GRIDS = {
    "face": [["号牌号码", "车辆类型"], ["所有人"], ["住址"], ["使用性质", "品牌型号"], ["车辆识别代号"], ["发动机号码"],
             ["注册日期", "发证日期"]],
    "back": [["号牌号码", "档案编号"], ["核定载人数", "总质量"], ["整备质量", "核定载质量"], ["外廓尺寸"], ["准牵引总质量"],
             ["检验记录"]],
}
# Values of a short strict form whose cell is read alone too: the seats' count under a stamp
# is lost from its label's line (核定载人数人).
_READ_ALONE = {"face": (), "back": ("核定载人数",)}
# Most of a VIN: where a line's code starts.
_CODE_RUN = re.compile(r"[A-Z0-9]{12,}")
# Most of a size: where a line's size starts.
_SIZE_RUN = re.compile(r"\d{3,4}\s*[xX×*]\s*\d{4}")
# A plate: the province's character, the city's letter, five letters or digits (six for new energy).
_PLATE = re.compile(f"[{PROVINCES}][{LETTERS}][{LETTERS}{DIGITS}]{{5,6}}")
# Length x width x height in millimetres, found anywhere when its label was misread.
_SIZE = re.compile(r"(\d{4})\s*[xX×*]\s*(\d{4})\s*[xX×*]\s*(\d{4})")
# 至 may be misread (三, under the inspection stamp); the rest of the record's form holds it.
_INSPECTION = re.compile(r"检验有效期[至三王]?(\d{4})年(\d{1,2})月([\u4e00-\u9fff][A-Z])[(（](\d{1,2})[)）]?")


def ocr_vehicle_license(image: np.ndarray, configure: dict, pipeline: Pipeline) -> Findings:
    side = configure.get("side", "face")
    labels = FACE_LABELS if side == "face" else BACK_LABELS
    # The authority's seal (or the inspection stamp) over labels and values is taken out first.
    read = read_labelled(without_red_ink(image), pipeline, labels, {"住址": 2})
    page, lines, fields, readings = read.page, read.lines, read.fields, read.readings
    if len(fields) < 2:
        raise WrongCategory()
    engine = get_engine(pipeline.reader)
    (_reread_face if side == "face" else _reread_back)(page, lines, readings, engine)
    # Last, what each label's cell holds: a label not read (under the seal, misread) found by its
    # place among those read, a value read apart from its label's line.
    for label, texts in values_by_grid(page.upright, without_latin_lines(page.upright_lines()), GRIDS[side],
                                       engine, read_alone=_READ_ALONE[side]).items():
        readings[label] += texts
    readings = {label: [simplified(text) if text else text for text in texts] for label, texts in readings.items()}
    answer, checked = _face(readings) if side == "face" else _back(readings)
    label_of = dict(zip(_FIELD_NAMES[side], labels))
    evidence = {name: field_evidence(fields.get(label_of[name]), checked.get(name)) for name in _FIELD_NAMES[side]}
    return Findings(answer, evidence, page.warnings, page.engine, echo=configure)


# The answer's name of each label's field, in the order of FACE_LABELS / BACK_LABELS.
_FIELD_NAMES = {
    "face": ["plate_num", "vehicle_type", "owner", "addr", "use_character", "model", "vin", "engine_num",
             "register_date", "issue_date"],
    "back": ["plate_num", "file_no", "appproved_passenger_capacity", "gross_mass", "unladen_mass", "approved_load",
             "overall_dimension", "traction_mass", "inspection_record"],
}


def _reread_face(page, lines, readings: dict[str, list], engine) -> None:
    """Readings added for the face's values whose label was misread or lost."""
    # The address wraps inside its cell: its rows read one by one, its row's pieces, then
    # what followed its label.
    readings["住址"] = [read_wrapped(page, "住址", "使用性质", engine, "Address", "所有人"),
                      row_between(without_latin_lines(page.upright_lines()), "住址", "使用性质"),
                      *readings["住址"][::-1]]
    # The dates share the last row, 注册日期 left and 发证日期 right; a label lost under the
    # seal leaves its date a line of its own on that side of the row.
    width = page.upright.shape[1]
    dated = [line for line in page.upright_lines() if normalize_date(line.text)]
    readings["注册日期"] += [line.text for line in dated if line.quad.center[0] < width / 2][-1:]
    readings["发证日期"] += [line.text for line in dated if line.quad.center[0] > width / 2][-1:]
    for label in ("注册日期", "发证日期"):
        if not first_parsed(readings[label], normalize_date):
            # The label half read (注册日20208-15, 册日期2011-03-3131): the date read again from
            # its first digit.
            readings[label] += [text for line in lines if label[:3] in line.text or label[1:] in line.text
                                for run in [re.search(r"\d", line.text)] if run
                                for text in read_from(page, line, run.start(), engine)]
    register_line = next((line for line in lines if "注册日期" in line.text), None)
    if register_line is not None and not first_parsed(readings["发证日期"], normalize_date):
        # The issue date lost with its label under the seal: what the register date's row holds
        # right of it.
        readings["发证日期"].append(rest_of_row(page, register_line, engine, 1.0))
    if not first_parsed(readings["品牌型号"], _fitting_model):
        # A digit dropped (BYD752), the value read with its label's line, or its label last on a
        # line it shares with the use (使用性质出租客运品牌型号): read again from where the label
        # ends, the value's own line first.
        labelled = [(line, line.text.index("品牌型号") + 4) for line in lines if "品牌型号" in line.text]
        readings["品牌型号"] += [text for line, at in labelled for text in read_found_from(page, line, at, engine)]
        readings["品牌型号"] += [text for line, at in labelled for text in read_from(page, line, at, engine)]
    if not any(readings["车辆识别代号"]):
        # Its label misread (辆识别代号) or read apart: any line with a VIN's check digit, then
        # each long code read again from where it starts.
        readings["车辆识别代号"] = [line.text for line in lines if correct_vin(_code(line.text)[-17:], True)]
        readings["车辆识别代号"] += [text for line in lines for run in [_CODE_RUN.search(line.text)] if run
                               for text in read_from(page, line, run.start(), engine)]


def _reread_back(page, lines, readings: dict[str, list], engine) -> None:
    """Readings added for the back's size, found by its form wherever its label went."""
    readings["外廓尺寸"] += [line.text for line in lines]
    # The seats' label lost, the count stands alone on its line (5人).
    readings["核定载人数"] += [line.text for line in lines if re.fullmatch(r"\d{1,2}人", line.text.replace(" ", ""))]
    if not any(_SIZE.search(text) for text in readings["外廓尺寸"] if text):
        # Its label misread (外尺寸nsion) and merged with the size, whose first digit went
        # with it: the size read again from where it starts.
        readings["外廓尺寸"] += [text for line in lines for run in [_SIZE_RUN.search(line.text)] if run
                             for text in read_from(page, line, run.start(), engine)]


def _face(readings: dict[str, list]) -> tuple[dict, dict]:
    vin = first_parsed(readings["车辆识别代号"], lambda text: correct_vin(_code(text)[-17:]) if len(_code(text)) >= 17 else None)
    register = first_parsed(readings["注册日期"], normalize_date)
    issue = first_parsed(readings["发证日期"], normalize_date)
    answer = {
        "plate_num": first_parsed(readings["号牌号码"], _plate) or "",
        # A listed type first: the reader may repeat a character (小型轿车车) or join the label.
        "vehicle_type": first_parsed(readings["车辆类型"], vehicle_type) or first_parsed(readings["车辆类型"], chinese_value)
        or "",
        "owner": first_parsed(readings["所有人"], chinese_value) or "",
        "use_character": first_parsed(readings["使用性质"], chinese_value) or "",
        "addr": first_parsed(readings["住址"], address_value) or "",
        "model": first_parsed(readings["品牌型号"], _fitting_model)
        or first_parsed(readings["品牌型号"], lambda text: correct_model(_model_text(text))) or "",
        "vin": vin or first_parsed(readings["车辆识别代号"], _code) or "",
        "engine_num": first_parsed(readings["发动机号码"], _code) or "",
        "register_date": register or "",
        "issue_date": f"{issue[:4]}-{issue[4:6]}-{issue[6:]}" if issue else "",
    }
    return answer, {"vin": vin is not None if any(readings["车辆识别代号"]) else None,
                    "register_date": register is not None if any(readings["注册日期"]) else None,
                    "issue_date": issue is not None if any(readings["发证日期"]) else None}


def _back(readings: dict[str, list]) -> tuple[dict, dict]:
    # A count with its unit (5人) first: a reading without one may be the next cell's mass.
    seats = (first_parsed(readings["核定载人数"], lambda text: (re.findall(r"(?<!\d)(\d{1,2})\s*人", text) or [None])[0])
             or first_parsed(readings["核定载人数"], lambda text: (re.findall(r"\d+", text) or [None])[0]))
    size = first_parsed(readings["外廓尺寸"], _SIZE.search)
    inspection = first_parsed(readings["检验记录"], lambda text: _INSPECTION.search(text.replace(" ", "").upper()))
    file_no = first_parsed(readings["档案编号"], lambda text: (re.findall(r"\d{12}", text.replace(" ", "")) or [None])[0])
    answer = {
        "appproved_passenger_capacity": f"{seats}人" if seats else "",
        "approved_load": first_parsed(readings["核定载质量"], _mass) or "",
        "file_no": file_no or first_parsed(readings["档案编号"], _code) or "",
        "gross_mass": first_parsed(readings["总质量"], _mass) or "",
        "inspection_record": "检验有效期至{}年{:02d}月{}({:02d})".format(
            inspection.group(1), int(inspection.group(2)), inspection.group(3), int(inspection.group(4)))
        if inspection else first_parsed(readings["检验记录"], str.strip) or "",
        "overall_dimension": "x".join(size.groups()) + "mm" if size else "",
        "traction_mass": first_parsed(readings["准牵引总质量"], _mass) or "",
        "unladen_mass": first_parsed(readings["整备质量"], _mass) or "",
        "plate_num": first_parsed(readings["号牌号码"], _plate) or "",
    }
    return answer, {"file_no": file_no is not None if any(readings["档案编号"]) else None}


def _mass(text: str) -> str | None:
    """A mass as the reference writes it (1505kg); None where the card prints none (--)."""
    match = re.search(r"(\d+)\s*[kK]", text)
    return f"{match.group(1)}kg" if match else None


def _plate(text: str) -> str | None:
    text = text.replace(" ", "").upper().replace("O", "0").replace("I", "1")
    match = _PLATE.search(text)
    # The line reader may repeat the last character (沪AV76144): a plate has seven, unless it is
    # a new-energy one, whose sixth character is D or F.
    if match and len(match.group(0)) == 8 and match.group(0)[2] not in "DF":
        return match.group(0)[:7]
    return match.group(0) if match else None


def _model_text(text: str) -> str:
    """A model's reading without its label, when read with it (品牌型号丰田牌TV7250Luxury)."""
    text = text.replace(" ", "")
    return text[text.rindex("品牌型号") + 4:] if "品牌型号" in text else text


def _fitting_model(text: str) -> str | None:
    """A model reading, its code corrected by its brand, if that code has a model code's form."""
    model = correct_model(_model_text(text))
    return model if model_fits(model) else None


def _code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isascii() and ch.isalnum())
