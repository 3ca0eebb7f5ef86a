"""ocr_general through `recognize`: the reference's answer, lines in order, boxes in the
original picture, options checked."""
from __future__ import annotations

import math

import pytest

from bench.accuracy import general_text
from bench.synth import Distortion, text_page
from ocr_core import SERVICES, check_configure, recognize
from ocr_core.chinese_text import edit_distance
from ocr_core.errors import AlgorithmException, ConfigureFormatError, ImageDataError, InvalidOption, InvalidURL
from ocr_core.geometry import Quad
from ocr_core.services import Service


def corners(rect: dict) -> Quad:
    """The reference's makeRectangle around the rect's centre, as a quad."""
    theta = rect["angle"] * math.pi / 180
    c, s = math.cos(theta), math.sin(theta)
    cx, cy = rect["left"] + rect["width"] / 2, rect["top"] + rect["height"] / 2
    w2, h2 = rect["width"] / 2, rect["height"] / 2
    pts = [(c * x - s * y + cx, s * x + c * y + cy) for x, y in ((w2, h2), (w2, -h2), (-w2, -h2), (-w2, h2))]
    return Quad.from_points([pts[2], pts[1], pts[0], pts[3]])


@pytest.fixture(scope="module")
def clean():
    sample = text_page(11)
    return sample, recognize("ocr_general", sample.encode("png"))


def test_answer_has_the_reference_shape(clean):
    _, answer = clean
    assert set(answer) == {"ret", "success"}
    assert answer["success"] is True
    for item in answer["ret"]:
        assert list(item) == ["rect", "word"]
        assert list(item["rect"]) == ["angle", "left", "top", "width", "height"]
        assert all(isinstance(v, int) for v in item["rect"].values())


def test_clean_page_reads_in_order(clean):
    sample, answer = clean
    assert len(answer["ret"]) == len(sample.lines)
    assert edit_distance(sample.text, general_text(answer)) <= 0.03 * len(sample.text)


@pytest.mark.parametrize("distortion", [
    Distortion(tilt=4, rotate=90),
    Distortion(tilt=-6, rotate=180, blur=0.6, jpeg_quality=70),
    Distortion(tilt=2, rotate=270, perspective=0.04, background=True, light=0.3),
])
def test_rotated_page_boxes_are_in_the_original_picture(distortion):
    sample = text_page(5, distortion=distortion)
    answer = recognize("ocr_general", sample.encode("jpg" if distortion.jpeg_quality else "png"))
    # Loose: with OCR_LANG=chi_sim+eng, Tesseract reads the page's amount in capitals
    # (人民币陆万玖仟…) with its English model; the text itself is the bench's business.
    assert edit_distance(sample.text, general_text(answer)) <= 0.1 * len(sample.text)
    boxes = [corners(item["rect"]) for item in answer["ret"]]
    for truth in sample.lines:
        centre = Quad.from_points(truth.quad).center
        assert any(box.contains(centre) for box in boxes), truth.text
    # Lines of a page turned a quarter run up or down the picture.
    expected = ((distortion.rotate + distortion.tilt + 90) % 180) - 90
    for item in answer["ret"]:
        gap = abs(item["rect"]["angle"] - expected) % 180
        assert min(gap, 180 - gap) <= 6


def test_min_size_drops_lower_lines():
    sample = text_page(11)
    data = sample.encode("png")
    heights = sorted(item["rect"]["height"] for item in recognize("ocr_general", data)["ret"])
    assert heights
    assert recognize("ocr_general", data, {"min_size": heights[-1] + 1})["ret"] == []
    kept = recognize("ocr_general", data, {"min_size": heights[0]})["ret"]
    assert len(kept) == len(heights)


def test_output_prob_and_evidence():
    sample = text_page(11, distortion=Distortion(rotate=90, tilt=4))
    answer = recognize("ocr_general", sample.encode("png"), {"output_prob": True, "evidence": True})
    assert all(list(item) == ["prob", "rect", "word"] and 0 < item["prob"] <= 1 for item in answer["ret"])
    assert set(answer["evidence"]) == {str(i) for i in range(len(answer["ret"]))}
    first = answer["evidence"]["0"]
    assert len(first["box"]) == 4 and first["valid"] is None and first["prob"] == answer["ret"][0]["prob"]
    assert "rotated_90" in answer["warnings"] and "skew_corrected" in answer["warnings"]


@pytest.mark.parametrize("configure", [
    {"min_size": "16"},
    {"min_size": True},
    {"min_size": 1.5},
    {"output_prob": 1},
    {"evidence": "yes"},
    {"side": "face"},
])
def test_invalid_options_are_461(configure):
    with pytest.raises(InvalidOption) as raised:
        check_configure("ocr_general", configure)
    assert raised.value.code == 461
    with pytest.raises(InvalidOption):
        recognize("ocr_general", b"not even an image", configure)


def test_check_configure():
    assert check_configure("ocr_general", None) == {}
    assert check_configure("ocr_general", {"min_size": 16, "output_prob": False}) == {"min_size": 16, "output_prob": False}
    with pytest.raises(ConfigureFormatError):
        check_configure("ocr_general", ["min_size"])
    with pytest.raises(InvalidURL):
        check_configure("ocr_nonesuch", {})


def test_unknown_service_and_bad_image():
    with pytest.raises(InvalidURL):
        recognize("ocr_nonesuch", b"")
    with pytest.raises(ImageDataError):
        recognize("ocr_general", b"not an image")


def test_a_crash_inside_a_service_is_464(monkeypatch):
    def crash(image, configure):
        raise ValueError("boom")

    monkeypatch.setitem(SERVICES, "ocr_general", Service("ocr_general", crash, {}))
    with pytest.raises(AlgorithmException) as raised:
        recognize("ocr_general", text_page(1).encode("png"))
    assert raised.value.code == 464
