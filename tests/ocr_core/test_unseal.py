"""steps/unseal.py: a translucent red seal over black print is taken out, the print under it kept, a desk's red streaks left alone."""
from __future__ import annotations

import cv2
import numpy as np

from ocr_core.finders.seals import red_mask
from ocr_core.steps.unseal import without_red_ink

PAPER = (236, 240, 240)          # BGR
PRINT = (24, 20, 20)
SEAL = np.array((40, 40, 220), dtype=float)   # BGR of the ink


def _stamped(opacity: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A page with a bar of print, a seal's disc of `opacity` over half of it; the masks of the
    print under the seal and of the seal over bare paper."""
    page = np.full((400, 600, 3), PAPER, np.uint8)      # a seal is about a third of a card's height
    cv2.rectangle(page, (40, 90), (260, 110), PRINT, -1)
    disc = np.zeros(page.shape[:2], np.uint8)
    cv2.circle(disc, (200, 100), 60, 255, -1)
    inked = disc > 0
    page[inked] = np.round(opacity * SEAL + (1 - opacity) * page[inked]).astype(np.uint8)
    bar = np.zeros(page.shape[:2], bool)
    bar[90:111, 40:261] = True
    return page, inked & bar, inked & ~bar


def test_seal_ink_becomes_paper_and_the_print_under_it_stays_dark():
    for opacity in (0.45, 0.65, 0.85):
        page, under, over_paper = _stamped(opacity)
        assert red_mask(page)[over_paper].mean() > 200          # the seal is red before
        out = without_red_ink(page)
        grey = cv2.cvtColor(out, cv2.COLOR_BGR2GRAY)
        assert red_mask(out)[over_paper].mean() < 5
        assert np.median(grey[over_paper]) > 200
        assert np.median(grey[under]) < 110, opacity


def test_print_outside_the_seal_is_unchanged():
    page, _, _ = _stamped(0.6)
    out = without_red_ink(page)
    assert np.array_equal(out[90:111, 40:120], page[90:111, 40:120])


def test_a_red_streak_across_the_picture_is_no_stamp():
    # A red desk's edge or a ruled red line runs across the picture: not compact, kept.
    page = np.full((200, 300, 3), PAPER, np.uint8)
    cv2.rectangle(page, (0, 20), (299, 30), (40, 40, 200), -1)
    assert np.array_equal(without_red_ink(page), page)


def test_grey_picture_is_answered_unchanged():
    grey = np.full((50, 60), 200, np.uint8)
    assert without_red_ink(grey) is grey
