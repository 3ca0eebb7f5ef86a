"""ocr_vin on generated VIN plates (stamped metal) and printed documents, flat and
photographed: the VIN picked among the lines and corrected by its check digit; 463 without one."""
from __future__ import annotations

import pytest

import ocr_core
from bench.synth.documents import bank_card, photographed_card, vin_document, vin_plate
from ocr_core.engines.base import TextLine
from ocr_core.errors import WrongCategory
from ocr_core.geometry import Quad
from ocr_core.services.vin import vin_candidates


def recognize(sample, **configure) -> dict:
    return ocr_core.recognize("ocr_vin", sample.encode("jpg" if sample.distortion.jpeg_quality else "png"), configure)


# Plates: 132 the stamped VIN alone, photographed turned by a quarter (its spaced characters
# mislead the page's orientation), 2 nameplate (European, no check digit); documents: 1
# (European), 5 (Chinese, photographed upside down).
@pytest.mark.parametrize("make, seed, photographed", [(vin_plate, 132, True), (vin_plate, 2, True),
                                                      (vin_document, 1, False), (vin_document, 5, True)])
def test_vin_of_plates_and_documents(make, seed, photographed):
    sample = make(seed, distortion=photographed_card(seed) if photographed else None)
    answer = recognize(sample)
    assert answer == {"vin": sample.fields["vin"], "success": True}


def test_evidence_says_whether_the_check_digit_held():
    checked = recognize(vin_plate(4), evidence=True)          # LFV...: Chinese, check digit required
    assert checked["evidence"]["vin"]["valid"] is True and len(checked["evidence"]["vin"]["box"]) == 4
    unchecked = recognize(vin_document(1), evidence=True)     # VF1...: French, no check digit
    assert unchecked["evidence"]["vin"]["valid"] is None and unchecked["warnings"] == []


def line(text: str, y: float) -> TextLine:
    return TextLine(text, Quad.from_box(0, y, 400, y + 30), 0.95)


def best(lines: list[TextLine]) -> str:
    return max(vin_candidates(lines), key=lambda c: c.rank).vin


def test_check_digit_corrects_a_misread_character():
    # The reference's VIN, LSVFF66R8C2116280, read with G for 6 or T for 1: of the look-alike
    # slips that could be undone, only one makes the check digit hold.
    assert best([line("车辆识别代号 LSVFFG6R8C2116280", 0)]) == "LSVFF66R8C2116280"
    assert best([line("LSVFF66R8C2T16280", 0)]) == "LSVFF66R8C2116280"
    assert best([line("VIN LSVFF 66R8C 2116280", 0)]) == "LSVFF66R8C2116280"   # printed in groups
    assert best([line("LSVFF66R8C2116Z8O", 0)]) == "LSVFF66R8C2116280"   # letters in the serial


def test_the_labelled_and_checked_code_wins_among_codes_of_17():
    lines = [line("合格证号 WAB1234567890123X", 0), line("发动机号码 WVWZZZ1KZ6W012345", 40),
             line("车辆识别代号 LSVFF66R8C2116280", 80), line("ABCDEFGHJKLMN1234", 120)]
    assert best(lines) == "LSVFF66R8C2116280"
    # Without any check digit, the label decides.
    lines = [line("WVWZZZ1KZ6W012345", 0), line("车架号", 40), line("VF1AB000123456789", 80)]
    assert best(lines) == "VF1AB000123456789"


def test_numbers_that_are_not_vins_are_not_candidates():
    assert vin_candidates([line("公民身份号码 110101199003074512", 0), line("6222 0212 3456 7890 128", 40),
                           line("This is English text of a page", 80)]) == []


def test_a_page_of_text_and_a_bank_card_are_the_wrong_category(page_png):
    with pytest.raises(WrongCategory):
        ocr_core.recognize("ocr_vin", page_png, {})
    with pytest.raises(WrongCategory):
        recognize(bank_card(6))


def test_tesseract_reads_the_codes_again_with_its_english_model():
    # Tesseract's Chinese model reads this nameplate's VIN with a letter too many.
    sample = vin_plate(2)
    assert recognize(sample, engine="tesseract")["vin"] == sample.fields["vin"]


# A phone screenshot of a photo of a VIN plate: status bar, title and buttons in large type,
# upright, the photo within turned its own way (seed 5: upside down, once 463 wrong category).
@pytest.mark.parametrize("seed", [0, 5])
def test_vin_of_a_phone_screenshot(seed):
    from bench.synth.documents.vin import vin_screenshot
    sample = vin_screenshot(seed)
    assert recognize(sample) == {"vin": sample.fields["vin"], "success": True}
