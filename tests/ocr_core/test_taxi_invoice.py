"""ocr_taxi_invoice on generated desks of taxi receipts: every receipt found, turned upright and
read, each value in its own receipt's roi, and 463 for a picture with no taxi invoice."""
from __future__ import annotations

import pytest

import ocr_core
from bench.synth import text_page
from bench.synth.documents import photographed_receipts, taxi_invoices
from ocr_core.errors import WrongCategory
from ocr_core.finders.sheets import find_sheets


def recognize(sample, **configure) -> dict:
    return ocr_core.recognize("ocr_taxi_invoice", sample.encode("jpg" if sample.distortion.jpeg_quality else "png"),
                              configure)


def _inside(point: tuple[float, float], roi: dict) -> bool:
    return roi["x"] <= point[0] <= roi["x"] + roi["w"] and roi["y"] <= point[1] <= roi["y"] + roi["h"]


def _centre(quad) -> tuple[float, float]:
    return sum(p[0] for p in quad) / 4, sum(p[1] for p in quad) / 4


@pytest.fixture(scope="module")
def desk():
    """Three receipts, upright, upside down and turned a quarter clockwise, photographed."""
    sample = taxi_invoices(21, distortion=photographed_receipts(21), turns=(0, 180, 90))
    return sample, recognize(sample, evidence=True)


def test_each_receipt_is_found_with_its_own_values(desk):
    sample, answer = desk
    assert answer["success"] is True and len(answer["recipts"]) == len(sample.receipts) == 3
    for truth in sample.receipts:
        receipt = next(r for r in answer["recipts"] if _inside(_centre(truth.box), r["roi"]))
        assert [item["txt"] for item in receipt["items"]] == [item.txt for item in truth.items]
        # Every value's box lies in its own receipt, on the value printed there.
        for item, true_item in zip(receipt["items"], truth.items):
            centre = (item["roi"]["center"]["x"], item["roi"]["center"]["y"])
            assert _inside(centre, receipt["roi"])
            xs, ys = zip(*true_item.quad)
            assert min(xs) - 5 <= centre[0] <= max(xs) + 5 and min(ys) - 5 <= centre[1] <= max(ys) + 5


def test_rotate_type_says_how_to_turn_each_receipt_upright(desk):
    sample, answer = desk
    by_truth = [next(r for r in answer["recipts"] if _inside(_centre(t.box), r["roi"])) for t in sample.receipts]
    # Upright: 0; upside down: turn 180 (2); turned a quarter clockwise: turn 270 clockwise (3).
    assert [r["rotate_type"] for r in by_truth] == [t.rotate_type for t in sample.receipts] == [0, 2, 3]
    turned = by_truth[2]["items"][0]["roi"]
    assert abs(abs(turned["angle"]) - 90) < 12 and turned["size"]["w"] > turned["size"]["h"]


def test_evidence_for_every_item(desk):
    _, answer = desk
    keys = {f"recipts.{n}.items.{k}" for n, r in enumerate(answer["recipts"]) for k in range(len(r["items"]))}
    assert set(answer["evidence"]) == keys
    for item in answer["evidence"].values():
        assert len(item["box"]) == 4 and 0 < item["prob"] <= 1 and item["valid"] is True
    assert isinstance(answer["warnings"], list)


def test_one_flat_receipt():
    sample = taxi_invoices(3, count=1)
    answer = recognize(sample)
    assert set(answer) == {"recipts", "success"}
    (receipt,) = answer["recipts"]
    assert set(receipt) == {"items", "roi", "rotate_type"} and set(receipt["roi"]) == {"h", "w", "x", "y"}
    assert [item["txt"] for item in receipt["items"]] == [item.txt for item in sample.receipts[0].items]
    assert set(receipt["items"][0]["roi"]) == {"angle", "center", "size"}


def test_sheets_are_found_apart_without_reading():
    sample = taxi_invoices(7, count=4)
    sheets = find_sheets(sample.image)
    assert len(sheets) == 4
    for truth in sample.receipts:
        assert sum(sheet.contains(_centre(truth.box)) for sheet in sheets) == 1


def test_a_page_of_text_is_the_wrong_category():
    with pytest.raises(WrongCategory):
        recognize(text_page(5))
