"""The answer step: a service's findings shaped into the reference's answer, evidence and
warnings only when asked for, in one order whatever the service."""
from __future__ import annotations

import json

from ocr_core.services import SERVICES
from ocr_core.steps.answer import Findings, shape_answer

BOX = [[0, 0], [1, 0], [1, 1], [0, 1]]


def findings(**kw) -> Findings:
    evidence = {"num": {"box": BOX, "prob": 0.9, "valid": False}, "name": {"box": None, "prob": 0.0, "valid": None}}
    return Findings({"name": "FailInRecognition", "num": "1"}, evidence, ["rotated_90"], "tesseract", **kw)


def test_values_then_success_and_nothing_else_unless_evidence_is_asked_for():
    assert shape_answer(findings(), {}) == {"name": "FailInRecognition", "num": "1", "success": True}
    assert list(shape_answer(findings(), {"evidence": False})) == ["name", "num", "success"]


def test_evidence_names_its_engine_and_warnings_add_the_failed_checks():
    answer = shape_answer(findings(), {"evidence": True})
    assert list(answer) == ["name", "num", "success", "evidence", "warnings"]
    assert answer["evidence"]["num"] == {"box": BOX, "prob": 0.9, "valid": False, "engine": "tesseract"}
    # valid None is no check, not a failed one.
    assert answer["warnings"] == ["rotated_90", "checksum_failed:num"]


def test_unread_fields_are_warned_of_last_and_checks_may_be_left_to_the_service():
    answer = shape_answer(findings(unread="FailInRecognition"), {"evidence": True})
    assert answer["warnings"] == ["rotated_90", "checksum_failed:num", "unread:name"]
    answer = shape_answer(findings(unread="FailInRecognition", checksum_warnings=False), {"evidence": True})
    assert answer["warnings"] == ["rotated_90", "unread:name"]


def test_config_str_echoes_what_the_service_says_first():
    configure = {"side": "face", "evidence": True}
    answer = shape_answer(findings(echo=configure), configure)
    assert list(answer)[:2] == ["config_str", "name"] and json.loads(answer["config_str"]) == configure
    assert shape_answer(findings(echo={"template_id": "发票"}), {})["config_str"] == '{"template_id": "发票"}'


def test_success_keeps_its_place_among_the_values():
    assert list(shape_answer(Findings({"success": True, "tables": []}), {})) == ["success", "tables"]
    assert list(shape_answer(Findings({"a": 1, "success": True, "z": 2}), {})) == ["a", "success", "z"]


def test_evidence_items_that_name_their_own_engine_are_kept():
    own = {"0": {"box": BOX, "prob": 1.0, "valid": None, "label": "金额", "engine": "ppocr"}}
    assert shape_answer(Findings({"recipts": []}, own), {"evidence": True})["evidence"] == own


def test_every_service_returns_findings_the_registry_shapes():
    for name, service in SERVICES.items():
        assert service.find.__annotations__["return"] == "Findings", name
