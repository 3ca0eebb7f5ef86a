"""ocr_business_license: fields by their labels wherever the layout puts them, the term's
normalisation, the boxes of the emblem, title, seal and QR code (and FailInDetection where one
is missing), and 463 for another document."""
from __future__ import annotations

import pytest

import ocr_core
from bench.accuracy import ltwh_box, overlap, quad_box
from bench.synth.documents import business_license, id_card, photographed_card
from bench.synth.documents.business_license import layout_family
from ocr_core.engines.base import TextLine
from ocr_core.errors import WrongCategory
from ocr_core.geometry import Quad
from ocr_core.services.business_license import _join_spread_labels, _labels, _period_end, _value
from ocr_core.steps.extract import Field

BOXES = ("elbem", "title", "stamp", "qrcode")


def recognize(sample, **configure) -> dict:
    return ocr_core.recognize("ocr_business_license",
                              sample.encode("jpg" if sample.distortion.jpeg_quality else "png"), configure)


def line(text: str, left: float, top: float, size: float = 20.0) -> TextLine:
    return TextLine(text, Quad.from_box(left, top, left + size * len(text), top + size), 0.99)


@pytest.mark.parametrize("dx, dy, gap", [(0, 0, 150), (-90, 40, 110), (120, -30, 220)])
def test_values_follow_their_labels_wherever_the_columns_stand(dx, dy, gap):
    """Two columns, labels and values shifted and spaced differently: the scope wraps in its
    column without taking the address beside it, and the address wraps in its own."""
    right = 800 + dx
    lines = [
        line("名称", 100 + dx, 400 + dy), line("杭州瑞达科技有限公司", 100 + dx + gap, 400 + dy),
        line("注册资本", right, 400 + dy), line("伍佰万元整", right + gap, 400 + dy),
        line("经营范围", 100 + dx, 460 + dy), line("技术服务；技术咨询；软件开发；", 100 + dx + gap, 460 + dy),
        line("住所", right, 460 + dy), line("杭州市西湖区文三路90号科技大厦", right + gap, 460 + dy),
        line("数据处理。", 100 + dx + gap, 490 + dy), line("12层1205室", right + gap, 490 + dy),
        line("登记机关", right, 700 + dy),
    ]
    labels = _labels(lines)
    value = {label.label: _value(lines, labels, label, 2000) for label in labels}
    assert value["名称"].text == "杭州瑞达科技有限公司"
    assert value["注册资本"].text == "伍佰万元整"
    assert value["经营范围"].text == "技术服务；技术咨询；软件开发；数据处理。"
    assert value["住所"].text == "杭州市西湖区文三路90号科技大厦12层1205室"
    assert len(value["住所"].quads) == 2


def test_a_label_one_slip_away_inside_a_value_is_no_label():
    # 投资或 in the company type is one character from 投资人: not a person's label.
    lines = [line("类型", 100, 100), line("有限责任公司（自然人投资或控股）", 250, 100), line("法定代表人", 100, 160),
             line("张三", 250, 160)]
    labels = [label.label for label in _labels(lines)]
    assert labels == ["类型", "法定代表人"]


@pytest.mark.parametrize("text, labelled, end", [
    ("2014年04月16日至2034年04月15日", True, "20340415"),
    ("2014年04月16日 至 长期", True, "29991231"),
    ("长期", True, "29991231"),
    (None, False, "29991231"),        # no term printed: the reference answers 长期
    ("2014年04月16日至", True, None),  # printed but unread: FailInRecognition
])
def test_the_term_ends_on_its_last_day_or_29991231(text, labelled, end):
    field = Field(text, (Quad.from_box(0, 0, 10, 10),), 1.0) if text else None
    assert _period_end(field, labelled) == end


@pytest.mark.parametrize("seed, photographed", [(4, False), (3, True)])
def test_fields_and_boxes_of_a_licence(seed, photographed):
    sample = business_license(seed, distortion=photographed_card(seed) if photographed else None)
    answer = recognize(sample, evidence=True)
    assert {k: answer[k] for k in sample.fields} == sample.fields
    assert answer["angle"] == sample.distortion.rotate and answer["success"] is True
    for name in BOXES:
        assert set(answer[name]) == {"top", "left", "height", "width"}
        assert overlap(ltwh_box(answer[name]), quad_box(sample.boxes[name])) > 0.6, name
    assert answer["evidence"]["reg_num"]["valid"] is True and len(answer["evidence"]["name"]["box"]) == 4
    assert answer["evidence"]["business"]["engine"] and isinstance(answer["warnings"], list)


def test_no_seal_and_no_qr_code_are_not_detected():
    sample = business_license(6, seal=False, qrcode=False)
    answer = recognize(sample)
    assert answer["stamp"] == answer["qrcode"] == "FailInDetection"
    assert isinstance(answer["elbem"], dict) and isinstance(answer["title"], dict)
    assert answer["reg_num"] == sample.fields["reg_num"]


def test_an_id_card_is_the_wrong_category():
    with pytest.raises(WrongCategory):
        ocr_core.recognize("ocr_business_license", id_card(3, "face").encode("png"), {})


def test_a_label_spread_wide_is_read_as_one():
    # 名　　称 and 住　　所 as printed: the line finder cuts each at its gap.
    lines = [line("名", 100, 400), line("称", 180, 400), line("杭州瑞达科技有限公司", 300, 400),
             line("住", 100, 460), line("所浙江省杭州市西湖区文三路", 180, 460), line("90号", 200, 490)]
    labels = _labels(_join_spread_labels(lines))
    joined = _join_spread_labels(lines)
    value = {label.label: _value(joined, labels, label, 2000) for label in labels}
    assert value["名称"].text == "杭州瑞达科技有限公司"
    assert value["住所"].text == "浙江省杭州市西湖区文三路90号"


@pytest.mark.parametrize("seed", [1, 11, 15])
def test_seal_over_a_label_and_its_value(seed):
    # The generator's families of the seal over 住所 and the address's first line (1, 11) and
    # over the person (15): on today's code the address or the person came back
    # FailInRecognition before the red ink was taken out.
    sample = business_license(seed)
    assert layout_family(seed)[0] != "authority"
    answer = recognize(sample)
    assert {k: answer[k] for k in sample.fields} == sample.fields
    # The seal is still located, in the picture sent.
    assert overlap(ltwh_box(answer["stamp"]), quad_box(sample.boxes["stamp"])) > 0.6


def test_a_label_with_one_character_lost_is_still_found():
    # 法定代表人 read 法定代人 under the seal: its value is still the person.
    lines = [line("名称", 100, 400), line("杭州瑞达科技有限公司", 300, 400),
             line("法定代人", 100, 460), line("王小明", 300, 460)]
    labels = _labels(lines)
    assert "法定代表人" in {label.label for label in labels}
    person = next(label for label in labels if label.label == "法定代表人")
    assert _value(lines, labels, person, 2000).text == "王小明"
