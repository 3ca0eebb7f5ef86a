"""ocr_business_card: lines placed by what they say (phones, e-mail, address, company, department,
title, name), absent fields as empty arrays, and whole generated cards, flat and photographed."""
from __future__ import annotations

import pytest

import ocr_core
from bench.synth.documents import business_card, id_card, photographed_card, train_ticket
from ocr_core.engines.base import TextLine
from ocr_core.errors import WrongCategory
from ocr_core.geometry import Quad
from ocr_core.services.business_card.contact_lines import (
    ContactItem,
    classify_lines,
    classify_segment,
    emails,
    phone_numbers,
    pick_name,
    segments,
)


def recognize(sample, **configure) -> dict:
    return ocr_core.recognize("ocr_business_card", sample.encode("jpg" if sample.distortion.jpeg_quality else "png"),
                              configure)


@pytest.mark.parametrize("text, phones", [
    ("手机：138 1234 5678", [("tel_cell", "13812345678")]),
    ("Mobile: +86 159-1234-5678", [("tel_cell", "15912345678")]),
    ("电话：0571-85212345", [("tel_work", "057185212345")]),
    ("Tel: 010-62345678  Fax: 010-62345679", [("tel_work", "01062345678")]),
    ("T：021-54321234 F：021-54321235", [("tel_work", "02154321234")]),
    ("传真：0755-26543210", []),
    ("M：13969205381 T：0571-85212345", [("tel_cell", "13969205381"), ("tel_work", "057185212345")]),
    ("邮编：310012", []),
    ("400-820-8820", [("tel_work", "4008208820")]),
])
def test_phone_numbers_by_their_form_and_fax_left_out(text, phones):
    assert phone_numbers(text) == phones


def test_emails_lose_a_label_run_into_them():
    assert emails("E-mail: li.xiaodong@163.com") == ["li.xiaodong@163.com"]
    assert emails("Emailwang12@example.com.cn") == ["wang12@example.com.cn"]
    assert emails("邮箱：569877665@qq.com") == ["569877665@qq.com"]
    assert emails("www.example.com") == []
    assert emails("Iqiu@163.com") == ["lqiu@163.com"] and emails("Li.Wei@163.com") == ["Li.Wei@163.com"]


@pytest.mark.parametrize("text, found", [
    ("地址：浙江省杭州市西湖区文一西路969号", [("addr", "浙江省杭州市西湖区文一西路969号")]),
    ("上海市浦东新区世纪大道88号金茂大厦12层", [("addr", "上海市浦东新区世纪大道88号金茂大厦12层")]),
    ("阿里巴巴（中国）有限公司", [("company", "阿里巴巴（中国）有限公司")]),
    ("正和集团", [("company", "正和集团")]),
    ("市场部", [("department", "市场部")]),
    ("华东事业部", [("department", "华东事业部")]),
    ("研发中心", [("department", "研发中心")]),
    ("高级工程师", [("title", "高级工程师")]),
    ("CEO", [("title", "CEO")]),
    ("余国凯总经理", [("title", "总经理"), ("name", "余国凯")]),
    ("销售经理李伟", [("title", "销售经理"), ("name", "李伟")]),
    ("张三", [("name", "张三")]),
    ("Dong Yanying", []),
    ("www.hx46.com", []),
])
def test_each_kind_of_line(text, found):
    assert [item for part in segments(text) for item in classify_segment(part)] == found


def test_segments_split_at_bars_and_gaps_but_keep_a_spaced_name():
    assert segments("市场部 | 销售经理") == ["市场部", "销售经理"]
    assert segments("王伟  技术总监") == ["王伟", "技术总监"]
    assert segments("张 伟") == ["张伟"]


def _line(text: str, top: float, height: float) -> TextLine:
    return TextLine(text, Quad.from_box(10, top, 10 + 30 * len(text), top + height), 0.99)


def test_the_name_is_the_surname_line_in_the_largest_type():
    lines = [_line("华信科技", 10, 40), _line("诚信为本", 60, 30), _line("李晓东", 100, 60),
             _line("王伟", 170, 25), _line("手机：13812345678", 200, 20)]
    items = classify_lines(lines)
    name = pick_name(items, [30, 30, 60, 25, 20])
    assert name == ContactItem("name", "李晓东", 2)
    assert ContactItem("tel_cell", "13812345678", 4) in items


@pytest.mark.parametrize("seed", [2, 5])
def test_card_fields_flat_and_photographed(seed):
    sample = business_card(seed, distortion=photographed_card(seed) if seed % 2 else None)
    answer = recognize(sample)
    assert {k: answer[k] for k in sample.fields} == sample.fields
    assert answer["success"] is True and "config_str" not in answer


def test_absent_fields_are_empty_arrays_and_evidence_boxes_each_field():
    sample = business_card(3)   # no work phone, no e-mail
    assert sample.fields["tel_work"] == [] and sample.fields["email"] == []
    answer = recognize(sample, evidence=True)
    assert {k: answer[k] for k in sample.fields} == sample.fields
    evidence = answer["evidence"]
    assert set(evidence) == set(sample.fields)
    assert evidence["tel_work"]["box"] is None and evidence["email"]["box"] is None
    assert len(evidence["name"]["box"]) == 4 and evidence["tel_cell"]["valid"] is True
    xs, ys = zip(*sample.boxes["name"])
    x, y = evidence["name"]["box"][0]
    assert min(xs) - 20 <= x <= max(xs) and min(ys) - 20 <= y <= max(ys)


def test_an_identity_card_or_a_train_ticket_is_the_wrong_category():
    with pytest.raises(WrongCategory):
        recognize(id_card(3))
    with pytest.raises(WrongCategory):
        recognize(train_ticket(3))


def test_a_name_spaced_into_lone_characters_is_joined():
    lines = [_line("重庆康华企业管理咨询有限公司", 10, 35), TextLine("丁", Quad.from_box(400, 80, 460, 140), 0.99),
             TextLine("婷", Quad.from_box(530, 78, 592, 140), 0.99), _line("客户经理", 160, 30)]
    items = classify_lines(lines)
    assert pick_name(items, [35, 60, 62, 30]) == ContactItem("name", "丁婷", 1)


def test_an_address_that_wraps_is_one_address():
    lines = [_line("地址：浙江省杭州市西湖区文三路90号", 100, 25), _line("科技大厦12层1205室", 130, 25),
             _line("www.ruida.com", 160, 25)]
    assert [(i.kind, i.text) for i in classify_lines(lines)] == [("addr", "浙江省杭州市西湖区文三路90号科技大厦12层1205室")]
    # The next row of a card is not a continuation when it is an address of its own or is far below.
    apart = [_line("地址：杭州市西湖区文三路90号", 100, 25), _line("上海市静安区南京西路1号", 130, 25),
             _line("1205室", 300, 25)]
    assert [i.text for i in classify_lines(apart)] == ["杭州市西湖区文三路90号", "上海市静安区南京西路1号"]
