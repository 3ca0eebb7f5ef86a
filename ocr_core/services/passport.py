"""ocr_passport: a passport's data page, its fields from the two machine-readable lines (TD3),
corrected by their check digits, and what only the visual zone prints (Chinese name, places,
date of issue, authority) found under its labels."""
from __future__ import annotations

import dataclasses
import itertools
import math
import re

import numpy as np

from ocr_core.checks.mrz import PassportMrz, expand_mrz_date, mrz_check_digit, parse_td3
from ocr_core.engines import Pipeline
from ocr_core.engines.base import TextLine
from ocr_core.errors import WrongCategory
from ocr_core.steps.answer import Findings
from ocr_core.steps.extract import chinese_value, value_below
from ocr_core.steps.read import read_page_text

OPTIONS: dict = {}
_MONTHS = {m: i for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), 1)}
_VISUAL_DATE = re.compile(r"(\d{1,2})\s*(?:\d{1,2}月\s*/?\s*)?([A-Z]{3})\s*(\d{4})")
# A line of the machine-readable zone: mostly capitals, digits and the filler '<' (often misread).
_MRZ_CHARS = re.compile(r"[A-Z0-9<«くKk]")
# The digit a letter in a digit's place was read for.
_MRZ_DIGIT = {"O": "0", "D": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "G": "6", "B": "8", "A": "4", "T": "7"}
# The letters a digit or a filler among letters is read for, in a monospace MRZ font.
_AS_LETTER = {"0": "ODQ", "1": "IL", "2": "Z", "4": "A", "5": "S", "6": "G", "7": "T", "8": "B", "<": "KCL"}


def ocr_passport(image: np.ndarray, configure: dict, pipeline: Pipeline) -> Findings:
    page = read_page_text(image, pipeline)
    mrz = _find_mrz(page.lines)
    if mrz is None:
        raise WrongCategory()
    upright = page.upright_lines()
    visual = {name: value_below(upright, label) for name, label in (
        ("name_cn", "姓名"), ("birth_place", "出生地点"), ("issue_place", "签发地点"),
        ("issue_date", "签发日期"), ("authority", "签发机关"))}
    birth, expiry = expand_mrz_date(mrz.birth_date, "birth"), expand_mrz_date(mrz.expiry_date, "expiry")
    # The reference's fields in alphabetical order, `success` among them.
    answer = {
        "authority": _chinese(visual["authority"]),
        "birth_date": birth or "",
        "birth_day": mrz.birth_date,
        "birth_place": _chinese(visual["birth_place"]),
        "country": mrz.country,
        "expiry_date": expiry or "",
        "expiry_day": mrz.expiry_date,
        "issue_date": _visual_date(visual["issue_date"]),
        "issue_place": _chinese(visual["issue_place"]),
        "line0": mrz.line0,
        "line1": mrz.line1,
        "name": ".".join(part.replace(" ", ".") for part in (mrz.surname, mrz.given_names) if part),
        "name_cn": _chinese(visual["name_cn"]),
        "passport_no": mrz.passport_no,
        "person_id": mrz.personal_number,
        "sex": mrz.sex,
        "src_country": mrz.nationality,
        "success": True,
        "type": mrz.type,
    }
    # One warning for the machine-readable zone, not one per check digit.
    warnings = page.warnings + ([] if mrz.all_checks_ok else ["checksum_failed:mrz"])
    return Findings(answer, _evidence(mrz, visual), warnings, page.engine, checksum_warnings=False)


def _find_mrz(lines: list[TextLine]) -> PassportMrz | None:
    """The two lines of 44 that parse as TD3: the last pair of long MRZ-looking lines."""
    candidates = [line for line in lines if len(line.text) >= 30
                  and len(_MRZ_CHARS.findall(line.text.replace(" ", ""))) >= 0.9 * len(line.text.replace(" ", ""))]
    for first, second in zip(candidates[-2::-1], candidates[:0:-1]):
        mrz = parse_td3(first.text, second.text)
        if mrz is not None:
            return _chinese_personal_number(mrz)
    return None


def _chinese_personal_number(mrz: PassportMrz) -> PassportMrz:
    """On Chinese passports the personal number is 13 letters and a digit, which the OCR of a
    monospace font reads as digits (O→0, D→0, B→8, L→1). The check digits alone cannot undo
    that: O and 0 differ by 24, so two such slips at weights 7 and 3 cancel out, and L and 1
    differ by 20, which no weight sees. So each digit or filler read among the letters is tried
    as the letters it looks like, likeliest first; of the candidates that make both the field's
    check digit and the composite one hold, the one with the fewest unlikely letters is kept
    (the earliest of a tie)."""
    field = mrz.personal_number_read or mrz.line1[28:42]
    field = field[:13] + _MRZ_DIGIT.get(field[13], field[13])
    if (mrz.nationality != "CHN" or not re.fullmatch(r"[A-Z0-9<]{13}[0-9]", field)
            or re.fullmatch(r"[A-Z]*<*", field[:13])):
        return mrz
    choices = [_AS_LETTER.get(ch, ch) for ch in field[:13]]
    if math.prod(len(c) for c in choices) > 4096:
        return mrz
    rest = mrz.line1[42:]
    best = None
    for picks in itertools.product(*(range(len(c)) for c in choices)):
        candidate = "".join(c[i] for c, i in zip(choices, picks)) + field[13]
        line1 = mrz.line1[:28] + candidate + rest
        composite = line1[0:10] + line1[13:20] + line1[21:43]
        if mrz_check_digit(candidate) == rest[0] and mrz_check_digit(composite) == rest[1]:
            score = sum(picks)
            if best is None or score < best[0]:
                best = (score, line1)
    if best is None:
        return mrz
    line1 = best[1]
    return dataclasses.replace(mrz, line1=line1, personal_number=line1[28:42].rstrip("<"),
                               personal_number_ok=True, composite_ok=True)


def _chinese(line: TextLine | None) -> str:
    """The Chinese part of a bilingual value (新疆/XINJIANG → 新疆; 雷云立 LEI, YUNLI → 雷云立)."""
    return chinese_value(line.text.split("/")[0]) if line else ""


def _visual_date(line: TextLine | None) -> str:
    match = _VISUAL_DATE.search(line.text.upper()) if line else None
    if not match or match.group(2) not in _MONTHS:
        return ""
    return f"{match.group(3)}{_MONTHS[match.group(2)]:02d}{int(match.group(1)):02d}"


def _evidence(mrz: PassportMrz, visual: dict[str, TextLine | None]) -> dict:
    checked = {"passport_no": mrz.passport_no_ok, "birth_date": mrz.birth_date_ok, "expiry_date": mrz.expiry_date_ok,
               "person_id": mrz.personal_number_ok, "line1": mrz.composite_ok}
    evidence = {name: {"box": None, "prob": None, "valid": ok} for name, ok in checked.items()}
    for name, line in visual.items():
        evidence[name] = {"box": line.quad.to_list() if line else None, "prob": round(line.prob, 5) if line else 0.0,
                          "valid": None}
    return evidence
