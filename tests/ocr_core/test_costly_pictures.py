"""The costliest pictures the API admits stay within the README's memory budget per recognition
process, and a text detector is never handed more than a photo's worth of pixels.

The memory test runs each picture in a fresh process (bench/memory.py's, which loads the engines
as a worker does) and holds its peak resident memory, engines included, to the budget. Only
memory is bounded: the time a picture takes is the benchmark's to report (`python -m
bench.memory`), and pytest's timeout catches a hang.
"""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from bench.memory import BUDGET_MIB, measure, pictures
from ocr_core.engines.base import Engine, Reading
from ocr_core.errors import ImageTooLarge
from ocr_core.geometry import Quad
from ocr_core.steps.decode import MAX_SIDE, probe_image
from ocr_core.steps.locate import DETECTOR_ASPECT, DETECTOR_PIXELS, detect_lines_within

# (service, picture): the reader of free text on the picture that cost it 1.8 GB (a 3000 x 3000
# JPEG of noise, scaled up to reading size), the plate finder on the same (PP-OCR's detector on
# the whole picture) and on the longest strip of noise admitted (the detector saw strips at the
# aspect bound as 54 MP).
COSTLY = [
    ("ocr_general", "noise_3000"),
    ("ocr_plate", "noise_3000"),
    ("ocr_plate", "noise_strip_bound"),
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("costly")


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("service, name", COSTLY)
def test_peak_within_the_budget(folder, service, name):
    path = folder / name
    if not path.exists():
        path.write_bytes(pictures()[name].draw())
    peak, _, _, answer = measure(path, service, nice=10)
    # An answer of the contract, not a process that died on the way (the kernel's OOM killer).
    assert answer.startswith(("ok", "46")), answer
    assert peak <= BUDGET_MIB, f"{service} on {name}: peak {peak:.0f} MiB, budget {BUDGET_MIB} MiB"


class _Detector(Engine):
    """Finds one box at a fixed place of what it is handed, and keeps the sizes it was handed."""

    name = "recording"

    def __init__(self, box: tuple[float, float, float, float]):
        self.box = box
        self.seen: list[tuple[int, ...]] = []

    def detect_lines(self, image: np.ndarray) -> list[Quad]:
        self.seen.append(image.shape)
        return [Quad.from_box(*self.box)]

    def read_line(self, image: np.ndarray) -> Reading:
        return Reading("", 0.0)


def _speckled(height: int, width: int) -> np.ndarray:
    image = np.full((height, width, 3), 230, np.uint8)
    image[height // 4:height // 2, width // 8:width // 4] = 20
    return image


@pytest.mark.parametrize("height, width", [(40, 4000), (4000, 40), (632, 63200), (200, 1600)])
def test_a_strip_reaches_the_detector_padded_to_a_photo(height, width):
    detector = _Detector((10, 2, 110, 12))
    quads = detect_lines_within(detector, _speckled(height, width))
    (seen_h, seen_w, _), = detector.seen
    assert max(seen_h, seen_w) <= DETECTOR_ASPECT * min(seen_h, seen_w) + 1
    # Padded across, not squeezed along: its length is what PP-OCR would have scaled it to.
    assert max(seen_h, seen_w) == min(2000, max(height, width))
    # The box comes back in the picture's own pixels: scaled by what the strip was scaled by.
    factor = min(1.0, 2000 / max(height, width))
    left, top, right, bottom = quads[0].bounds()
    assert left == pytest.approx(10 / factor, rel=0.02) and right == pytest.approx(110 / factor, rel=0.02)


def test_a_large_picture_reaches_the_detector_at_a_bounded_size():
    detector = _Detector((100, 100, 400, 150))
    quads = detect_lines_within(detector, _speckled(3000, 3000))
    (seen_h, seen_w, _), = detector.seen
    assert seen_h * seen_w <= DETECTOR_PIXELS
    assert quads[0].bounds()[0] == pytest.approx(100 * 3000 / seen_w, rel=0.01)


def test_a_photo_reaches_the_detector_as_it_is():
    detector = _Detector((0, 0, 50, 10))
    image = _speckled(1500, 2000)
    detect_lines_within(detector, image)
    assert detector.seen == [image.shape]


def test_a_blank_picture_has_no_lines_and_costs_no_detection():
    detector = _Detector((0, 0, 50, 10))
    image = np.full((40, 4000, 3), 250, np.uint8)
    image[::7, ::5] = 244  # paper grain well under any print's contrast
    assert detect_lines_within(detector, image) == []
    assert detector.seen == []


def _png_header(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height), 255).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("width, height", [(MAX_SIDE + 1, 400), (400, MAX_SIDE + 1)])
def test_a_side_over_the_bound_is_462_from_the_header(width, height):
    with pytest.raises(ImageTooLarge, match="a side"):
        probe_image(_png_header(width, height))


def test_a_side_at_the_bound_is_admitted():
    assert probe_image(_png_header(MAX_SIDE, 400)).width == MAX_SIDE
