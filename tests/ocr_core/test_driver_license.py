"""ocr_driver_license on generated licences, flat and photographed: every field of the reference, by its label."""
from __future__ import annotations

import pytest

import ocr_core
from bench.synth.documents import driver_license, id_card, photographed_card
from ocr_core.errors import WrongCategory


def recognize(sample, side: str, **configure) -> dict:
    return ocr_core.recognize("ocr_driver_license", sample.encode("jpg" if sample.distortion.jpeg_quality else "png"),
                              {"side": side, **configure})


@pytest.mark.parametrize("seed", [2, 3, 4, 9])
def test_face_fields_flat_and_photographed(seed):
    sample = driver_license(seed, "face", distortion=photographed_card(seed) if seed % 2 else None)
    answer = recognize(sample, "face")
    assert {k: answer[k] for k in sample.fields} == sample.fields
    assert answer["config_str"] == '{"side": "face"}' and answer["success"] is True


def test_old_style_validity_is_a_length_in_years():
    sample = driver_license(22, "face")
    assert sample.fields["end_date"].isdigit() and len(sample.fields["end_date"]) <= 2
    assert recognize(sample, "face")["end_date"] == sample.fields["end_date"]


@pytest.mark.parametrize("seed", [2, 3])
def test_back_fields(seed):
    sample = driver_license(seed, "back", distortion=photographed_card(seed) if seed % 2 else None)
    answer = recognize(sample, "back")
    assert {k: answer[k] for k in sample.fields} == sample.fields


def test_evidence_marks_the_checked_number():
    answer = recognize(driver_license(6, "face"), "face", evidence=True)
    assert answer["evidence"]["num"]["valid"] is True and len(answer["evidence"]["num"]["box"]) == 4
    assert answer["evidence"]["num"]["engine"] and isinstance(answer["warnings"], list)


def test_an_id_card_is_the_wrong_category():
    sample = id_card(3, "back")
    with pytest.raises(WrongCategory):
        recognize(sample, "face")
    with pytest.raises(WrongCategory):
        recognize(sample, "back")


def test_number_read_again_when_its_label_is_misread():
    # 证号 / License No. and the number are found as one tall line, read "E号S N 2050…" (label
    # lost, first digit with it): the number is read again from where its digits start.
    sample = driver_license(8, "face")
    assert recognize(sample, "face")["num"] == sample.fields["num"]


def test_address_wrapped_in_its_cell_keeps_both_rows():
    # The label's two rows and both rows of the address are found as one line, read as one row.
    sample = driver_license(5, "face")
    assert recognize(sample, "face")["addr"] == sample.fields["addr"]
