"""Choosing the engine: per request, per deployment, per service; what happens when one is missing."""
from __future__ import annotations

import sys
from dataclasses import replace

import pytest

import ocr_core
from bench.synth import Distortion, text_page
from ocr_core import errors, services
from ocr_core.chinese_text import edit_distance
from ocr_core.engines import PIPELINES, engine_installed
from ocr_core.services import check_configure, choose_pipeline
from ocr_core.settings import get_settings

pytest.importorskip("rapidocr", reason="the ppocr extra is not installed")


@pytest.fixture()
def deployment_engine(monkeypatch):
    def set_engine(name: str) -> None:
        monkeypatch.setattr("ocr_core.services.get_settings", lambda: replace(get_settings(), engine=name))
    return set_engine


def test_request_then_deployment_then_service_default(deployment_engine):
    assert choose_pipeline("ocr_general", {}).name == services.SERVICES["ocr_general"].engine
    deployment_engine("mixed")
    assert choose_pipeline("ocr_general", {}).name == "mixed"
    assert choose_pipeline("ocr_general", {"engine": "tesseract"}).name == "tesseract"


def test_a_default_not_installed_falls_back_to_tesseract(monkeypatch, deployment_engine):
    deployment_engine("ppocr")
    monkeypatch.setitem(sys.modules, "rapidocr", None)
    assert not engine_installed("ppocr") and not engine_installed("mixed") and engine_installed("tesseract")
    assert choose_pipeline("ocr_general", {}).name == "tesseract"


def test_unknown_engine_answers_461_naming_the_choices():
    with pytest.raises(errors.InvalidOption) as info:
        check_configure("ocr_general", {"engine": "abbyy"})
    assert info.value.code == 461
    assert "'engine' must be one of 'tesseract', 'ppocr', 'mixed'" in info.value.error_msg


def test_an_engine_not_installed_answers_461_saying_so(monkeypatch):
    monkeypatch.setitem(sys.modules, "rapidocr", None)
    with pytest.raises(errors.InvalidOption) as info:
        check_configure("ocr_general", {"engine": "ppocr"})
    assert "engine 'ppocr' is not installed on this server" in info.value.error_msg
    assert check_configure("ocr_general", {"engine": "tesseract"}) == {"engine": "tesseract"}


def error_rate(answer: dict, page) -> float:
    """Character error rate of the page's text in reading order: lines out of order count as errors."""
    read = "\n".join(line["word"] for line in answer["ret"])
    return edit_distance(read, page.text) / len(page.text)


@pytest.mark.parametrize("engine", sorted(PIPELINES))
def test_each_pipeline_reads_the_page_and_says_which_engine_read_it(engine):
    page = text_page(61, n_lines=4)
    answer = ocr_core.recognize("ocr_general", page.encode("png"), {"engine": engine, "evidence": True})
    assert len(answer["ret"]) == len(page.lines) and error_rate(answer, page) < 0.05
    assert {e["engine"] for e in answer["evidence"].values()} == {PIPELINES[engine].reader}


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_ppocr_keeps_reading_order_on_rotated_pages(rotate):
    page = text_page(62, n_lines=5, distortion=Distortion(rotate=rotate))
    answer = ocr_core.recognize("ocr_general", page.encode("png"), {"engine": "ppocr", "evidence": True})
    assert len(answer["ret"]) == len(page.lines) and error_rate(answer, page) < 0.02
    assert f"rotated_{rotate}" in answer["warnings"]
