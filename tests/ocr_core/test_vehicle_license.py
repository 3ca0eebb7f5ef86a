"""ocr_vehicle_license on generated licences, flat and photographed: every field of the reference, by its label."""
from __future__ import annotations

import pytest

import ocr_core
from bench.synth.documents import id_card, photographed_card, vehicle_license
from bench.synth.documents.vehicle import back_layout, face_layout
from ocr_core.engines.base import TextLine
from ocr_core.errors import WrongCategory
from ocr_core.geometry import Quad
from ocr_core.services.vehicle_license import GRIDS
from ocr_core.steps.extract import place_labels
from ocr_core.steps.label_grid import cell_texts, grid_cells


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
    # the type read 车辆美型小型轿车车 (photographed 49); on the layout these were seen on (the
    # seal over the values, the address shrunk into its row).
    sample = vehicle_license(seed, "face", distortion=photographed_card(seed) if photographed else None,
                             layout=("values", False))
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


@pytest.mark.parametrize("seed", [2, 3, 15])
def test_seal_over_the_lower_labels(seed):
    # The generator's families of the seal over 发动机号码 (2), 车辆识别代号 (3), 所有人 (15): the
    # engine number, the VIN or the owner (and the plate above it) were lost on today's code
    # before the red ink was taken out and the label grid was read.
    sample = vehicle_license(seed, "face")
    assert face_layout(seed)[0] != "values"
    answer = recognize(sample, "face")
    assert {k: answer[k] for k in sample.fields} == sample.fields


def test_stamp_over_the_supplementary_pages_masses():
    # The seats and the masses under a stamp (the family "masses" of the supplementary page).
    sample = vehicle_license(3, "back")
    assert back_layout(3) == "masses"
    answer = recognize(sample, "back")
    assert {k: answer[k] for k in sample.fields} == sample.fields


def test_label_grid_reads_a_half_read_label_from_where_it_starts():
    # 发动机号码 over Engine No. read 机号507155: the label is not found, its cell (the sixth row,
    # first column) holds a line that starts where the label would, with the label's characters.
    def line(text, left, top, size=30.0):
        width = sum(size if "\u4e00" <= ch <= "\u9fff" else 0.55 * size for ch in text)
        return TextLine(text, Quad.from_box(left, top, left + width, top + size), 0.99)

    lines = [line("号牌号码", 40, 100), line("车辆类型", 500, 100), line("所有人", 40, 160), line("住址", 40, 220),
             line("使用性质", 40, 280), line("品牌型号", 500, 280), line("车辆识别代号", 40, 340),
             line("机号507155", 40, 400), line("注册日期", 40, 460), line("发证日期", 500, 460)]
    placed = place_labels(lines, [label for row in GRIDS["face"] for label in row])
    assert "发动机号码" not in {label.label for label in placed}
    cell = grid_cells(placed, GRIDS["face"], 1000)["发动机号码"]
    assert cell_texts(lines, placed, cell)[0] == "507155"
