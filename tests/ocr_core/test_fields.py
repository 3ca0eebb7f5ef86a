"""Label-based extraction: values found after their labels however the layout splits or merges lines."""
import pytest

from ocr_core.engines.base import TextLine
from ocr_core.geometry import Quad
from ocr_core.steps.extract import address_value, extract_fields, find_labels, place_labels

ID_FACE = ["姓名", "性别", "民族", "出生", "住址", "公民身份号码"]


def lines(*texts: str) -> list[TextLine]:
    return [TextLine(t, Quad.from_box(0, 40 * i, 300, 40 * i + 30), 0.9 - 0.01 * i) for i, t in enumerate(texts)]


def values(found) -> dict[str, str]:
    return {k: v.text for k, v in found.items()}


def test_values_on_the_label_lines():
    page = lines("姓名张伟", "性别男民族汉", "出生1990年3月7日", "住址浙江省杭州市西湖区", "文三路90号", "公民身份号码330106199003071234")
    assert values(extract_fields(page, ID_FACE, max_lines={"住址": 3})) == {
        "姓名": "张伟", "性别": "男", "民族": "汉", "出生": "1990年3月7日",
        "住址": "浙江省杭州市西湖区文三路90号", "公民身份号码": "330106199003071234"}


def test_values_on_their_own_lines_and_labels_with_a_slip():
    # Labels and values found as separate lines (a wider gap on this card), one label misread.
    page = lines("姓名", "李娜", "性别", "女", "民族", "回", "出生", "1985年12月1日", "住址", "北京市海淀区中关村大街1号",
                 "公民身价号码", "110108198512010028")
    found = values(extract_fields(page, ID_FACE, max_lines={"住址": 3}))
    assert found["姓名"] == "李娜" and found["民族"] == "回" and found["住址"] == "北京市海淀区中关村大街1号"
    assert found["公民身份号码"] == "110108198512010028"


def test_a_wrapped_value_stops_at_the_next_label():
    page = lines("住址上海市浦东新区", "世纪大道100号", "公民身份号码310115198001010011")
    found = extract_fields(page, ID_FACE, max_lines={"住址": 3})
    assert found["住址"].text == "上海市浦东新区世纪大道100号"
    assert len(found["住址"].quads) == 2 and found["住址"].prob == 0.89


def test_missing_labels_are_left_out():
    assert extract_fields(lines("中国建设银行", "6222 0000 1111 2222"), ID_FACE) == {}


def test_a_longer_label_wins_its_text():
    hits = find_labels(lines("出生地点北京", "出生日期19900101"), ["出生", "出生地点"])
    assert [(h.label, h.line) for h in hits] == [("出生地点", 0), ("出生", 1)]


def test_a_label_with_letters_of_its_english_twin_between_its_characters():
    found = extract_fields(lines("住d址s河南省郑州市金水区天目山东路165号", "使用性质非营运"), ["住址", "使用性质"])
    assert found["住址"].text == "s河南省郑州市金水区天目山东路165号"
    assert address_value(found["住址"].text) == "河南省郑州市金水区天目山东路165号"


def test_a_placed_label_has_the_box_of_its_own_characters():
    # A digit is about half as wide as a Chinese character: 12姓名 is 0.55 + 0.55 + 1 + 1 wide.
    page = [TextLine("户口簿", Quad.from_box(0, 0, 300, 100), 0.9),
            TextLine("12姓名张伟", Quad.from_box(0, 200, 510, 300), 0.9)]
    (label,) = place_labels(page, ["姓名"])
    assert (label.label, label.line, label.start, label.end) == ("姓名", 1, 2, 4)
    assert label.box == pytest.approx((110, 200, 310, 300))
    assert label.height == pytest.approx(100) and label.middle == pytest.approx(250)


@pytest.mark.parametrize("raw, address", [
    ("S江苏省苏州市相城区科技北路931号", "江苏省苏州市相城区科技北路931号"),
    ("Address住址河北省石家庄市桥西区中山南路94号B座2510室", "河北省石家庄市桥西区中山南路94号B座2510室"),
    ("A址重庆市南岸区科技街311号7幢1302室", "重庆市南岸区科技街311号7幢1302室"),
    ("北京市海淀区中关村大街1号Address", "北京市海淀区中关村大街1号"),
])
def test_address_value_keeps_building_letters_and_drops_label_leftovers(raw, address):
    assert address_value(raw) == address
