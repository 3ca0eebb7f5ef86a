"""ocr_vehicle_license: the motor vehicle licence (机动车行驶证), main page (plate, owner, model,
VIN, engine number, dates) and supplementary page (masses, dimensions, inspection record), each
field found by its printed label and put in the reference's form (2000kg, 4945x1845x1480mm)."""
from __future__ import annotations

import re

import numpy as np

from ocr_core.engines import Pipeline
from ocr_core.errors import WrongCategory
from ocr_core.fields import (address_value, chinese_value, field_evidence, labelled_answer, row_between,
                             without_latin_lines)
from ocr_core.reread import first_parsed, read_labelled
from ocr_core.validate import correct_vin, normalize_date

OPTIONS = {"side": ("face", "back")}
FACE_LABELS = ["号牌号码", "车辆类型", "所有人", "住址", "使用性质", "品牌型号", "车辆识别代号", "发动机号码",
               "注册日期", "发证日期"]
BACK_LABELS = ["号牌号码", "档案编号", "核定载人数", "总质量", "整备质量", "核定载质量", "外廓尺寸", "准牵引总质量",
               "检验记录"]
# A plate: the province's character, the city's letter, five letters or digits (six for new energy).
_PLATE = re.compile(r"[\u4e00-\u9fff][A-Z][A-Z0-9]{5,6}")
# Length x width x height in millimetres, found anywhere when its label was misread.
_SIZE = re.compile(r"(\d{4})\s*[xX×*]\s*(\d{4})\s*[xX×*]\s*(\d{4})")
_INSPECTION = re.compile(r"检验有效期至(\d{4})年(\d{1,2})月([\u4e00-\u9fff][A-Z])[(（](\d{1,2})[)）]?")


def ocr_vehicle_license(image: np.ndarray, configure: dict, pipeline: Pipeline) -> dict:
    side = configure.get("side", "face")
    labels = FACE_LABELS if side == "face" else BACK_LABELS
    read = read_labelled(image, pipeline, labels, {"住址": 2})
    page, lines, fields, readings = read.page, read.lines, read.fields, read.readings
    if len(fields) < 2:
        raise WrongCategory()
    if side == "face":
        # The address wraps inside its cell: its row's pieces first, then what followed its label.
        readings["住址"] = [row_between(without_latin_lines(page.upright_lines()), "住址", "使用性质"), *readings["住址"][::-1]]
    else:
        readings["外廓尺寸"] += [line.text for line in lines]
    answer, checked = _face(readings) if side == "face" else _back(readings)
    label_of = dict(zip(_FIELD_NAMES[side], labels))
    evidence = {name: field_evidence(fields.get(label_of[name]), checked.get(name)) for name in _FIELD_NAMES[side]}
    return labelled_answer(answer, configure, evidence, page.engine, page.warnings)


# The answer's name of each label's field, in the order of FACE_LABELS / BACK_LABELS.
_FIELD_NAMES = {
    "face": ["plate_num", "vehicle_type", "owner", "addr", "use_character", "model", "vin", "engine_num",
             "register_date", "issue_date"],
    "back": ["plate_num", "file_no", "appproved_passenger_capacity", "gross_mass", "unladen_mass", "approved_load",
             "overall_dimension", "traction_mass", "inspection_record"],
}


def _face(readings: dict[str, list]) -> tuple[dict, dict]:
    vin = first_parsed(readings["车辆识别代号"], lambda text: correct_vin(_code(text)[-17:]) if len(_code(text)) >= 17 else None)
    register = first_parsed(readings["注册日期"], normalize_date)
    issue = first_parsed(readings["发证日期"], normalize_date)
    answer = {
        "plate_num": first_parsed(readings["号牌号码"], _plate) or "",
        "vehicle_type": first_parsed(readings["车辆类型"], chinese_value) or "",
        "owner": first_parsed(readings["所有人"], chinese_value) or "",
        "use_character": first_parsed(readings["使用性质"], chinese_value) or "",
        "addr": first_parsed(readings["住址"], address_value) or "",
        "model": first_parsed(readings["品牌型号"], lambda text: text.replace(" ", "")) or "",
        "vin": vin or first_parsed(readings["车辆识别代号"], _code) or "",
        "engine_num": first_parsed(readings["发动机号码"], _code) or "",
        "register_date": register or "",
        "issue_date": f"{issue[:4]}-{issue[4:6]}-{issue[6:]}" if issue else "",
    }
    return answer, {"vin": vin is not None if any(readings["车辆识别代号"]) else None,
                    "register_date": register is not None if any(readings["注册日期"]) else None,
                    "issue_date": issue is not None if any(readings["发证日期"]) else None}


def _back(readings: dict[str, list]) -> tuple[dict, dict]:
    seats = first_parsed(readings["核定载人数"], lambda text: (re.findall(r"\d+", text) or [None])[0])
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


def _code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isascii() and ch.isalnum())
