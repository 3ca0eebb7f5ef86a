"""`bench/real.py`: its normaliser and scorers on small strings (the realdev README's rules), and
the benchmark end to end on three real pictures of tests/data/real (the shape of what it
prints, never its figures or its speed), and a missing folder."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.real import (Matcher, load_cases, main, normalise, score_cells, score_cells_in_text, score_lines,
                        score_plates, score_plates_in_text)
from ocr_core.engines import engine_installed

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "real"


# -- normalising ------------------------------------------------------------------------------

def test_nfkc_turns_full_width_into_half_width_and_latin_is_lower_cased():
    assert normalise("ＡＢＣ１２３％（）") == "abc123%()"
    assert normalise("Meters/bonwe TextIn") == "meters/bonwetextin"
    assert normalise("Énergie") == "énergie"
    # Only Latin letters: Greek capitals and Chinese stay as they are.
    assert normalise("Ω 中文") == "Ω中文"
    assert normalise("30°C，110°C。") == "30°c,110°c。"


def test_dashes_quotes_and_whitespace():
    assert normalise("25‐26 a–b c—d e―f 5−1 g－h") == "25-26a-bc-de-f5-1g-h"
    assert normalise("“一带一路”") == '"一带一路"'
    assert normalise("‘x’ 5′–3′") == "'x'5'-3'"
    assert normalise(" 打浦路 25\t29\u300035号\n") == "打浦路252935号"
    # CJK 一 is a character, not a dash; the wave dash is not a dash either.
    assert normalise("一〜") == "一〜"


def test_plates_also_lose_the_middle_dot_and_dashes():
    assert normalise("皖A·195K9", plate=True) == "皖a195k9"
    assert normalise("皖A-195K9", plate=True) == normalise("皖A 195K9", plate=True) == "皖a195k9"
    assert normalise("皖A·195K9") == "皖a·195k9"


def test_alt_sub_and_alt_spellings():
    match = Matcher({"alt_sub": [["TextIn", "Textln"]]})
    assert match.norm("Textln 产品") == match.norm("TextIn产品") == "textin产品"
    assert Matcher({"alt": {"168元": ["168 元", "¥168"]}}).variants("168元") == ["168元", "¥168"]
    assert Matcher({"alt": [["很美", "很 美", "根美"]]}).variants("很美") == ["很美", "根美"]
    assert Matcher({"alt": ["沪A·N9241"]}, plate=True).variants("沪AN9241") == ["沪an9241"]


# -- scoring ----------------------------------------------------------------------------------

def test_lines_found_inside_one_answered_line_exact_when_equal():
    truth = ["华南农业大学", "东园", "土地整治与土壤修复研究中心"]
    scores = score_lines(truth, ["华南农业大学—东园", "土地整治与土壤修复研究中心"], {"complete": True})
    assert (scores["lines"], scores["found"], scores["exact"]) == (3, 3, 1)
    # The page text against the truth joined: one extra dash.
    assert (scores["chars"], scores["edits"]) == (len("华南农业大学东园土地整治与土壤修复研究中心"), 1)
    # A truth line split over two answered lines is not found by the project...
    split = score_lines(["最美的不是下雨天"], ["最美的不", "是下雨天"])
    assert (split["found"], split["exact"]) == (0, 0)
    # ...but is in a raw engine's page text, where nothing is exact.
    raw = score_lines(["最美的不是下雨天"], ["最美的不", "是下雨天"], anywhere=True)
    assert (raw["found"], raw["exact"], raw["edits"]) == (1, None, 0)


def test_incomplete_truth_has_no_character_error_rate():
    scores = score_lines(["打浦路15号"], ["打浦路 15 号", "small print"], {"complete": False})
    assert (scores["found"], scores["exact"], scores["chars"], scores["edits"]) == (1, 1, None, None)


def test_lines_compare_normalised():
    scores = score_lines(["汉阳鹦鹉家居建材市场E区25-26号", "-40°C深度防冻"], ["汉阳鹦鹉家居建材市场e区25—26号", "－40℃深度防冻"])
    # ℃ is NFKC's °C: both lines are exact.
    assert scores["exact"] == 2


def test_plates_found_and_wrong():
    scores = score_plates(["皖A195K9", "使198476"], ["皖A·195K9", "皖A195K8"])
    assert scores == {"plates": 2, "found": 1, "answered": 2, "wrong": 1}
    assert score_plates(["川JK0707"], []) == {"plates": 1, "found": 0, "answered": 0, "wrong": 0}
    raw = score_plates_in_text(["沪AN9241", "皖A195K9"], ["沪A", "N9241", "其他"])
    assert (raw["found"], raw["wrong"]) == (1, None)


def _cell(sx, sy, ex, ey, *text):
    return {"sx": sx, "sy": sy, "ex": ex, "ey": ey, "text": list(text)}


def test_cells_text_anywhere_in_the_answer_structure_by_span_on_the_best_table():
    truth = [[0, 0, 2, 1, "TextIn 让机器"], [0, 1, 1, 2, "产品"], [1, 1, 2, 2, ""], [0, 2, 1, 3, "Mean"]]
    caption = [[_cell(0, 0, 1, 1, "Table 1")]]
    table = [[_cell(0, 0, 2, 1, "Textln", "让机器")], [_cell(0, 1, 1, 2, "描述"), _cell(1, 1, 2, 2)],
             [_cell(0, 2, 1, 3, "MEAN"), _cell(1, 2, 2, 3, "产品")]]
    scores = score_cells(truth, [caption, table], {"alt_sub": [["TextIn", "Textln"]]})
    # Text: 3 true cells with text; "产品" is answered, though in another place.
    assert (scores["texts"], scores["text_found"]) == (3, 3)
    # Structure on the second table: the 4 true spans are there; one cell more than the truth.
    assert (scores["cells"], scores["structure"], scores["generator_errors"]) == (4, 4, 1)
    assert score_cells(truth, [])["structure"] == 0
    raw = score_cells_in_text(truth, ["Textln让机器像人类", "产品描述"], {"alt_sub": [["TextIn", "Textln"]]})
    assert (raw["texts"], raw["text_found"], raw["structure"]) == (3, 2, None)


# -- the benchmark ----------------------------------------------------------------------------

def test_the_test_pictures_are_cases_of_the_three_services_with_their_sources():
    cases = load_cases(DATA)
    assert sorted(c.service for c in cases) == ["ocr_general", "ocr_plate", "ocr_table_parse"]
    sources = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    for case in cases:
        assert case.image.is_file() and case.image.relative_to(DATA).as_posix() in sources
    assert "GPL" not in sources
    assert [c.bare_crop for c in cases if c.service == "ocr_plate"] == [True]


@pytest.mark.slow
@pytest.mark.skipif(not engine_installed("ppocr"), reason="rapidocr not installed")
def test_runs_on_real_pictures_and_prints_the_three_engines_per_service(tmp_path):
    out = tmp_path / "real.json"
    run = subprocess.run([sys.executable, "-m", "bench.real", "--realdev", str(DATA), "--json", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=280, check=False)
    assert run.returncode == 0, run.stderr
    text = run.stdout
    headers = {
        "ocr_general": "| engine | lines found | lines exact | CER | s/picture | errors | turned |",
        "ocr_table_parse": "| engine | cell text | structure | structure, generator's score | s/picture | errors | turned |",
        "ocr_plate": "| engine | plates found | wrong plates | bare crops: found | bare crops: wrong | s/picture | errors | turned |",
    }
    for service, header in headers.items():
        section = text.split(f"### `{service}`: 1 picture")[1].split("####")[0]
        assert header in section
        rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| engine")]
        assert [row.split(" | ")[0] for row in rows] == ["| project", "| raw PP-OCR", "| raw Tesseract"]
        assert all(row.count("|") == header.count("|") for row in rows)
        # Seconds per picture for each of the three.
        assert all(re.search(r"\| \d+\.\d\d \|", row) for row in rows)
        assert f"#### `{service}` by family" in text
    summary = text.split("### Summary")[1]
    assert "| service | figure | project | raw PP-OCR | raw Tesseract |" in summary
    for figure in ("lines found", "lines exact", "CER (1 picture with complete truth)", "cell text", "structure",
                   "plates found", "wrong plates", "bare crops: found", "s/picture"):
        assert f"| {figure} |" in summary
    assert "| `ocr_plate` (1) | plates found |" in summary
    records = json.loads(out.read_text(encoding="utf-8"))["pictures"]
    assert sorted(r["id"] for r in records) == ["gen_paddle_word2", "plate_crop_1", "table_tsr_textin"]
    for record in records:
        assert set(record["engines"]) == {"project", "ppocr", "tesseract"}
        assert all(e["seconds"] > 0 for e in record["engines"].values())


def test_a_missing_folder_is_said_in_one_line_and_exits_0(tmp_path, capsys, monkeypatch):
    assert main(["--realdev", str(tmp_path / "nowhere")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and "absent" in lines[0] and "nowhere" in lines[0]
    monkeypatch.setenv("OCRQ_REALDEV", str(tmp_path / "elsewhere"))
    assert main([]) == 0
    assert "elsewhere" in capsys.readouterr().out
    run = subprocess.run([sys.executable, "-m", "bench.real", "--realdev", str(tmp_path / "nowhere")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0 and len(run.stdout.splitlines()) == 1 and "absent" in run.stdout
