"""Custom templates: anchors found despite slips, the homography they give, conditions of a
template_list, and fields, joined fields, (cr) fields and tables read on generated forms."""
from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from bench.synth import photographed
from bench.synth.documents.form import blank_form, filled_form
from bench.synth.render import load_font
from ocr_core import recognize
from ocr_core.engines import PIPELINES, get_engine
from ocr_core.engines.base import TextLine
from ocr_core.errors import InvalidOption, ServiceError, TemplateNoAnchors, TemplateNoFields, TemplateNotSet
from ocr_core.services.template import DEFINITIONS, requested_ids
from ocr_core.services.template.matching import (
    Column,
    TableBox,
    anchor_candidates,
    check_condition,
    condition_holds,
    find_approx,
    map_box,
    page_homography,
    parse_template,
    quarter_turn_back,
    read_table,
)

ANCHORS = [("供应单位", (60, 150, 104, 26)), ("入库日期", (700, 150, 104, 26)), ("单据编号", (60, 216, 104, 26)),
           ("仓库名称", (700, 216, 104, 26)), ("物资入库单", (500, 50, 220, 44))]


def _template(anchors=ANCHORS) -> dict:
    return {"anchors": [{"text": t, "box": list(b)} for t, b in anchors],
            "fields": [{"name": "supplier", "box": [230, 150, 400, 40]}]}


def _lines_through(h: np.ndarray, texts: dict[str, str] | None = None) -> list[TextLine]:
    """The anchors' lines as a reader would give them on a page that is the template moved by `h`."""
    lines = []
    for text, (x, y, w, hh) in ANCHORS:
        quad = map_box(h, (x, y, w, hh))
        lines.append(TextLine((texts or {}).get(text, text), quad, 0.9))
    return lines


def test_the_homography_comes_back_from_the_anchors():
    h_true = cv2.getPerspectiveTransform(np.float32([[0, 0], [1240, 0], [1240, 980], [0, 980]]),
                                         np.float32([[80, 40], [1300, 120], [1250, 1100], [30, 1000]]))
    h = page_homography(_lines_through(h_true), parse_template(_template()))
    points = np.float32([[[100, 100], [1000, 800], [600, 400]]])
    assert np.abs(cv2.perspectiveTransform(points, h) - cv2.perspectiveTransform(points, h_true)).max() < 2.0


def test_anchors_are_found_with_ocr_slips_but_not_with_too_many():
    assert find_approx("物资人库单", "物资入库单")[2] == 1
    assert find_approx("编号:RK001单据编呈", "单据编号")[2] == 1
    assert find_approx("单拒编呈", "单据编号") is None             # two slips in four characters
    assert find_approx("数最", "数量") is None                      # none allowed in two
    assert find_approx("费用报俏羊据", "费用报销单据")[2] == 2        # two in six
    slipped = {"供应单位": "供应单仕", "仓库名称": "仓库名秫", "物资入库单": "物资人库单"}
    found = anchor_candidates(_lines_through(np.eye(3), slipped), parse_template(_template()).anchors)
    assert {i for i, _, _ in found} == {0, 1, 2, 3, 4}


def test_too_few_anchors_answers_464_with_the_reason():
    lines = _lines_through(np.eye(3), {"入库日期": "xx", "单据编号": "yy"})
    with pytest.raises(ServiceError) as caught:
        page_homography(lines, parse_template(_template()))
    assert caught.value.code == 464
    assert "found 3 of the template's 5 anchors" in caught.value.error_msg and "at least 4" in caught.value.error_msg


def test_a_definition_without_anchors_fields_or_anything():
    with pytest.raises(TemplateNotSet):
        parse_template({})
    with pytest.raises(TemplateNoAnchors):
        parse_template({"fields": [{"name": "a", "box": [0, 0, 5, 5]}]})
    with pytest.raises(TemplateNoFields):
        parse_template({"anchors": [{"text": "a", "box": [0, 0, 5, 5]}]})
    with pytest.raises(InvalidOption):
        parse_template({"anchors": [{"text": "a", "box": [0, 0, -5, 5]}], "fields": [{"name": "b", "box": [1, 1, 1, 1]}]})


def test_conditions_nest_and_fold_case():
    text = "星巴克咖啡starbucks门店"
    starbucks = {"and": [{"or": [{"include": "星巴克"}, {"include": "StarBuck"}]}, {"exclude": "Costa"}]}
    assert condition_holds(starbucks, text)
    assert not condition_holds(starbucks, text + "costa")
    assert not condition_holds({"include": "costa"}, text)
    assert condition_holds({"or": [{"include": "costa"}, {"and": [{"exclude": "瑞幸"}, {"include": "门店"}]}]}, text)
    assert condition_holds(None, text)


@pytest.mark.parametrize("cond", [
    5, {"contains": "x"}, {"include": 5}, {"and": {"include": "x"}}, {"or": [5]},
    {"include": "x", "exclude": "y"}, {"or": [{"include": "a"}, {"bad": "b"}]},
    json.loads('{"and": [' * 9 + '{"include": "x"}' + ']}' * 9),
])
def test_a_malformed_cond_is_refused_before_any_page_is_read(cond):
    with pytest.raises(InvalidOption):
        check_condition(cond)
    # Even behind an entry that would match first.
    with pytest.raises(InvalidOption):
        requested_ids({"template_list": [{"template_id": "a"}, {"template_id": "b", "cond": cond}]})


@pytest.mark.parametrize("box", [[1e308, 0, 5, 5], [0, 0, float("inf"), 5], [0, float("nan"), 5, 5]])
def test_a_box_outside_any_page_is_refused(box):
    with pytest.raises(InvalidOption):
        parse_template({"anchors": [{"text": "a", "box": box}], "fields": [{"name": "b", "box": [1, 1, 1, 1]}]})


def _configure(*kinds: str) -> dict:
    return {"template_list": [{"template_id": k, "cond": {"include": blank_form(k)[1]["name"]}} for k in kinds],
            DEFINITIONS: {k: blank_form(k)[1] for k in kinds}}


def test_no_cond_holding_answers_463():
    sample = filled_form(5, "receipt")
    configure = {"template_list": [{"template_id": "receipt", "cond": {"include": "增值税专用发票"}},
                                   {"template_id": "expense", "cond": {"exclude": "物资入库单"}}],
                 DEFINITIONS: {k: blank_form(k)[1] for k in ("receipt", "expense")}}
    with pytest.raises(ServiceError) as caught:
        recognize("ocr_template", sample.encode("png"), configure)
    assert caught.value.code == 463 and "no template's cond holds" in caught.value.error_msg


def test_a_receipt_reads_its_fields_cr_field_and_ruled_table():
    sample = filled_form(4, "receipt", distortion=photographed(4))
    answer = recognize("ocr_template", sample.encode("jpg"), {**_configure("expense", "receipt"), "evidence": True})
    assert answer["config_str"] == '{"template_id": "receipt"}'
    assert answer["items"] == sample.items
    assert len(sample.items["remark"]) > 20                     # the (cr) field's two lines, joined
    assert answer["evidence"]["supplier"]["prob"] > 0.5 and len(answer["evidence"]["items"]["box"]) == 4


def test_an_expense_claim_joins_its_date_and_reads_an_hl_table():
    sample = filled_form(5, "expense")
    answer = recognize("ocr_template", sample.encode("png"), _configure("receipt", "expense"))
    assert answer["config_str"] == '{"template_id": "expense"}'
    assert answer["items"]["date"] == sample.items["date"] and len(sample.items["date"]) == 8  # three boxes
    assert answer["items"] == sample.items


@pytest.mark.parametrize("mode", ["nl", "vl"])
def test_a_table_without_horizontal_rules_reads_rows_from_its_text_lines(mode):
    rows = [["差旅费", "356.00"], ["会议费", "1200.50"], ["餐费", "88.80"]]
    picture = Image.new("RGB", (700, 260), "white")
    draw = ImageDraw.Draw(picture)
    if mode == "vl":
        for x in (2, 350, 697):
            draw.line([(x, 0), (x, 259)], fill=(30, 30, 30), width=2)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            draw.text((20 + 350 * c, 30 + 70 * r), text, font=load_font("sans", 30), fill=(20, 20, 20))
    table = TableBox(f"fees({mode})", (0, 0, 700, 260), (Column("item", 0, 350), Column("amount", 350, 700)))
    labels, values, _ = read_table(np.asarray(picture), table, 1.0, 30, get_engine(PIPELINES["mixed"].reader))
    assert table.key == "fees" and table.mode == mode
    assert labels == ["item", "amount"] and values == rows


def test_a_quarter_turn_maps_back_to_the_picture():
    picture = np.zeros((50, 80), np.uint8)
    picture[10, 70] = 255
    for turns in (1, 2, 3):
        y, x = np.argwhere(np.rot90(picture, turns))[0]
        assert (quarter_turn_back(turns, picture.shape) @ [x, y, 1])[:2].tolist() == [70, 10]
