"""ocr_train_ticket: stations either side of the train number, date in the reference's form,
price as a number, on generated blue and red tickets, flat and photographed."""
from __future__ import annotations

import pytest

import ocr_core
from bench.synth.documents import business_card, photographed_card, train_ticket
from ocr_core.engines.base import TextLine
from ocr_core.errors import WrongCategory
from ocr_core.geometry import Quad
from ocr_core.services.train_ticket import DATE, LEVEL, PLACE, PRICE, TRAIN_NUMBER, _date, _stations, syllables


def recognize(sample, **configure) -> dict:
    return ocr_core.recognize("ocr_train_ticket", sample.encode("jpg" if sample.distortion.jpeg_quality else "png"),
                              configure)


def test_forms_of_the_ticket():
    assert _date(DATE.search("2013年10月7日10:43开")) == "2013年10月07日10:43"
    assert [m.group(0) for m in map(TRAIN_NUMBER.search, ("G7512", "K970次", "Z58C240751", "H496602"))
            if m] == ["G7512", "K970"]
    assert PLACE.search("16车无座").group(0) == "16车无座" and PLACE.search("05车12A号").group(0) == "05车12A号"
    assert PLACE.search("12车08号下铺").group(0) == "12车08号下铺"
    assert LEVEL.search("新空调硬座").group(0) == "新空调硬座" and LEVEL.search("二等座").group(0) == "二等座"
    # A serial starting with Y (a misread ¥) is not a price; ¥14.5元 is.
    assert PRICE.search("Y58C240751") is None and PRICE.search("¥14.5元").group(1) == "14.5"


def test_stations_of_a_row_read_whole_or_in_pieces():
    whole = [TextLine("杭州东站G7512上海虹桥站", Quad.from_box(50, 100, 900, 150), 0.99)]
    assert _stations(whole, [whole[0].text], (0, TRAIN_NUMBER.search(whole[0].text))) == ((0, "杭州东"), (0, "上海虹桥"))
    pieces = [TextLine("E048329", Quad.from_box(50, 20, 250, 50), 0.99),
              TextLine("潍坊站", Quad.from_box(50, 100, 250, 160), 0.99),
              TextLine("K970", Quad.from_box(420, 95, 560, 140), 0.99),
              TextLine("高密站", Quad.from_box(700, 100, 900, 160), 0.99)]
    texts = [line.text for line in pieces]
    assert _stations(pieces, texts, (2, TRAIN_NUMBER.search("K970"))) == ((1, "潍坊"), (3, "高密"))


def test_the_pinyin_under_a_station_counts_its_characters():
    assert [syllables(p) for p in ("Shanghaihongqiao", "Xi'anbei", "Haerbinxi", "Gaomi", "G7512")] == [4, 3, 4, 2, None]
    # 站 read as 关 after the name: the pinyin under it has three syllables, so three characters.
    lines = [TextLine("贵阳北关", Quad.from_box(50, 100, 250, 160), 0.99),
             TextLine("G6739", Quad.from_box(420, 95, 560, 140), 0.99),
             TextLine("大连北站", Quad.from_box(700, 100, 900, 160), 0.99),
             TextLine("Guiyangbei", Quad.from_box(50, 170, 200, 190), 0.99),
             TextLine("Dalianbei", Quad.from_box(760, 170, 900, 190), 0.99)]
    texts = [line.text for line in lines]
    assert _stations(lines, texts, (1, TRAIN_NUMBER.search("G6739"))) == ((0, "贵阳北"), (2, "大连北"))


@pytest.mark.parametrize("seed", [2, 3])
def test_ticket_fields_flat_and_photographed(seed):
    sample = train_ticket(seed, distortion=photographed_card(seed) if seed % 2 else None)
    answer = recognize(sample)
    assert {k: answer[k] for k in sample.fields} == sample.fields
    assert isinstance(answer["price"], float) and answer["success"] is True and "config_str" not in answer


def test_evidence_boxes_every_field():
    sample = train_ticket(7)
    answer = recognize(sample, evidence=True)
    assert {k: answer[k] for k in sample.fields} == sample.fields
    assert set(answer["evidence"]) == set(sample.fields)
    for name, item in answer["evidence"].items():
        xs, ys = zip(*sample.boxes[name])
        cx = sum(p[0] for p in item["box"]) / 4
        cy = sum(p[1] for p in item["box"]) / 4
        assert min(ys) - 10 <= cy <= max(ys) + 10, name    # the line the value was read from
        assert item["prob"] > 0.5 and cx > 0
    assert answer["evidence"]["number"]["valid"] is True


def test_a_business_card_is_the_wrong_category():
    with pytest.raises(WrongCategory):
        recognize(business_card(4))
