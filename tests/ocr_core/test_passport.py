"""ocr_passport: fields from the MRZ corrected by its check digits, and the visual zone's by their labels."""
from __future__ import annotations

import pytest

import ocr_core
from bench.synth.documents import id_card, passport, photographed_card
from ocr_core.checks.mrz import parse_td3
from ocr_core.errors import WrongCategory
from ocr_core.services.passport import _chinese_personal_number


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


@pytest.mark.parametrize("read, truth", [
    # O read as 0 at weights 1, 7, 7: the check digits hold for the misreading all the same.
    ("EE51169185CHN8001069M3107173DFIPL0NPF0BP0142", "DFIPLONPFOBPO1"),
    # L read as 1 (values 21 and 1: no weight tells them apart) and A as 4.
    ("EM46711434CHN7007293M2902153HACAHMBM0P14M324", "HACAHMBMOPLAM3"),
    # D as 0, K as the filler, B as 8.
    ("EF81366186CHN6105022M25091270PFPNP0<HP8F4822", "OPFPNPDKHPBFA8"),
])
def test_chinese_personal_number_read_as_digits_is_read_as_letters(read, truth):
    mrz = _chinese_personal_number(parse_td3("POCHN" + "<" * 39, read))
    assert mrz.personal_number == truth and mrz.line1[28:42] == truth and mrz.composite_ok


def test_personal_number_of_other_states_keeps_its_digits():
    line1 = "EE51169185FRA8001069M3107173DFIPL0NPF0BP0142"
    assert _chinese_personal_number(parse_td3("P<FRA" + "<" * 39, line1)).personal_number == "DFIPL0NPF0BP01"
