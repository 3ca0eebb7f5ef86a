"""find_qr_code: the box of a printed QR code, by OpenCV's detector or by its finder patterns."""
from __future__ import annotations

import cv2
import numpy as np

from ocr_core.finders.qrcodes import _from_finder_patterns, find_qr_code, finder_patterns


def printed_qr(blur: float = 0.0) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A QR code of 37 modules printed 4 px a module on a grey page, and its box."""
    modules = cv2.QRCodeEncoder.create().encode("http://www.gsxt.gov.cn/index.html?uniscid=91330106MA2B0XYZ12")
    dark = np.argwhere(modules < 128)
    (r0, c0), (r1, c1) = dark.min(axis=0), dark.max(axis=0) + 1
    symbol = cv2.resize(modules[r0:r1, c0:c1], None, fx=4, fy=4, interpolation=cv2.INTER_NEAREST)
    page = np.full((500, 700), 235, np.uint8)
    y, x = 120, 400
    page[y:y + symbol.shape[0], x:x + symbol.shape[1]] = np.where(symbol < 128, 30, 250)
    if blur:
        page = cv2.GaussianBlur(page, (0, 0), blur)
    return page, (x, y, x + symbol.shape[1], y + symbol.shape[0])


def test_the_box_is_the_symbol():
    page, (x0, y0, x1, y1) = printed_qr()
    left, top, right, bottom = find_qr_code(page).bounds()
    assert abs(left - x0) <= 3 and abs(top - y0) <= 3 and abs(right - x1) <= 3 and abs(bottom - y1) <= 3


def test_three_finder_patterns_give_the_box_when_decoding_fails():
    page, (x0, y0, x1, y1) = printed_qr(blur=1.5)
    assert len(finder_patterns(page)) == 3
    left, top, right, bottom = _from_finder_patterns(page).bounds()
    assert abs(left - x0) <= 4 and abs(top - y0) <= 4 and abs(right - x1) <= 4 and abs(bottom - y1) <= 4


def test_a_page_without_a_code_has_none():
    page = np.full((400, 600), 235, np.uint8)
    cv2.rectangle(page, (50, 50), (120, 120), 20, 6)          # a lone square ring is no code
    cv2.putText(page, "No QR here", (150, 200), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 20, 3)
    assert find_qr_code(page) is None
