"""find_red_regions: stamps found by their red ink, faded or not; black print is never a stamp."""
from __future__ import annotations

import cv2
import numpy as np

from ocr_core.finders.seals import find_red_regions


def page_with_text() -> np.ndarray:
    page = np.full((900, 1300, 3), 255, np.uint8)
    for row in range(8):
        cv2.putText(page, "Household register line %d" % row, (80, 100 + 90 * row),
                    cv2.FONT_HERSHEY_SIMPLEX, 1.4, (20, 20, 20), 3)
    return page


def inside(quad, point) -> bool:
    left, top, right, bottom = quad.bounds()
    return left <= point[0] <= right and top <= point[1] <= bottom


def test_a_red_round_seal_over_black_text_is_found():
    page = page_with_text()
    cv2.circle(page, (900, 500), 110, (40, 40, 210), 6)          # BGR: red ring
    cv2.putText(page, "SEAL", (830, 515), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (40, 40, 210), 3)
    regions = find_red_regions(page)
    assert len(regions) == 1
    left, top, right, bottom = regions[0].bounds()
    assert abs(left - 790) < 10 and abs(right - 1010) < 10 and abs(top - 390) < 10 and abs(bottom - 610) < 10


def test_black_text_alone_has_no_stamp():
    assert find_red_regions(page_with_text()) == []


def test_a_grey_picture_has_no_stamp():
    assert find_red_regions(cv2.cvtColor(page_with_text(), cv2.COLOR_BGR2GRAY)) == []


def test_a_faded_pinkish_stamp_is_found():
    page = page_with_text()
    cv2.rectangle(page, (300, 600), (480, 680), (165, 160, 232), 4)   # faded pink frame
    cv2.putText(page, "NAME", (320, 655), cv2.FONT_HERSHEY_SIMPLEX, 1.1, (170, 165, 235), 2)
    regions = find_red_regions(page)
    assert len(regions) == 1 and inside(regions[0], (390, 640))


def test_two_stamps_are_two_regions_largest_first():
    page = page_with_text()
    cv2.circle(page, (300, 300), 120, (30, 30, 200), 5)
    cv2.rectangle(page, (900, 650), (1040, 720), (45, 45, 205), 3)
    regions = find_red_regions(page)
    assert len(regions) == 2
    assert inside(regions[0], (300, 300)) and inside(regions[1], (970, 685))
