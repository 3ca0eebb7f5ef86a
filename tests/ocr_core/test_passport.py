"""ocr_passport: fields from the MRZ corrected by its check digits, and the visual zone's by their labels."""
from __future__ import annotations

import pytest

import ocr_core
from bench.synth.documents import id_card, passport, photographed_card
from ocr_core.errors import WrongCategory


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_every_field_flat_and_photographed(seed):
    sample = passport(seed, distortion=photographed_card(seed) if seed % 2 else None)
    answer = ocr_core.recognize("ocr_passport", sample.encode("jpg" if seed % 2 else "png"))
    assert {k: answer[k] for k in sample.fields} == sample.fields
    assert answer["birth_day"] == answer["birth_date"][2:] and answer["expiry_day"] == answer["expiry_date"][2:]


def test_evidence_says_which_check_digits_held():
    answer = ocr_core.recognize("ocr_passport", passport(6).encode("png"), {"evidence": True})
    assert answer["evidence"]["passport_no"]["valid"] is True and answer["evidence"]["line1"]["valid"] is True
    assert answer["evidence"]["name_cn"]["box"] is not None


def test_an_id_card_is_not_a_passport():
    with pytest.raises(WrongCategory):
        ocr_core.recognize("ocr_passport", id_card(3, "face").encode("png"))
