"""The PP-OCR engine (RapidOCR): whole pages, detection and line reading called apart, and its absence."""
from __future__ import annotations

import sys

import pytest

from bench.synth import text_page
from ocr_core.errors import EngineUnavailable

pytest.importorskip("rapidocr", reason="the ppocr extra is not installed")
from ocr_core.engines.ppocr import PPOCREngine  # noqa: E402


@pytest.fixture(scope="module")
def engine() -> PPOCREngine:
    return PPOCREngine()


@pytest.fixture(scope="module")
def page():
    return text_page(5, n_lines=4)


def test_reads_a_page_in_order(engine, page):
    lines = engine.read_page(page.image)
    assert [line.text for line in lines] == [line.text for line in page.lines]
    assert all(0.5 < line.prob <= 1 for line in lines)


def test_detection_and_line_reading_are_separately_callable(engine, page):
    quads = engine.detect_lines(page.image)
    assert len(quads) == len(page.lines)
    for quad, truth in zip(quads, page.lines):
        left, top, right, bottom = (int(v) for v in quad.bounds())
        cx = sum(x for x, _ in truth.quad) / 4
        cy = sum(y for _, y in truth.quad) / 4
        assert left <= cx <= right and top <= cy <= bottom
        assert engine.read_line(page.image[top:bottom, left:right]).text == truth.text


def test_missing_extra_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "rapidocr", None)  # what `import rapidocr` meets without the extra
    with pytest.raises(EngineUnavailable) as info:
        PPOCREngine()
    assert info.value.code == 464
    assert "pip install 'ocrq[ppocr]'" in info.value.error_msg
