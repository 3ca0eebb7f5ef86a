"""ocr_household_register on generated register pages, flat and photographed: every field of the
reference by its label, the title's box, and the clerk's red stamp where it was printed."""
from __future__ import annotations

import pytest

import ocr_core
from bench.accuracy import ltwh_box, overlap, quad_box
from bench.synth.documents import household_register, photographed_card
from ocr_core.errors import WrongCategory


def recognize(sample, **configure) -> dict:
    return ocr_core.recognize("ocr_household_register",
                              sample.encode("jpg" if sample.distortion.jpeg_quality else "png"), configure)


@pytest.mark.parametrize("seed", [2, 3, 6, 9, 16, 17])
def test_fields_flat_and_photographed(seed):
    sample = household_register(seed, distortion=photographed_card(seed) if seed % 2 else None)
    answer = recognize(sample)
    assert {k: answer[k] for k in sample.fields} == sample.fields
    assert answer["angle"] == sample.distortion.rotate and answer["success"] is True


@pytest.mark.parametrize("seed", [4, 5])
def test_title_and_stamp_boxes_are_where_they_were_printed(seed):
    sample = household_register(seed, distortion=photographed_card(seed) if seed % 2 else None)
    answer = recognize(sample)
    assert overlap(ltwh_box(answer["title"]), quad_box(sample.boxes["title"])) > 0.7
    assert len(answer["undertake_stamp"]) == 1
    assert overlap(ltwh_box(answer["undertake_stamp"][0]), quad_box(sample.boxes["undertake_stamp"])) > 0.8
    assert answer["invalid_stamp"] == answer["register_stamp"] == answer["other_stamp"] == []


def test_evidence_marks_the_checked_number():
    answer = recognize(household_register(12), evidence=True)
    assert answer["evidence"]["idcard"]["valid"] is True and len(answer["evidence"]["name"]["box"]) == 4
    assert answer["evidence"]["name"]["engine"] and isinstance(answer["warnings"], list)


def test_a_page_of_text_is_the_wrong_category(page_png):
    with pytest.raises(WrongCategory):
        ocr_core.recognize("ocr_household_register", page_png, {})


def test_an_id_card_is_the_wrong_category():
    from bench.synth.documents import id_card
    with pytest.raises(WrongCategory):
        ocr_core.recognize("ocr_household_register", id_card(3, "face").encode("png"), {})
