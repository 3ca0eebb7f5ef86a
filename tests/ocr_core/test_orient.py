"""Orientation, skew and the upright transform on generated Chinese pages."""
from __future__ import annotations

import numpy as np
import pytest

from bench.synth import Distortion, photographed, text_page
from ocr_core.engines import get_engine
from ocr_core.geometry import Quad
from ocr_core.steps.locate import find_text_lines
from ocr_core.steps.orient import _cut_by_frame, find_page, text_direction, upright_page


@pytest.fixture(scope="module")
def engine():
    return get_engine()


@pytest.mark.parametrize("seed", [1, 4])
@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_orientation_of_straight_pages(engine, seed, rotate):
    sample = text_page(seed, distortion=Distortion(rotate=rotate))
    assert upright_page(sample.image, engine).rotation == rotate


@pytest.mark.parametrize("seed", range(8))
def test_orientation_of_photographed_pages(engine, seed):
    distortion = photographed(seed)
    sample = text_page(seed, distortion=distortion)
    assert upright_page(sample.image, engine).rotation == distortion.rotate


@pytest.mark.parametrize("tilt", [-10, -6.5, -2, 0, 3, 7.3, 10])
def test_skew_within_a_degree(engine, tilt):
    for seed in (2, 5):
        sample = text_page(seed, distortion=Distortion(tilt=tilt))
        assert upright_page(sample.image, engine).skew == pytest.approx(tilt, abs=1.0)


def test_skew_of_a_quarter_turned_page(engine):
    sample = text_page(2, distortion=Distortion(tilt=6, rotate=90))
    assert upright_page(sample.image, engine).skew == pytest.approx(6, abs=1.0)
    assert text_direction(sample.image).vertical


def test_blank_picture_has_no_direction(engine):
    blank = np.full((300, 400, 3), 250, np.uint8)
    assert text_direction(blank) is None
    assert upright_page(blank, engine).skew == 0.0
    assert upright_page(blank, engine).rotation == 0


def test_page_on_a_desk_is_found():
    sample = text_page(6, distortion=photographed(6))
    page = find_page(sample.image)
    assert page is not None
    assert all(page.contains(point) for line in sample.lines for point in line.quad)
    # A scan is all page: nothing to cut out.
    assert find_page(text_page(6).image) is None


def test_card_touching_a_light_patch_of_wood_grain_is_found(engine):
    # The desk's light grain touches the card's edge and adds a fifth corner to its outline.
    from bench.synth.documents import id_card, photographed_card
    sample = id_card(24, "back", distortion=photographed_card(24))
    page = find_page(sample.image)
    assert page is not None
    assert all(page.contains(point) for name, box in sample.boxes.items() if name != "card" for point in box)
    assert upright_page(sample.image, engine).rotation == sample.distortion.rotate


@pytest.mark.parametrize("distortion", [Distortion(tilt=5, rotate=90), photographed(3), photographed(8)])
def test_upright_transform_maps_lines_back_to_the_original(engine, distortion):
    sample = text_page(9, distortion=distortion)
    page = upright_page(sample.image, engine)
    assert page.rotation == distortion.rotate
    found = [page.transform.apply_quad(q) for q in find_text_lines(page.image, page.char_size)]
    # Each true line's centre falls in a found line, whose reading direction matches.
    for truth in sample.lines:
        quad = Quad.from_points(truth.quad)
        holder = [q for q in found if q.contains(quad.center)]
        assert holder, truth.text
        turn = (holder[0].direction - quad.direction + 180) % 360 - 180
        assert abs(turn) < 5


@pytest.mark.parametrize("seed", [0, 3, 5])
def test_photographed_pages_are_found_and_turned_alike_as_a_free_layout(seed):
    # ocr_general's free layout checks a turn by reading and rejects a region the frame cuts:
    # a page on a desk keeps its sheet, its turn and its tilt all the same.
    distortion = photographed(seed)
    sample = text_page(seed, distortion=distortion)
    engine = get_engine("ppocr")
    free, document = upright_page(sample.image, engine, free_layout=True), upright_page(sample.image, engine)
    assert free.rotation == document.rotation == distortion.rotate
    assert free.page is not None and free.skew == pytest.approx(document.skew)


def test_a_bright_region_the_frame_cuts_is_no_sheet():
    # The sky above a street sign (realdev): three corners on the picture's edge.
    sky = Quad((3.3, 1.6), (669.4, 1.6), (658.0, 229.3), (3.3, 392.4))
    sheet = Quad((67.1, 58.2), (275.0, 42.3), (278.9, 297.8), (70.0, 299.7))
    assert _cut_by_frame(sky, (1150, 720, 3))
    assert not _cut_by_frame(sheet, (350, 350, 3))
