"""Synthetic business cards and train tickets: reproducible, truth in the reference's format
(arrays for the card, a number for the price), varied layouts, boxes on the ink."""
from __future__ import annotations

import re

import cv2
import numpy as np
import pytest

from bench.synth.documents import business_card, photographed_card, train_ticket

MAKERS = {"business_card": business_card, "train_ticket": train_ticket}
CARD_ARRAYS = ("company", "department", "title", "tel_cell", "tel_work", "addr", "email")
TICKET_FORMATS = {
    "date": r"20\d\d年(0[1-9]|1[0-2])月(0[1-9]|[12]\d|3[01])日([01]\d|2[0-3]):[0-5]\d",
    "destination": r"[\u4e00-\u9fff]{2,5}", "origin": r"[\u4e00-\u9fff]{2,5}",
    "level": r"(新空调)?(商务座|一等座|二等座|硬座|硬卧|软卧)",
    "number": r"[GDCZTK]\d{1,4}",
    "place": r"\d\d车(无座|\d\d[A-F]号|\d\d\d号|\d\d号[上中下]铺)",
}


@pytest.fixture(scope="module")
def cards() -> list:
    return [business_card(seed) for seed in range(40)]


@pytest.fixture(scope="module")
def tickets() -> list:
    return [train_ticket(seed) for seed in range(12)]


@pytest.mark.parametrize("kind", MAKERS)
def test_reproducible_by_seed(kind):
    a, b = MAKERS[kind](11), MAKERS[kind](11)
    assert a.fields == b.fields and a.boxes == b.boxes and np.array_equal(a.image, b.image)
    assert a.kind == kind and MAKERS[kind](12).fields != a.fields


def test_card_truth_is_the_reference_arrays(cards):
    truths = [card.fields for card in cards]
    for fields in truths:
        assert list(fields) == ["name", *CARD_ARRAYS]
        # An English-first card's name is the English one it prints (Xiaodong Li, LI Xiaodong).
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,3}|[A-Z][A-Za-z]+ [A-Z][a-z]+", fields["name"])
        assert all(isinstance(fields[k], list) for k in CARD_ARRAYS)
        assert all(re.fullmatch(r"1[3-9]\d{9}", n) for n in fields["tel_cell"])
        assert all(re.fullmatch(r"0\d{9,11}", n) for n in fields["tel_work"])
        assert all(re.fullmatch(r"[\w.]+@[\w.]+\.[a-z]{2,}", e) for e in fields["email"])
        assert all(re.search(r"公司|集团|控股|Co\.,? Ltd", c) for c in fields["company"])
    # Fields are left out on some cards, and some cards carry two phones or two companies.
    for name in CARD_ARRAYS:
        assert any(not f[name] for f in truths), name
    assert any(len(f["tel_cell"]) == 2 for f in truths) and any(len(f["company"]) == 2 for f in truths)
    # A few print the company's English name too, and wrap a long address over two rows.
    assert any("Co." in c for f in truths for c in f["company"])
    assert any(address != line.text and address.endswith(line.text)
               for card in cards for address in card.fields["addr"] for line in card.lines)


def test_card_layouts_vary(cards):
    """Text set left, right or centred: where the name starts moves across the card."""
    starts = {round(min(p[0] for p in card.boxes["name"]) / 100) for card in cards}
    assert len(starts) >= 3


def test_ticket_truth_is_the_reference_format(tickets):
    for fields in [ticket.fields for ticket in tickets]:
        assert list(fields) == ["date", "destination", "level", "number", "origin", "place", "price"]
        for name, pattern in TICKET_FORMATS.items():
            assert re.fullmatch(pattern, fields[name]), (name, fields[name])
        assert isinstance(fields["price"], float) and fields["price"] * 2 == int(fields["price"] * 2)
        assert fields["origin"] != fields["destination"]
        # High-speed trains sell seats by letter and class; the others by berth or number.
        if fields["number"][0] in "GDC":
            assert fields["level"] in ("商务座", "一等座", "二等座")


def test_tickets_come_blue_and_red(tickets):
    hues = set()
    for ticket in tickets:
        b, g, r = ticket.image[300, 500].astype(int)
        hues.add("blue" if b > r else "red")
    assert hues == {"blue", "red"}


@pytest.mark.parametrize("kind", MAKERS)
def test_boxes_cover_the_ink_of_each_field_through_a_photo(kind):
    for seed in (0, 3):
        sample = MAKERS[kind](seed, distortion=photographed_card(seed) if seed else None)
        grey = cv2.cvtColor(sample.image, cv2.COLOR_BGR2GRAY)
        h, w = grey.shape
        for name, value in sample.fields.items():
            if value in ([], ""):
                continue
            xs, ys = zip(*sample.boxes[name])
            assert 0 <= min(xs) < max(xs) <= w and 0 <= min(ys) < max(ys) <= h, name
            crop = grey[int(min(ys)):int(np.ceil(max(ys))), int(min(xs)):int(np.ceil(max(xs)))]
            # Ink darker than the paper around it (company names print in the accent colour too).
            assert (crop < np.percentile(crop, 90) - 50).mean() > 0.04, (kind, name)
