"""The taxi invoice generator: reproducible, values in their printed forms, 1-4 receipts each
turned its own way, and every box following the ink into the final picture."""
from __future__ import annotations

import re

import numpy as np
import pytest

from bench.synth.documents import photographed_receipts, taxi_invoices
from bench.synth.documents.taxi_invoice import LABELS

FORMATS = {"发票代码": r"1\d{11}", "发票号码": r"\d{8}", "电话": r"0\d{2,3}-\d{7,8}", "车号": r"[A-Z]-[A-HJ-NP-Z0-9]{5}",
           "证号": r"\d{6}", "日期": r"20\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d)", "上车": r"([01]\d|2[0-3]):[0-5]\d",
           "下车": r"([01]\d|2[0-3]):[0-5]\d", "单价": r"\d\.\d\d元", "里程": r"\d{1,2}\.\dkm",
           "等候": r"00:[0-5]\d:[0-5]\d", "金额": r"¥\d{2,3}\.\d\d"}


def _inside(point, quad, slack: float = 1.0) -> bool:
    xs, ys = zip(*quad)
    return min(xs) - slack <= point[0] <= max(xs) + slack and min(ys) - slack <= point[1] <= max(ys) + slack


def test_the_same_seed_draws_the_same_desk():
    a, b = taxi_invoices(4, distortion=photographed_receipts(4)), taxi_invoices(4, distortion=photographed_receipts(4))
    assert np.array_equal(a.image, b.image) and a.receipts == b.receipts


@pytest.mark.parametrize("seed", range(6))
def test_values_are_printed_in_their_forms_inside_their_receipt(seed):
    sample = taxi_invoices(seed, distortion=photographed_receipts(seed) if seed % 2 else None)
    h, w = sample.image.shape[:2]
    assert len(sample.receipts) in range(1, 5) and sample.fields == {}
    for receipt in sample.receipts:
        assert [item.label for item in receipt.items] == list(LABELS)
        for item in receipt.items:
            assert re.fullmatch(FORMATS[item.label], item.txt), (item.label, item.txt)
            assert all(_inside(p, receipt.box, 3) for p in item.quad)
        assert all(-2 <= x <= w + 2 and -2 <= y <= h + 2 for x, y in receipt.box)


def test_turns_give_the_reference_rotate_type():
    sample = taxi_invoices(9, turns=(0, 90, 180, 270))
    # rotate_type: the clockwise quarter turns that bring each receipt upright.
    assert [r.rotate_type for r in sample.receipts] == [0, 3, 2, 1]
    # The first item of a receipt turned 90° clockwise reads downwards: its tl is above its tr.
    (tl, tr, _, _) = sample.receipts[1].items[0].quad
    assert tr[1] - tl[1] > abs(tr[0] - tl[0])


def test_receipts_do_not_overlap():
    sample = taxi_invoices(2, count=4)
    centres = [tuple(np.mean(r.box, axis=0)) for r in sample.receipts]
    for i, r in enumerate(sample.receipts):
        assert sum(_inside(c, r.box) for c in centres) == 1, i
