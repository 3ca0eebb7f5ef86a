"""ocr_idcard: the resident ID card, face (name, sex, nationality, birth, address, number,
portrait) and back (issuing authority, validity), each field found by its printed label."""
from __future__ import annotations

import numpy as np

from ocr_core.checks.dates import normalize_date, normalize_period
from ocr_core.checks.id_number import correct_id_number, id_birth, id_sex
from ocr_core.engines import Pipeline
from ocr_core.engines.base import TextLine
from ocr_core.errors import WrongCategory
from ocr_core.finders.faces import find_face
from ocr_core.geometry import Quad, Rect, reading_order
from ocr_core.steps.answer import Findings
from ocr_core.steps.extract import (
    ID_NUMBER_LIKE,
    Field,
    chinese_value,
    extract_fields,
    field_evidence,
    first_match,
)
from ocr_core.steps.read import PageText, read_page_text

OPTIONS = {"side": ("face", "back")}
FACE_LABELS = ["姓名", "性别", "民族", "出生", "住址", "公民身份号码"]
BACK_LABELS = ["签发机关", "有效期限"]


def ocr_idcard(image: np.ndarray, configure: dict, pipeline: Pipeline) -> Findings:
    side = configure.get("side", "face")
    page = read_page_text(image, pipeline)
    labels = FACE_LABELS if side == "face" else BACK_LABELS
    face = find_face(page.upright) if side == "face" else None
    lines = page.lines if face is None else _outside_portrait(page, face)
    fields = extract_fields(lines, labels, max_lines={"住址": 3})
    answer, evidence = (_face(page, fields, lines, face) if side == "face" else _back(fields))
    return Findings(answer, evidence, page.warnings, page.engine, echo=configure)


def _outside_portrait(page: PageText, face: Quad) -> list[TextLine]:
    """The lines that are not part of the portrait, in reading order: its hair, eyebrows, mouth
    and shoulders read as 二, 1, L or C on the rows of the address. The portrait is the head
    found, widened to the shoulders and down to them."""
    left, top, right, bottom = face.bounds()
    w, h = right - left, bottom - top
    region = Quad.from_box(left - 0.45 * w, top - 0.6 * h, right + 0.45 * w, bottom + 0.4 * h)
    kept = [(line, upright) for line, upright in zip(page.lines, page.upright_lines())
            if not region.contains(upright.quad.center)]
    # Ordered again without the portrait's pieces, which had joined the rows of the address.
    return [kept[i][0] for i in reading_order([upright.quad for _, upright in kept])]


def _face(page: PageText, fields: dict[str, Field], lines: list[TextLine], face: Quad | None) -> tuple[dict, dict]:
    number_field = fields.get("公民身份号码") or first_match(lines, ID_NUMBER_LIKE)
    birth_printed = normalize_date(fields["出生"].text) if "出生" in fields else None
    sex_printed = _first_of(fields.get("性别"), "男女")
    num = correct_id_number(number_field.text, birth=birth_printed, sex=sex_printed) if number_field else None
    if len(fields) < 2 and num is None:
        raise WrongCategory()
    answer = {
        "name": _cjk_name(fields.get("姓名")),
        "sex": sex_printed or (id_sex(num) if num else ""),
        "nationality": _text(fields.get("民族")),
        "birth": birth_printed or (id_birth(num) if num else ""),
        "address": _text(fields.get("住址")),
        "num": num or (_digits(number_field.text) if number_field else ""),
        "face_rect": _face_rect(page, face),
    }
    evidence = {
        "name": field_evidence(fields.get("姓名")),
        "sex": field_evidence(fields.get("性别"), answer["sex"] == id_sex(num) if num and answer["sex"] else None),
        "nationality": field_evidence(fields.get("民族")),
        "birth": field_evidence(fields.get("出生"), answer["birth"] == id_birth(num) if num and answer["birth"] else None),
        "address": field_evidence(fields.get("住址")),
        "num": field_evidence(number_field, num is not None),
    }
    return answer, evidence


def _back(fields: dict[str, Field]) -> tuple[dict, dict]:
    if not fields:
        raise WrongCategory()
    start, end = normalize_period(fields["有效期限"].text) if "有效期限" in fields else (None, None)
    answer = {"issue": _text(fields.get("签发机关")), "start_date": start or "", "end_date": end or ""}
    evidence = {"issue": field_evidence(fields.get("签发机关")),
                "start_date": field_evidence(fields.get("有效期限"), start is not None if "有效期限" in fields else None),
                "end_date": field_evidence(fields.get("有效期限"), end is not None if "有效期限" in fields else None)}
    return answer, evidence


def _face_rect(page: PageText, face: Quad | None) -> dict:
    """The portrait as the reference draws it: centre, size and clockwise angle in the picture sent."""
    if face is None:
        return {"angle": 0, "center": {"x": 0, "y": 0}, "size": {"height": 0, "width": 0}}
    rect = Rect.from_quad(page.to_original.apply_quad(face))
    return {"angle": rect.angle, "center": {"x": round(rect.left + rect.width / 2, 1), "y": round(rect.top + rect.height / 2, 1)},
            "size": {"height": round(rect.height, 2), "width": round(rect.width, 2)}}


def _text(field: Field | None) -> str:
    return field.text.strip() if field else ""


def _cjk_name(field: Field | None) -> str:
    # A name is Chinese characters (and the middle dot of minority names); anything else is a slip.
    return chinese_value(_text(field))


def _first_of(field: Field | None, choices: str) -> str | None:
    return next((ch for ch in _text(field) if ch in choices), None)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit() or ch in "Xx").upper()
