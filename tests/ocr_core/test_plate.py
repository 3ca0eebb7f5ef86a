"""ocr_plate on generated street pictures: every plate of every colour, the plate grammar, the
grammar-constrained decoding, and multi_crop's agreement rule."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

import ocr_core
from bench.synth.documents import photographed_street, plate_scene
from bench.synth.render import load_font
from ocr_core.checks.plate_number import plate_text
from ocr_core.services.plate import CROPS, agreed
from ocr_core.services.plate.find import close_to, decode_plate, free_reading


def recognize(scene, **configure) -> dict:
    return ocr_core.recognize("ocr_plate", scene.encode("jpg" if scene.distortion.jpeg_quality else "png"), configure)


def _inside(roi: dict, quad) -> bool:
    x, y = np.mean(quad, axis=0)
    return roi["x"] <= x <= roi["x"] + roi["w"] and roi["y"] <= y <= roi["y"] + roi["h"]


@pytest.mark.parametrize("seed, colours, photographed", [
    (31, ("blue", "yellow", "green"), False),
    (32, ("white", "black"), False),
    (33, ("green", "black", "white"), True),
    (34, ("yellow", "blue"), True),
])
def test_every_plate_of_every_colour_is_read(seed, colours, photographed):
    scene = plate_scene(seed, colours=colours, distortion=photographed_street(seed) if photographed else None)
    answer = recognize(scene)
    assert sorted(p["txt"] for p in answer["plates"]) == sorted(p.txt for p in scene.plates)
    for truth in scene.plates:
        plate = next(p for p in answer["plates"] if p["txt"] == truth.txt)
        assert _inside(plate["roi"], truth.quad)
        assert set(plate) == {"detail", "prob", "roi", "txt"} and list(plate["roi"]) == ["h", "w", "x", "y"]
        assert plate["detail"] == f"{truth.txt},{plate['prob']:.6g}" and 0.6 <= plate["prob"] <= 1
    assert answer["config_str"] == "{}" and answer["success"] is True


def test_multi_crop_lists_each_crop_when_they_agree():
    scene = plate_scene(35, colours=("blue", "green"))
    answer = recognize(scene, multi_crop=True)
    assert sorted(p["txt"] for p in answer["plates"]) == sorted(p.txt for p in scene.plates)
    for plate in answer["plates"]:
        crops = [item.split(",") for item in plate["detail"].split("#")]
        assert len(crops) == len(CROPS) and {txt for txt, _ in crops} == {plate["txt"]}
        assert all(float(prob) > 0.9 for _, prob in crops)
        assert plate["prob"] == pytest.approx(min(float(prob) for _, prob in crops), abs=1e-5)
    assert answer["config_str"] == '{"multi_crop": true}'


def test_crops_answer_only_when_all_agree_and_are_sure():
    assert agreed([("京A12345", 0.99), ("京A12345", 0.95)], multi=True)
    assert not agreed([("京A12345", 0.99), ("京A12346", 0.99)], multi=True)     # disagree: dropped
    assert not agreed([("京A12345", 0.99), ("京A12345", 0.85)], multi=True)     # one unsure: dropped
    assert not agreed([("京A12345", 0.99), (None, 0.99)], multi=True)           # one not a plate
    assert agreed([("京A12345", 0.85)], multi=False)                            # one crop, no bar


def test_a_street_without_plates_answers_an_empty_list():
    answer = recognize(plate_scene(36, count=0))
    assert answer["plates"] == [] and answer["success"] is True


def test_panels_of_plate_colour_and_shape_with_other_text_are_not_plates():
    street = Image.new("RGB", (900, 500), (110, 110, 114))
    draw = ImageDraw.Draw(street)
    for (x, y), ground, ink, text in (((60, 80), (18, 62, 170), "white", "出口EXIT"),
                                      ((480, 80), (245, 190, 20), "black", "人民路88号"),
                                      ((60, 300), (18, 18, 20), "white", "P2小时"),
                                      ((480, 300), (240, 240, 236), "black", "限速40")):
        draw.rectangle((x, y, x + 330, y + 105), fill=ground, outline=ink, width=3)
        draw.text((x + 165, y + 52), text, font=load_font("sans", 56, bold=True), fill=ink, anchor="mm")
    data = cv2.imencode(".png", cv2.cvtColor(np.asarray(street), cv2.COLOR_RGB2BGR))[1].tobytes()
    assert ocr_core.recognize("ocr_plate", data, {})["plates"] == []


def test_evidence_gives_each_plate_its_box():
    scene = plate_scene(37, colours=("yellow",))
    answer = recognize(scene, evidence=True)
    item = answer["evidence"]["plates[0]"]
    assert len(item["box"]) == 4 and item["valid"] is True and item["engine"] == "ppocr"
    assert item["prob"] == pytest.approx(answer["plates"][0]["prob"], abs=1e-5)
    assert answer["warnings"] == []


@pytest.mark.parametrize("reading, colour, plate", [
    ("京A·12345", "blue", "京A12345"),
    ("京8·1O345", "blue", "京B10345"),       # a letter in second place; never O in the serial
    ("1粤B·2I34S", "yellow", "粤B2134S"),     # the rim read before the province
    ("沪A·D12345", "green", "沪AD12345"),
    ("沪A·012345", "green", "沪AD12345"),     # new energy: D or F after the letter
    ("浙N·1Z34警", "white", "浙N1234警"),     # police: digits only before 警
    ("友谊北路", "blue", None),
    ("京A12345", "green", None),              # a new-energy plate has eight characters
    ("A12345B", "blue", None),                # no province
])
def test_the_plate_grammar(reading, colour, plate):
    assert plate_text(reading, colour) == plate


def _ctc(alphabet: list[str], path: list[dict[str, float]]) -> np.ndarray:
    """Step-by-step probabilities: each step's listed characters, the rest of the mass on blank."""
    probs = np.full((len(path), len(alphabet)), 1e-6)
    for t, step in enumerate(path):
        for ch, p in step.items():
            probs[t, alphabet.index(ch)] = p
        probs[t, 0] = max(1e-6, 1 - sum(step.values()))
    return probs


def test_decoding_keeps_to_the_grammar():
    alphabet = ["blank", *"渝淋京0123456789ABDFOZ"]
    blank = {}
    # The recogniser's likeliest: 淋 (not a province), 8 where a letter stands, O in the serial.
    path = [{"淋": 0.6, "渝": 0.3}, blank, {"8": 0.6, "B": 0.35}, blank, {"O": 0.7, "0": 0.25}, blank,
            {"1": 0.9}, blank, {"2": 0.9}, blank, {"3": 0.9}, blank, {"3": 0.9}, blank]
    text, prob = decode_plate(_ctc(alphabet, path), alphabet, "blue")
    assert text == "渝B01233"          # the repeated 3 is two characters: a blank stands between
    assert 0.3 < prob < 0.9
    assert decode_plate(_ctc(alphabet, path[:-2] + [{"Z": 0.8}, blank]), alphabet, "blue")[0] == "渝B0123Z"


def test_a_reading_far_from_the_decoded_number_is_not_a_plate():
    alphabet = ["blank", *"京A12345出口EXIT"]
    probs = _ctc(alphabet, [{"出": 0.9}, {}, {"口": 0.9}, {}, {"E": 0.9}, {}, {"X": 0.9}, {"I": 0.9}, {"T": 0.9}])
    assert free_reading(probs, alphabet) == "出口EXIT"
    assert close_to("京A·12345", "京A12345") and close_to("A12345", "京A12345")   # province unread
    assert not close_to("出口EXIT", "京E1X1T1")


def test_the_recogniser_gives_its_probabilities_step_by_step():
    import random

    from bench.synth.documents.plate import render_plate
    from ocr_core.engines import get_engine
    from ocr_core.geometry import Quad
    from ocr_core.services.plate.find import reading_crop
    face = cv2.cvtColor(render_plate("苏E2F90K", "yellow", 0.5, random.Random(2)), cv2.COLOR_RGB2BGR)
    crop = reading_crop(face, Quad.from_box(0, 0, face.shape[1], face.shape[0]), "yellow")
    probs, alphabet = get_engine("ppocr").line_probabilities(crop)
    assert probs.shape[1] == len(alphabet) and alphabet[0] == "blank"
    assert np.allclose(probs.sum(axis=1), 1, atol=1e-3)
    assert free_reading(probs, alphabet).replace("·", "") == "苏E2F90K"
    assert decode_plate(probs, alphabet, "yellow")[0] == "苏E2F90K"


# --- issue 15's families: special plates, bare crops, two-row plates, the second source ------

from pathlib import Path  # noqa: E402

from bench.synth.documents.plate import SPECIAL_KINDS, plate_crop, special_plate_scene  # noqa: E402
from ocr_core.services.plate.detected import two_row_pairs, two_row_text  # noqa: E402
from ocr_core.geometry import Quad  # noqa: E402

REAL = Path(__file__).resolve().parents[1] / "data" / "real" / "images"


def test_the_grammar_knows_the_special_plates():
    assert plate_text("使198·476", "black") == "使198476"          # embassy: 使 + six digits
    assert plate_text("使198476") == "使198476"
    assert plate_text("使19847", "black") is None and plate_text("使198476", "blue") is None
    for ending in "领港澳":
        assert plate_text(f"粤Z1234{ending}", "black") == f"粤Z1234{ending}"
    assert plate_text("琼A6716学", "yellow") == "琼A6716学" and plate_text("京A1234挂", "yellow") == "京A1234挂"
    assert plate_text("京A1234警", "white") == "京A1234警"


@pytest.mark.parametrize("kind", SPECIAL_KINDS)
def test_special_plates_are_read_as_themselves(kind):
    scene = special_plate_scene(5, kind)
    assert [p["txt"] for p in recognize(scene)["plates"]] == [scene.plates[0].txt]


@pytest.mark.parametrize("seed, colour, kind", [(0, "blue", None), (1, "green", None), (2, "yellow", None),
                                                (5, None, "使"), (5, None, "学")])
def test_a_picture_that_is_a_plate_is_read(seed, colour, kind):
    scene = plate_crop(seed, colour=colour, kind=kind, width=94 if seed < 2 else None)
    assert [p["txt"] for p in recognize(scene)["plates"]] == [scene.plates[0].txt]


def test_a_real_bare_plate_crop_is_read():
    data = (REAL / "plate_crop_1.jpg").read_bytes()        # 94 × 24, LPRNet's test set (Apache-2.0)
    assert [p["txt"] for p in ocr_core.recognize("ocr_plate", data, {})["plates"]] == ["川JK0707"]


def test_a_two_row_plate_is_joined_from_its_rows():
    upper, lower = Quad.from_box(307, 204, 389, 251), Quad.from_box(301, 223, 399, 280)   # overlapping boxes
    assert two_row_pairs([upper, lower]) == [(upper, lower)]
    assert two_row_pairs([Quad.from_box(0, 0, 90, 40), Quad.from_box(300, 60, 400, 100)]) == []
    assert two_row_text("沪·A", "N9241") == "沪AN9241"
    assert two_row_text("客户接", "N9241") is None


def test_a_plate_without_its_province_read_is_not_answered():
    from ocr_core.services.plate.detected import province_read
    assert province_read("皖A·195K9", "皖A195K9")
    assert not province_read("A·T022C", "鄂AT022C")          # the grammar's guess, not a reading
    assert not province_read("能A328L2", "皖A328L2")


@pytest.mark.parametrize("seed", [0, 2, 3])
def test_a_two_row_plate_is_never_answered_as_another_plate(seed):
    # The lower row alone looks like a plate's serial: the grammar would invent its province
    # and letter (粤Y64871 answered as 浙M64871). Nothing is answered rather than that.
    from bench.synth.documents.plate import two_row_plate_scene
    scene = two_row_plate_scene(seed)
    assert [p["txt"] for p in recognize(scene)["plates"]] in ([], [scene.plates[0].txt])
