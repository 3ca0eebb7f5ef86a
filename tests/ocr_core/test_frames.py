"""erase_frames: a certificate's printed frame painted over, its text left alone."""
from __future__ import annotations

import cv2
import numpy as np

from ocr_core.finders.frames import erase_frames


def framed_page() -> np.ndarray:
    page = np.full((600, 900, 3), (236, 242, 246), np.uint8)
    cv2.rectangle(page, (20, 20), (880, 580), (60, 120, 170), 5)
    cv2.putText(page, "Name  Example Ltd", (100, 300), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (20, 20, 20), 2)
    return page


def test_the_frame_goes_and_the_text_stays():
    page = framed_page()
    erased = erase_frames(page)
    grey = cv2.cvtColor(erased, cv2.COLOR_BGR2GRAY)
    assert (grey[15:26, 100:800] < 150).sum() == 0            # the top rule is paper now
    assert np.array_equal(erased[260:320, 90:500], page[260:320, 90:500])
    assert abs(int(grey[22, 400]) - int(grey[100, 400])) < 10  # in the paper's colour


def test_a_page_without_a_frame_is_returned_as_it_is():
    page = framed_page()
    page[:30] = page[-30:] = (236, 242, 246)                  # the frame broken open top and bottom
    page[:, :30] = page[:, -30:] = (236, 242, 246)
    assert erase_frames(page) is page
