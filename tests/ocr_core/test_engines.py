"""The Tesseract engine: created once per process and language set, reused, thread-safe,
and its Chinese output tidied."""
from __future__ import annotations

import threading

import pytest

from bench.synth import text_page
from ocr_core import recognize
from ocr_core.chinese_text import edit_distance
from ocr_core.engines import get_engine, warm_up
from ocr_core.engines.base import Reading, TextLine
from ocr_core.engines.tesseract import TesseractEngine, _Fragment, merge_fragments
from ocr_core.errors import EngineUnavailable, InvalidOption
from ocr_core.geometry import Quad


@pytest.fixture(scope="module")
def engine() -> TesseractEngine:
    return get_engine()


@pytest.fixture(scope="module")
def page():
    return text_page(3)


def line_crop(sample, index=0):
    left, top, right, bottom = Quad.from_points(sample.lines[index].quad).bounds()
    pad = 0.3 * (bottom - top)
    return sample.image[int(top - pad):int(bottom + pad), int(left - pad):int(right + pad)]


def test_engine_is_created_once_and_reused(page):
    warm_up()
    engine = get_engine()
    api = engine._api
    recognize("ocr_general", page.encode("png"))
    recognize("ocr_general", page.encode("png"))
    assert get_engine() is engine
    assert get_engine("tesseract") is engine
    assert engine._api is api


def test_engines_differ_by_language():
    assert get_engine(lang="eng") is not get_engine()
    assert get_engine(lang="eng") is get_engine(lang="eng")


def test_unknown_engine_is_an_invalid_option():
    with pytest.raises(InvalidOption):
        get_engine("nonesuch")


def test_missing_language_data_is_reported(tmp_path):
    with pytest.raises(EngineUnavailable) as raised:
        TesseractEngine("chi_sim", str(tmp_path))
    assert raised.value.code == 464


def test_read_line(engine, page):
    reading = engine.read_line(line_crop(page))
    assert isinstance(reading, Reading)
    assert reading.text == page.lines[0].text
    assert 0.7 < reading.prob <= 1.0


def test_read_page_and_detect_lines(engine, page):
    lines = engine.read_page(page.image)
    assert all(isinstance(line, TextLine) for line in lines)
    read = "\n".join(line.text for line in lines)
    assert edit_distance(page.text, read) <= 0.1 * len(page.text)
    assert len(engine.detect_lines(page.image)) >= len(page.lines) - 1


def test_calls_from_threads_are_serialised(engine, page):
    crops = [line_crop(page, i) for i in range(3)]
    expected = [engine.read_line(c).text for c in crops]
    results: dict[int, str] = {}

    def read(i: int) -> None:
        results[i] = engine.read_line(crops[i % 3]).text

    threads = [threading.Thread(target=read, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [results[i] for i in range(6)] == expected * 2


def test_fragments_on_one_baseline_are_merged():
    # Seen on a business licence: the code's letters came out as a block of their own.
    label = _Fragment([("统一社会信用代码", 95), ("91330100", 90)], 61, 69, 420, 95, 94)
    tail = _Fragment([("MA27XYZ12K", 80)], 423, 71, 582, 94, 93)
    below = _Fragment([("名称", 90)], 62, 119, 200, 145, 144)
    merged = merge_fragments([tail, below, label])
    assert len(merged) == 2
    line = next(m for m in merged if m.top < 100)
    assert line.text == "统一社会信用代码91330100MA27XYZ12K"
    assert (line.left, line.right) == (61, 582)


def test_fragments_far_apart_stay_apart():
    left = _Fragment([("姓名", 95)], 10, 10, 80, 40, 39)
    right = _Fragment([("性别", 95)], 600, 10, 670, 40, 39)
    assert len(merge_fragments([left, right])) == 2


def test_ppocr_is_one_engine_whatever_the_language():
    pytest.importorskip("rapidocr", reason="the ppocr extra is not installed")
    assert get_engine("ppocr") is get_engine("ppocr", lang="eng")
