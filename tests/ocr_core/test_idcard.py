"""ocr_idcard on generated cards, flat and photographed: every field of the reference, by its label."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

import ocr_core
from bench.synth.documents import id_card, photographed_card
from bench.synth.render import load_font
from ocr_core.errors import WrongCategory


def recognize(sample, side: str, **configure) -> dict:
    return ocr_core.recognize("ocr_idcard", sample.encode("jpg" if sample.distortion.jpeg_quality else "png"),
                              {"side": side, **configure})


@pytest.mark.parametrize("seed", [3, 4, 8, 11])
def test_face_fields_flat_and_photographed(seed):
    sample = id_card(seed, "face", distortion=photographed_card(seed) if seed % 2 else None)
    answer = recognize(sample, "face")
    assert {k: answer[k] for k in sample.fields} == sample.fields
    assert answer["config_str"] == '{"side": "face"}' and answer["success"] is True


@pytest.mark.parametrize("seed", [3, 5])
def test_back_fields(seed):
    sample = id_card(seed, "back", distortion=photographed_card(seed) if seed % 2 else None)
    answer = recognize(sample, "back")
    assert {k: answer[k] for k in sample.fields} == sample.fields


def test_face_rect_is_the_portrait_in_the_picture_sent():
    sample = id_card(9, "face", distortion=photographed_card(9))
    rect = recognize(sample, "face")["face_rect"]
    xs, ys = zip(*sample.boxes["face"])
    assert min(xs) <= rect["center"]["x"] <= max(xs) and min(ys) <= rect["center"]["y"] <= max(ys)
    assert 0.5 < rect["size"]["width"] / (max(xs) - min(xs)) < 2


def test_evidence_marks_the_checked_number():
    answer = recognize(id_card(12, "face"), "face", evidence=True)
    assert answer["evidence"]["num"]["valid"] is True and answer["evidence"]["birth"]["valid"] is True
    assert len(answer["evidence"]["num"]["box"]) == 4 and answer["evidence"]["num"]["engine"]


def test_a_bank_card_is_the_wrong_category():
    card = Image.new("RGB", (1000, 630), (30, 60, 140))
    draw = ImageDraw.Draw(card)
    draw.text((60, 60), "中国建设银行", font=load_font("sans", 56), fill="white")
    draw.text((60, 330), "6217 0012 3456 7890 123", font=load_font("sans", 60), fill="white")
    draw.text((60, 470), "ZHANG WEI          12/29", font=load_font("sans", 40), fill="white")
    data = cv2.imencode(".png", cv2.cvtColor(np.asarray(card), cv2.COLOR_RGB2BGR))[1].tobytes()
    with pytest.raises(WrongCategory):
        ocr_core.recognize("ocr_idcard", data, {"side": "face"})
    with pytest.raises(WrongCategory):
        ocr_core.recognize("ocr_idcard", data, {"side": "back"})
