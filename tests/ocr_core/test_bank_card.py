"""ocr_bank_card on generated cards, flat and photographed, embossed and printed: the card
number, chosen by the Luhn check; 463 for a picture with no card number."""
from __future__ import annotations

import pytest

import ocr_core
from bench.synth.documents import bank_card, id_card, photographed_card
from ocr_core.errors import WrongCategory
from ocr_core.finders.cards import CARD_ASPECT, find_card_quad
from ocr_core.services.bank_card import choose_card_number


def recognize(sample, **configure) -> dict:
    return ocr_core.recognize("ocr_bank_card", sample.encode("jpg" if sample.distortion.jpeg_quality else "png"),
                              configure)


# 2: dark, embossed; 6: light, printed; 3: dark, embossed, photographed turned 90°;
# 11: light, printed 6-13, photographed turned 270°.
@pytest.mark.parametrize("seed, photographed", [(2, False), (6, False), (3, True), (11, True)])
def test_card_number_flat_and_photographed(seed, photographed):
    sample = bank_card(seed, distortion=photographed_card(seed) if photographed else None)
    answer = recognize(sample)
    assert answer == {"card_num": sample.fields["card_num"], "success": True}


def test_evidence_box_covers_the_number_and_marks_it_valid():
    sample = bank_card(5, distortion=photographed_card(5))
    answer = recognize(sample, evidence=True)
    evidence = answer["evidence"]["card_num"]
    assert evidence["valid"] is True and evidence["engine"] and 0 < evidence["prob"] <= 1
    xs = [p[0] for p in sample.boxes["card_num"]]
    ys = [p[1] for p in sample.boxes["card_num"]]
    cx = sum(p[0] for p in evidence["box"]) / 4
    cy = sum(p[1] for p in evidence["box"]) / 4
    assert min(xs) <= cx <= max(xs) and min(ys) <= cy <= max(ys)
    assert "rotated_180" in answer["warnings"]   # seed 5 is photographed upside down


def test_the_card_is_found_on_the_desk():
    sample = bank_card(9, distortion=photographed_card(9))
    quad = find_card_quad(sample.image)
    assert quad is not None
    truth = sample.boxes["card"]
    # Each corner found lies near one of the card's true corners.
    for x, y in quad.points:
        assert min(abs(x - tx) + abs(y - ty) for tx, ty in truth) < 0.05 * max(sample.image.shape[:2])
    # A card is 85.6 × 54 mm (1.586), seen in perspective: its long side is 1.3–1.9 times its short side.
    assert max(quad.length, quad.thickness) / min(quad.length, quad.thickness) == pytest.approx(1.6, abs=0.3)
    assert abs(CARD_ASPECT - 1.586) < 0.01
    assert find_card_quad(bank_card(9).image) is None   # a crop of the card alone: no outline on a desk


def test_luhn_chooses_between_disagreeing_readings():
    number = "6222021234567890128"
    assert choose_card_number(["6222 0212 3456 7890 128"]) == number
    # Two readings that each slipped on a different digit: only one mix of them passes Luhn.
    assert choose_card_number(["6222 0212 3456 7880 128", "6222 0212 3456 7890 123"]) == number
    # Letters read for digits are digits.
    assert choose_card_number(["6222 O212 3456 789O 128"]) == number
    # Nothing passes: no number is invented.
    assert choose_card_number(["6222 0212 3456 7890 121"]) is None


def test_a_page_of_text_is_the_wrong_category(page_png):
    with pytest.raises(WrongCategory):
        ocr_core.recognize("ocr_bank_card", page_png, {})


def test_an_id_card_is_the_wrong_category():
    with pytest.raises(WrongCategory):
        recognize(id_card(4))
