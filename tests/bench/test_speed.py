"""`python -m bench.speed`: the counting proxy over the engines, and one picture of one service end
to end. Only what it counts and the shape of what it prints are checked; its times belong to the bench."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from bench.speed import COST_COLUMNS, SPEED_COLUMNS, CallLog, CountingEngine, count_engine_calls, floor_calls
from ocr_core import engines as engine_registry
from ocr_core.engines.base import Engine, Reading
from tests.servers import ROOT


class _Engine(Engine):
    """Reads every crop as its width in characters; a crop one pixel wide is a speck."""

    name = "fake"

    def detect_lines(self, image):
        return []

    def read_line(self, image):
        width = image.shape[1]
        return Reading("字" * width if width > 1 else "·", 0.9 if width > 1 else 0.1)


def read_page_text(engine, crops):
    """Named as the main pass is, but in this module: its reads are the service's own."""
    return [engine.read_line(c) for c in crops]


def test_the_proxy_counts_each_read_by_the_stage_it_came_from_and_answers_as_the_engine():
    log = CallLog()
    proxy = CountingEngine(_Engine(), log)
    crops = [np.zeros((4, w), np.uint8) for w in (3, 1, 2)]
    assert [r.text for r in read_page_text(proxy, crops)] == ["字字字", "·", "字字"]
    assert proxy.name == "fake" and not hasattr(proxy, "line_probabilities")
    assert [(c.method, c.stage, c.text) for c in log.calls] == [("read_line", "own", True), ("read_line", "own", False),
                                                                ("read_line", "own", True)]
    lines, has_main = floor_calls(log.calls)
    assert not has_main and [c.crop.shape[1] for c in lines] == [3, 2]  # the reads that came out as text


def test_engines_made_before_and_after_are_counted_and_put_back():
    log = CallLog()
    before = dict(engine_registry._engines)
    restore = count_engine_calls(log)
    try:
        assert all(isinstance(e, CountingEngine) for e in engine_registry._engines.values())
        engine = engine_registry.get_engine("tesseract", lang="eng")
        assert isinstance(engine, CountingEngine)
        engine.read_line(np.full((30, 60), 255, np.uint8))
        assert [c.method for c in log.calls] == ["read_line"]
    finally:
        restore()
    assert all(not isinstance(e, CountingEngine) for e in engine_registry._engines.values())
    assert {k: v for k, v in engine_registry._engines.items() if k in before} == before


@pytest.mark.slow
def test_speed_bench_prints_the_tables_for_one_picture_of_one_service(tmp_path):
    out_json = tmp_path / "speed.json"
    done = subprocess.run([sys.executable, "-m", "bench.speed", "--service", "ocr_general", "--count", "1",
                           "--json", str(out_json)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "| " + " | ".join(SPEED_COLUMNS) + " |" in out, out
    assert "| " + " | ".join(COST_COLUMNS) + " |" in out, out
    row = re.search(r"^\| ocr_general \| 1 \|(.*)\|$", out, re.M)
    assert row and len(row.group(1).split("|")) == len(SPEED_COLUMNS) - 2, out
    figures = json.loads(out_json.read_text(encoding="utf-8"))
    (picture,) = figures["pictures"]
    assert picture["service"] == "ocr_general" and picture["has_main_pass"]
    # A page of text is read line by line: at least one read per line the answer keeps.
    assert picture["lines"] >= 1 and sum(picture["reads"].values()) >= picture["lines"]
    assert set(picture["seconds"]) == {"recognize", "ppocr", "tesseract"}
