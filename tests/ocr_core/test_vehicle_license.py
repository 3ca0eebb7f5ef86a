"""ocr_vehicle_license on generated licences, flat and photographed: every field of the reference, by its label."""
from __future__ import annotations

import pytest

import ocr_core
from bench.synth.documents import id_card, photographed_card, vehicle_license
from ocr_core.errors import WrongCategory


def recognize(sample, side: str, **configure) -> dict:
    return ocr_core.recognize("ocr_vehicle_license", sample.encode("jpg" if sample.distortion.jpeg_quality else "png"),
                              {"side": side, **configure})


@pytest.mark.parametrize("seed", [2, 5, 6, 9])
def test_face_fields_flat_and_photographed(seed):
    sample = vehicle_license(seed, "face", distortion=photographed_card(seed) if seed % 2 else None)
    answer = recognize(sample, "face")
    assert {k: answer[k] for k in sample.fields} == sample.fields
    assert answer["config_str"] == '{"side": "face"}' and answer["success"] is True


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_back_fields_in_the_reference_form(seed):
    sample = vehicle_license(seed, "back", distortion=photographed_card(seed) if seed % 2 else None)
    answer = recognize(sample, "back")
    assert {k: answer[k] for k in sample.fields} == sample.fields
    # The reference's spelling, and '' for the masses the card prints as --.
    assert answer["appproved_passenger_capacity"].endswith("人") and answer["traction_mass"] == ""


@pytest.mark.parametrize("seed, photographed", [(4, False), (3, True), (49, True)])
def test_model_and_type_read_by_their_grammar(seed, photographed):
    # BYD read BVD (flat 4), BYD7152 read BYD752 until its line is read alone (photographed 3),
    # the type read 车辆美型小型轿车车 (photographed 49).
    sample = vehicle_license(seed, "face", distortion=photographed_card(seed) if photographed else None)
    answer = recognize(sample, "face")
    assert (answer["model"], answer["vehicle_type"]) == (sample.fields["model"], sample.fields["vehicle_type"])


def test_evidence_marks_the_checked_vin():
    answer = recognize(vehicle_license(6, "face"), "face", evidence=True)
    assert answer["evidence"]["vin"]["valid"] is True and len(answer["evidence"]["vin"]["box"]) == 4


def test_an_id_card_is_the_wrong_category():
    sample = id_card(4, "face")
    with pytest.raises(WrongCategory):
        recognize(sample, "face")
    with pytest.raises(WrongCategory):
        recognize(sample, "back")


def test_address_whose_label_is_misread_is_read_row_by_row():
    # 住址 over Address is read 住ds: the cell is the row between 所有人's and 使用性质's.
    sample = vehicle_license(21, "face")
    assert recognize(sample, "face")["addr"] == sample.fields["addr"]


def test_size_read_again_when_its_label_is_misread():
    # 外廓尺寸 / Dimension merged with the size and read 外尺寸nsion 649x…: the size is read
    # again from where it starts.
    sample = vehicle_license(9, "back")
    assert recognize(sample, "back")["overall_dimension"] == sample.fields["overall_dimension"]
