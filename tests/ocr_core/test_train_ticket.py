"""ocr_train_ticket: stations either side of the train number, date in the reference's form,
price as a number, on generated blue and red tickets, flat and photographed, with and without
the 中国铁路 background pattern."""
from __future__ import annotations

import importlib

import numpy as np
import pytest

import ocr_core
from bench.synth.documents import business_card, photographed_card, train_ticket
from bench.synth.fonts import typeface, typeface_named
from ocr_core.engines.base import TextLine
from ocr_core.errors import WrongCategory
from ocr_core.geometry import Quad
from ocr_core.services.train_ticket import (
    DATE,
    LEVEL,
    PLACE,
    PRICE,
    TRAIN_NUMBER,
    _date,
    _stations,
    _train_number,
    pattern_word,
    syllables,
    without_pale_print,
    without_pattern,
)


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


# The generator's module (the package's name train_ticket is its function).
ticket_module = importlib.import_module("bench.synth.documents.train_ticket")
# Seen seeds whose tickets are printed over the pattern: blue (6, 12) and red (7, 9).
PATTERNED = {"blue": (6, 12), "red": (7, 9)}


def _ground_colour(image: np.ndarray) -> str:
    b, _, r = image[5:40, 400:600].reshape(-1, 3).mean(axis=0)
    return "blue" if b > r else "red"


def test_the_pattern_is_drawn_on_both_colours_and_leaves_the_fields_as_they_were(monkeypatch):
    for colour, seeds in PATTERNED.items():
        for seed in seeds:
            patterned = train_ticket(seed)
            assert _ground_colour(patterned.image) == colour
            monkeypatch.setattr(ticket_module, "PATTERN_SHARE", 0.0)
            plain = ticket_module.train_ticket(seed)
            monkeypatch.undo()
            assert plain.fields == patterned.fields and [l.text for l in plain.lines] == [l.text for l in patterned.lines]
            # The pattern's print: many pixels of the ground changed, and no line of truth names it.
            changed = np.abs(plain.image.astype(int) - patterned.image.astype(int)).max(axis=2) > 20
            assert changed.mean() > 0.02, seed
            assert not any("中国铁路" in line.text for line in patterned.lines)


def test_the_word_printed_over_and_over_is_found_and_taken_out():
    texts = ["中国铁路", "国铁路", "中国铁路中国铁路", "南京南站中国铁路", "路中国Z87F253159", "中", "铁路",
             "中山站", "G9139", "铁岭站", "中国铁路", "2015年03月28日07:05开"]
    assert pattern_word(texts) == "中国铁路"
    assert without_pattern(texts, "中国铁路") == ["", "", "", "南京南站", "Z87F253159", "", "",
                                               "中山站", "G9139", "铁岭站", "", "2015年03月28日07:05开"]
    # A ticket without a pattern: its station, printed three times, is no pattern.
    plain = ["北京南站", "G101", "上海虹桥站", "北京南售", "123456789012 北京南售", "2020年01月01日08:00开"]
    assert pattern_word(plain) is None and without_pattern(plain, None) == plain


def test_a_pattern_word_on_the_station_row_is_no_station():
    lines = [TextLine("潍坊站", Quad.from_box(50, 100, 250, 160), 0.99),
             TextLine("中国铁", Quad.from_box(280, 110, 370, 135), 0.99),      # smaller type, nearer the number
             TextLine("K970", Quad.from_box(420, 95, 560, 140), 0.99),
             TextLine("国铁路", Quad.from_box(600, 110, 690, 135), 0.99),
             TextLine("高密", Quad.from_box(700, 100, 860, 160), 0.99),        # its 站 read apart
             TextLine("站", Quad.from_box(870, 120, 900, 150), 0.99),
             TextLine("2015年03月28日07:05开", Quad.from_box(50, 300, 500, 330), 0.99),
             TextLine("03车07A号", Quad.from_box(700, 300, 880, 330), 0.99),
             TextLine("¥464.0元", Quad.from_box(50, 350, 250, 380), 0.99)]
    texts = [line.text for line in lines]
    assert _stations(lines, texts, (2, TRAIN_NUMBER.search("K970"))) == ((0, "潍坊"), (4, "高密"))
    # A pattern character read before a name and its 站 is cut by the pinyin under it.
    lines[0] = TextLine("路潍坊站", Quad.from_box(20, 100, 250, 160), 0.99)
    lines.append(TextLine("Weifang", Quad.from_box(50, 170, 200, 190), 0.99))
    texts = [line.text for line in lines]
    assert _stations(lines, texts, (2, TRAIN_NUMBER.search("K970")), "中国铁路")[0] == (0, "潍坊")


def test_pale_print_is_lifted_to_its_ground_and_ink_and_the_desk_stay():
    image = np.full((300, 400, 3), (245, 225, 200), np.uint8)     # a blue ticket (BGR)
    image[:, :60] = (40, 60, 70)                                   # a dark desk beside it
    image[50:60, 100:300] = (30, 30, 30)                           # a black stroke
    image[150:160, 100:300] = (210, 175, 140)                      # a pale blue one (the pattern)
    image[220:230, 100:300] = (215, 215, 215)                      # a pale grey one
    lifted = without_pale_print(image)
    clean = lifted[..., 0].astype(int)
    assert clean[55, 200] < 60
    assert clean[155, 200] > 235 and clean[225, 200] > 235
    assert clean[150, 30] < 90                                      # the desk is not lifted to the ticket
    # The ticket keeps its colour, by which the page is told from the desk.
    assert np.abs(lifted[155, 200].astype(int) - (245, 225, 200)).max() <= 8


def test_the_train_number_is_the_one_in_the_largest_type():
    lines = [TextLine("S51", Quad.from_box(70, 50, 135, 78), 0.99),        # what is left of a pale red serial
             TextLine("贵阳北站", Quad.from_box(96, 150, 307, 205), 0.99),
             TextLine("G1883", Quad.from_box(409, 143, 563, 183), 0.99),
             TextLine("深圳北站", Quad.from_box(695, 150, 907, 205), 0.99)]
    index, match = _train_number(lines, [line.text for line in lines])
    assert (index, match.group(0)) == (2, "G1883")
    assert _train_number(lines[1:2], ["贵阳北站"]) is None


@pytest.mark.parametrize("seed, photographed, face", [(6, False, None), (7, True, None), (9, False, "AR PL UKai"),
                                                      (12, True, "WenQuanYi Zen Hei")])
def test_patterned_tickets_answer_every_field(seed, photographed, face):
    with typeface(typeface_named(face) if face else None):
        sample = train_ticket(seed, distortion=photographed_card(seed) if photographed else None)
    answer = recognize(sample)
    assert {k: answer[k] for k in sample.fields} == sample.fields
