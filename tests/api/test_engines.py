"""Both engines through the API on the same pictures, and engine errors as the contract answers them."""
from __future__ import annotations

import json

import pytest

from bench.synth import text_page
from tests.servers import b64

pytestmark = pytest.mark.usefixtures("worker")
pytest.importorskip("rapidocr", reason="the ppocr extra is not installed")


def call(client, appcode, image: bytes, configure: dict):
    return client.post("/api/predict/ocr_general", data=json.dumps({"image": b64(image), "configure": configure}),
                       headers={"Authorization": f"APPCODE {appcode}"})


def test_both_engines_read_the_same_picture(client, appcode):
    page = text_page(71, n_lines=3)
    answers = {}
    for engine in ("tesseract", "ppocr", "mixed"):
        r = call(client, appcode, page.encode("png"), {"engine": engine, "evidence": True})
        assert r.status_code == 200, r.json
        answers[engine] = r.json
        assert {e["engine"] for e in r.json["evidence"].values()} == {"tesseract" if engine == "tesseract" else "ppocr"}
    # The same picture, the same lines, whichever engine read it.
    assert [len(a["ret"]) for a in answers.values()] == [3, 3, 3]
    assert [line["word"] for line in answers["ppocr"]["ret"]] == [line.text for line in page.lines]


def test_unknown_engine_answers_461_with_the_choices(client, appcode):
    r = call(client, appcode, text_page(72, n_lines=1).encode("png"), {"engine": "abbyy"})
    assert r.status_code == 461
    assert r.json["error_msg"] == ("Invalid Input - json format error - invalid configure: "
                                   "'engine' must be one of 'tesseract', 'ppocr', 'mixed', not 'abbyy'")
