"""Model codes corrected by the brand beside them, and the vehicle types a licence prints."""
from __future__ import annotations

import pytest

from ocr_core.services.vehicle_license.models import correct_model, model_fits, vehicle_type


@pytest.mark.parametrize("read, model", [
    ("比亚迪牌BVD7152WT6HEVC", "比亚迪牌BYD7152WT6HEVC"),     # one letter misread
    ("大众汽车牌SWW7180LE1", "大众汽车牌SVW7180LE1"),
    ("大众汽车牌SVWI180LE1", "大众汽车牌SVW1180LE1"),         # the category digit read as a letter
    ("大众汽车牌SMW718LE1", "大众汽车牌SVW718LE1"),          # letters put right, the dropped digit is not
    ("丰田牌TV7250Luxury", "丰田牌TV7250Luxury"),
])
def test_code_letters_corrected_by_the_brand(read, model):
    assert correct_model(read) == model


def test_unknown_brand_or_far_letters_keep_what_was_read():
    assert correct_model("某某牌XYZ7150A") == "某某牌XYZ7150A"
    assert correct_model("比亚迪牌QRS7152A") == "比亚迪牌QRS7152A"
    # Two of the brand's codes are one slip away: neither is chosen.
    assert correct_model("本田牌DHA7201AB") == "本田牌DHA7201AB"  # GHA or DHW


def test_model_code_grammar():
    assert model_fits("别克牌SGM6521UAAA") and model_fits("丰田牌TV7250Luxury")
    assert not model_fits("比亚迪牌BYD752WTGHEVC") and not model_fits("大众汽车牌SVW718LE1")


def test_vehicle_type_from_a_reading_that_holds_one():
    assert vehicle_type("车辆美型小型轿车车") == "小型轿车"
    assert vehicle_type("小型普通客车") == "小型普通客车" and vehicle_type("重型半挂牵引车") == "重型半挂牵引车"
    assert vehicle_type("型轿车车") is None
