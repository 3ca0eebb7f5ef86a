"""Synthetic identity documents: reproducible, truth in the reference's
formats, valid check digits, and boxes that follow the ink through photos."""
from __future__ import annotations

import datetime as dt
import random
import re

import cv2
import numpy as np
import pytest

from bench.synth import Distortion
from bench.synth.documents import (
    DocumentSample,
    driver_license,
    household_register,
    id_card,
    mrz_check_digit,
    passport,
    photographed_card,
    vehicle_license,
)
from bench.synth.documents.bank_card import bank_card
from bench.synth.documents.business_license import business_license
from bench.synth.documents.idcard import citizen, validity
from bench.synth.documents.vin import vin_document, vin_plate, vin_sample
from ocr_core.checks.id_number import id_check_digit
from ocr_core.checks.vin import vin_check_digit

MAKERS = {
    "idcard_face": lambda seed, **kw: id_card(seed, "face", **kw),
    "idcard_back": lambda seed, **kw: id_card(seed, "back", **kw),
    "passport": lambda seed, **kw: passport(seed, **kw),
    "driver_license_face": lambda seed, **kw: driver_license(seed, "face", **kw),
    "driver_license_back": lambda seed, **kw: driver_license(seed, "back", **kw),
    "vehicle_license_face": lambda seed, **kw: vehicle_license(seed, "face", **kw),
    "vehicle_license_back": lambda seed, **kw: vehicle_license(seed, "back", **kw),
    "household_register": lambda seed, **kw: household_register(seed, **kw),
    "business_license": lambda seed, **kw: business_license(seed, **kw),
    "bank_card": lambda seed, **kw: bank_card(seed, **kw),
    "vin_plate": lambda seed, **kw: vin_plate(seed, **kw),
    "vin_document": lambda seed, **kw: vin_document(seed, **kw),
}

DATE = r"(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])"
SHORT_DATE = r"\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])"
FORMATS = {
    "idcard_face": {"name": r"[\u4e00-\u9fff]{2,4}", "sex": "男|女", "nationality": r"[\u4e00-\u9fff]{1,3}",
                    "birth": DATE, "address": r"[\u4e00-\u9fff0-9A-D]{8,}", "num": r"\d{17}[\dX]"},
    "idcard_back": {"issue": r"[\u4e00-\u9fff]+公安局[\u4e00-\u9fff]+分局", "start_date": DATE,
                    "end_date": f"{DATE}|长期"},
    "passport": {"type": "PO", "country": "CHN", "src_country": "CHN", "passport_no": r"E[0-9A-N]\d{7}",
                 "name": r"[A-Z]+\.[A-Z]+", "name_cn": r"[\u4e00-\u9fff]{2,4}", "sex": "M|F",
                 "birth_date": DATE, "birth_day": SHORT_DATE, "birth_place": r"[\u4e00-\u9fff]{2,3}",
                 "issue_date": DATE, "issue_place": r"[\u4e00-\u9fff]{2,3}", "expiry_date": DATE,
                 "expiry_day": SHORT_DATE, "authority": "公安部出入境管理局|国家移民管理局",
                 "person_id": r"[A-Z0-9<]{14}", "line0": r"[A-Z<]{44}", "line1": r"[A-Z0-9<]{44}"},
    "driver_license_face": {"name": r"[\u4e00-\u9fff]{2,4}", "num": r"\d{17}[\dX]", "sex": "男|女",
                            "addr": r"[\u4e00-\u9fff0-9A-D]{8,}", "vehicle_type": r"[ABCD][12][A-Z]?\d?[A-Z]?",
                            "start_date": DATE, "end_date": f"{DATE}|长期|6|10"},
    "driver_license_back": {"archive_no": r"\d{12}"},
    "vehicle_license_face": {"plate_num": r"[\u4e00-\u9fff][A-Z][0-9A-HJ-NP-Z]{5}", "vehicle_type": r"[\u4e00-\u9fff]{4,6}",
                             "owner": r"[\u4e00-\u9fff]{2,}", "use_character": r"[\u4e00-\u9fff]{2,4}",
                             "addr": r"[\u4e00-\u9fff0-9A-D]{8,}", "model": r"[\u4e00-\u9fff]+牌[0-9A-Za-z]+",
                             "vin": r"[0-9A-HJ-NPR-Z]{17}", "engine_num": r"[0-9A-Z]{6,10}",
                             "register_date": DATE, "issue_date": r"\d{4}-\d\d-\d\d"},
    "vehicle_license_back": {"plate_num": r"[\u4e00-\u9fff][A-Z][0-9A-HJ-NP-Z]{5}", "file_no": r"\d{12}",
                             "appproved_passenger_capacity": r"\d+人", "approved_load": r"(\d+kg)?",
                             "gross_mass": r"\d+kg", "unladen_mass": r"\d+kg", "traction_mass": r"(\d+kg)?",
                             "overall_dimension": r"\d+x\d+x\d+mm",
                             "inspection_record": r"检验有效期至\d{4}年\d\d月[\u4e00-\u9fff][A-Z]\(\d\d\)"},
    "household_register": {"name": r"[\u4e00-\u9fff]{2,4}", "gender": "男|女", "relation": r"[\u4e00-\u9fff]{1,2}",
                           "birth_place": r"[\u4e00-\u9fff]+[省市区县]", "nation": r"[\u4e00-\u9fff]{1,3}",
                           "native_place": r"[\u4e00-\u9fff]+[省市区县]",
                           "birth_date": r"(19|20)\d\d年[1-9]\d?月[1-9]\d?日", "idcard": r"\d{17}[\dX]"},
    "business_license": {"reg_num": r"91\d{6}[0-9A-HJ-NPQRTUWXY]{10}", "name": r"[\u4e00-\u9fff]{6,}",
                         "person": r"[\u4e00-\u9fff]{2,4}", "establish_date": DATE,
                         "valid_period": f"{DATE}|29991231", "address": r"[\u4e00-\u9fff0-9A-D]{8,}",
                         "captial": r"(人民币)?[零壹贰叁肆伍陆柒捌玖拾佰仟万]+元整|\d+万元(人民币)?",
                         "business": r"[\u4e00-\u9fff、；（）。，]+。(（[\u4e00-\u9fff，]+）)?"},
    "bank_card": {"card_num": r"\d{16}|\d{19}"},
    "vin_plate": {"vin": r"[0-9A-HJ-NPR-Z]{13}\d{4}"},
    "vin_document": {"vin": r"[0-9A-HJ-NPR-Z]{13}\d{4}"},
}


# Fields derived from others, with no printed value of their own.
UNBOXED = {"type", "birth_day", "expiry_day", "person_id", "approved_load", "traction_mass"}
# A business licence may print no term at all; its valid_period (29991231) is then unprinted.
UNBOXED |= {"valid_period"}


def valid_id(num: str) -> bool:
    return bool(re.fullmatch(r"\d{17}[\dX]", num)) and id_check_digit(num[:17]) == num[17]


def bounding(quad) -> tuple[float, float, float, float]:
    q = np.asarray(quad, float)
    return q[:, 0].min(), q[:, 1].min(), q[:, 0].max(), q[:, 1].max()


def overlap(a, b) -> float:
    """Intersection over union of two (x0, y0, x1, y1) rectangles."""
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


@pytest.fixture(scope="module")
def clean() -> dict[str, list[DocumentSample]]:
    return {kind: [make(seed) for seed in range(3)] for kind, make in MAKERS.items()}


@pytest.mark.parametrize("kind", MAKERS)
def test_reproducible_by_seed(kind):
    a, b = MAKERS[kind](11), MAKERS[kind](11)
    assert a.fields == b.fields and a.boxes == b.boxes and a.lines == b.lines
    assert np.array_equal(a.image, b.image)
    assert a.kind == kind and a.seed == 11
    assert MAKERS[kind](12).fields != a.fields


@pytest.mark.parametrize("kind", MAKERS)
def test_truth_fields_are_in_the_reference_format(kind, clean):
    for sample in clean[kind]:
        assert set(sample.fields) == set(FORMATS[kind])
        for name, value in sample.fields.items():
            assert re.fullmatch(FORMATS[kind][name], value), (kind, name, value)


def test_id_numbers_agree_with_the_printed_birth_and_sex(clean):
    for sample in clean["idcard_face"] + [id_card(seed) for seed in range(3, 20)]:
        num = sample.fields["num"]
        assert valid_id(num)
        assert num[6:14] == sample.fields["birth"]
        assert sample.fields["sex"] == ("男" if int(num[16]) % 2 else "女")
        # The card prints the birth date as "1990年3月7日", without leading zeros.
        birth = dt.datetime.strptime(sample.fields["birth"], "%Y%m%d").date()
        assert any(line.text == f"{birth.year}年{birth.month}月{birth.day}日" for line in sample.lines)


def test_both_sides_and_all_documents_of_a_seed_are_one_person():
    face, back, lic = id_card(5), id_card(5, "back"), driver_license(5)
    assert lic.fields["num"] == face.fields["num"] and lic.fields["name"] == face.fields["name"]
    assert back.fields["start_date"] > face.fields["birth"]
    assert passport(5).fields["name_cn"] == face.fields["name"]


def test_vehicle_and_register_numbers_are_valid():
    for seed in range(5):
        vin = vehicle_license(seed).fields["vin"]
        assert vin_check_digit(vin) == vin[8]
        register = household_register(seed).fields
        assert valid_id(register["idcard"]) and register == household_register(seed).fields
        birth = dt.datetime.strptime(register["birth_date"], "%Y年%m月%d日").date()
        assert register["idcard"][6:14] == f"{birth:%Y%m%d}"
    assert vin_check_digit("LSVFF66R8C2116280") == "8"   # the reference's sample VIN
    assert vin_check_digit("1M8GDM9AXKP042788") == "X"   # the classic example


def test_id_card_validity_follows_the_age_rule():
    for seed in range(200):
        person = citizen(random.Random(seed))
        issued, expires = validity(random.Random(seed), person.birth)
        age = issued.year - person.birth.year - ((issued.month, issued.day) < (person.birth.month, person.birth.day))
        assert issued > person.birth
        if expires is None:
            assert age >= 46
        else:
            assert (expires.year - issued.year) == (5 if age < 16 else 10 if age < 26 else 20)
            assert (expires.month, expires.day) in ((issued.month, issued.day), (2, 28))


def test_icao_check_digit_matches_published_samples():
    specimen = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"   # ICAO 9303 part 4's specimen
    reference = "E203545580CHN8610304M2305019MNPELOLIOKLPA938"  # the reference's passport answer
    for line in (specimen, reference):
        assert mrz_check_digit(line[13:19]) == line[19]
        assert mrz_check_digit(line[21:27]) == line[27]
        assert mrz_check_digit(line[28:42]) == line[42]
    # The reference's passport number is masked (its check digit fails), so only
    # the specimen can check the number and the composite digit.
    assert mrz_check_digit(specimen[0:9]) == specimen[9]
    assert mrz_check_digit(specimen[0:10] + specimen[13:20] + specimen[21:43]) == specimen[43]


def test_passport_mrz_is_valid_and_agrees_with_the_visual_zone():
    for seed in range(8):
        f = passport(seed).fields
        line0, line1 = f["line0"], f["line1"]
        assert len(line0) == len(line1) == 44
        assert line0.startswith("POCHN") and line0[5:].startswith(f["name"].replace(".", "<<"))
        assert line1[:9].rstrip("<") == f["passport_no"]
        assert mrz_check_digit(line1[0:9]) == line1[9]
        assert line1[10:13] == f["src_country"]
        assert line1[13:19] == f["birth_day"] == f["birth_date"][2:]
        assert mrz_check_digit(line1[13:19]) == line1[19]
        assert line1[20] == f["sex"]
        assert line1[21:27] == f["expiry_day"] == f["expiry_date"][2:]
        assert mrz_check_digit(line1[21:27]) == line1[27]
        assert line1[28:42] == f["person_id"] and mrz_check_digit(line1[28:42]) == line1[42]
        assert mrz_check_digit(line1[0:10] + line1[13:20] + line1[21:43]) == line1[43]
        assert f["issue_date"] < f["expiry_date"]


@pytest.mark.parametrize("kind", MAKERS)
def test_boxes_lie_inside_the_picture_and_cover_ink(kind, clean):
    for sample in clean[kind]:
        h, w = sample.image.shape[:2]
        grey = cv2.cvtColor(sample.image, cv2.COLOR_BGR2GRAY)
        assert set(sample.fields) - UNBOXED <= set(sample.boxes)
        for name, quad in sample.boxes.items():
            x0, y0, x1, y1 = bounding(quad)
            assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h, (name, quad)
            if name in ("card", "face", "undertake_stamp"):
                continue
            crop = grey[int(y0):int(np.ceil(y1)), int(x0):int(np.ceil(x1))]
            assert (crop < 110).mean() > 0.05, (kind, name)   # dark ink, not just background


def test_field_boxes_are_the_ink_of_their_value():
    sample = id_card(2)
    for line in sample.lines:
        if line.text == sample.fields["name"]:
            assert bounding(line.quad) == bounding(sample.boxes["name"])
    lines = [line.text for line in sample.lines]
    assert "".join(lines[lines.index("住址") + 1:lines.index("公民身份号码")]) == sample.fields["address"]


def test_haar_detector_finds_the_portrait_on_clean_id_cards():
    detector = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    found = 0
    for seed in range(10):
        sample = id_card(seed)
        grey = cv2.cvtColor(sample.image, cv2.COLOR_BGR2GRAY)
        faces = detector.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=5, minSize=(80, 80))
        truth = bounding(sample.boxes["face"])
        if any(overlap(truth, (x, y, x + fw, y + fh)) > 0.5 for x, y, fw, fh in faces):
            found += 1
    assert found >= 9


def test_photographed_card_is_a_phone_photo():
    for seed in range(40):
        d = photographed_card(seed)
        assert d.background and -10 <= d.tilt <= 10 and d.blur <= 1.2 and d.jpeg_quality >= 50
    assert {photographed_card(seed).rotate for seed in range(40)} == {0, 90, 180, 270}
    assert photographed_card(3) == photographed_card(3)


@pytest.mark.parametrize("kind", ["idcard_face", "passport", "driver_license_face"])
def test_photographed_cards_fill_part_of_the_picture_and_keep_boxes_inside(kind):
    for seed in (1, 2):
        sample = MAKERS[kind](seed, distortion=photographed_card(seed))
        h, w = sample.image.shape[:2]
        card = np.asarray(sample.boxes["card"], np.float32)
        assert 0.35 <= cv2.contourArea(card) / (w * h) <= 0.85
        for name, quad in sample.boxes.items():
            x0, y0, x1, y1 = bounding(quad)
            assert -1 <= x0 and x1 <= w + 1 and -1 <= y0 and y1 <= h + 1, name


@pytest.mark.parametrize("rotate", [90, 270])
def test_a_quarter_turn_makes_the_name_box_vertical(rotate):
    upright = id_card(4, distortion=Distortion(background=True))
    turned = id_card(4, distortion=Distortion(rotate=rotate, background=True))
    ux0, uy0, ux1, uy1 = bounding(upright.boxes["name"])
    tx0, ty0, tx1, ty1 = bounding(turned.boxes["name"])
    assert ux1 - ux0 > uy1 - uy0 and ty1 - ty0 > tx1 - tx0
    # The box still holds the ink of the name.
    grey = cv2.cvtColor(turned.image, cv2.COLOR_BGR2GRAY)
    assert (grey[int(ty0):int(ty1), int(tx0):int(tx1)] < 110).mean() > 0.05
    assert turned.image.shape[:2] == upright.image.shape[1::-1]


def test_encode_gives_a_picture_file():
    sample = driver_license(1, "back", distortion=photographed_card(1))
    decoded = cv2.imdecode(np.frombuffer(sample.encode("jpg"), np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape == sample.image.shape
    with pytest.raises(ValueError):
        id_card(1, "side")


def test_business_licence_codes_are_valid_and_terms_follow_the_reference():
    from ocr_core.checks.credit_code import credit_code_valid
    periods = set()
    for seed in range(30):
        fields = business_license(seed).fields
        assert credit_code_valid(fields["reg_num"])
        assert fields["valid_period"] == "29991231" or fields["valid_period"] > fields["establish_date"]
        periods.add(fields["valid_period"] == "29991231")
    assert periods == {True, False}
    bare = business_license(1, seal=False, qrcode=False)
    assert "stamp" not in bare.boxes and "qrcode" not in bare.boxes and "elbem" in bare.boxes


def test_bank_card_numbers_pass_luhn_and_are_printed_in_their_groups():
    from ocr_core.checks.luhn import luhn_valid
    groupings = set()
    for seed in range(16):
        sample = bank_card(seed)
        num = sample.fields["card_num"]
        assert luhn_valid(num) and not luhn_valid(num[:-1] + str((int(num[-1]) + 1) % 10))
        printed = next(line.text for line in sample.lines if line.text.replace(" ", "") == num)
        groups = tuple(len(g) for g in printed.split(" "))
        assert groups in ((4, 4, 4, 4), (6, 13), (4, 4, 4, 4, 3)) and sum(groups) == len(num)
        groupings.add(groups)
    assert len(groupings) == 3


def test_vins_carry_the_check_digit_where_their_region_requires_it():
    checked = unchecked = 0
    for seed in range(40):
        vin = vin_sample(seed).fields["vin"]
        assert not set(vin) & set("IOQ")
        if vin[0] in "12345L":   # North America and China (GB 16735)
            assert vin_check_digit(vin) == vin[8]
            checked += 1
        else:                    # Europe, Japan, Korea: position 9 is the maker's
            assert vin_check_digit(vin) != vin[8]
            unchecked += 1
    assert checked >= 10 and unchecked >= 5
    assert vin_sample(3).kind == "vin_document" and vin_sample(4).kind == "vin_plate"


def test_seal_pages_are_reproducible_and_their_seals_lie_on_the_picture():
    from bench.synth.distort import photographed
    from bench.synth.documents import official_seal
    a, b = official_seal(3), official_seal(3)
    assert np.array_equal(a.image, b.image) and a.seals == b.seals
    for sample in (a, official_seal(4, distortion=photographed(4))):
        h, w = sample.image.shape[:2]
        assert len(sample.seals) in range(1, 4)
        for seal in sample.seals:
            roi = seal.roi
            assert 0 <= roi["left"] and roi["left"] + roi["width"] <= w and 0 <= roi["top"] and roi["top"] + roi["height"] <= h
            assert re.fullmatch(r"[\u4e00-\u9fff]{6,24}", seal.company) and seal.company.endswith("公司")


def test_forms_keep_their_layout_and_their_template_names_every_item():
    from bench.synth.documents import blank_form, filled_form
    from ocr_core.services.template.matching import field_key, table_key
    for kind in ("receipt", "expense"):
        blank, template = blank_form(kind)
        a, b = filled_form(2, kind), filled_form(4, kind)
        assert a.template == b.template == template and a.items != b.items
        assert a.image.shape == blank.shape and len(template["anchors"]) >= 8
        names = {field_key(f["name"]) for f in template["fields"]} | {table_key(t["name"])[0] for t in template["tables"]}
        assert names == set(a.items)
        # The values are drawn inside their boxes: the blank form is white where a copy has ink.
        x, y, w, h = (int(v) for v in template["fields"][0]["box"])
        assert blank[y:y + h, x:x + w].min() > 200 and a.image[y:y + h, x:x + w].min() < 100
    assert filled_form(0).kind == "receipt" and filled_form(1).kind == "expense"
