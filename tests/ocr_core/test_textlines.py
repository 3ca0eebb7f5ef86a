"""Finding text lines without an engine: character size, even light, line boxes."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from bench.synth import Distortion, text_page
from ocr_core.geometry import Quad
from ocr_core.steps.locate import character_size, even_light, find_text_lines, grey_of, ink_mask


@pytest.mark.parametrize("size", [14, 24, 40, 70])
def test_character_size(size):
    sample = text_page(2, size=size, n_lines=4)
    found = character_size(ink_mask(grey_of(sample.image)))
    assert found == pytest.approx(size, rel=0.3)


def test_one_box_per_line_in_reading_order():
    sample = text_page(4)
    boxes = find_text_lines(sample.image)
    assert len(boxes) == len(sample.lines)
    for box, truth in zip(boxes, sample.lines):
        assert box.contains(Quad.from_points(truth.quad).center), truth.text


def test_lines_inside_a_ruled_frame_stay_apart():
    sample = text_page(4, n_lines=5)
    framed = sample.image.copy()
    left, top, right, bottom = Quad.from_points(sample.lines[0].quad).bounds()
    # A table border drawn tight around the text, touching the first line.
    cv2.rectangle(framed, (int(left) - 4, int(top) - 2), (framed.shape[1] - 40, framed.shape[0] - 40), (0, 0, 0), 2)
    boxes = find_text_lines(framed)
    for truth in sample.lines:
        centre = Quad.from_points(truth.quad).center
        holders = [b for b in boxes if b.contains(centre)]
        assert len(holders) == 1 and holders[0].thickness < 2.5 * Quad.from_points(truth.quad).thickness


def test_even_light_removes_a_gradient():
    sample = text_page(4, distortion=Distortion(light=0.9))
    grey = grey_of(sample.image)
    flat = even_light(grey, 30)
    paper = flat[ink_mask(flat) == 0]
    assert np.percentile(paper, 5) > 200
    assert np.percentile(grey[ink_mask(grey) == 0], 5) < 150


def test_blank_page_has_no_lines():
    assert find_text_lines(np.full((400, 600, 3), 240, np.uint8)) == []


def test_a_word_of_two_characters_alone_on_a_page_is_a_line():
    # Each of these characters is one blob of ink: two blobs in all, as an anchor cut out of a form.
    from PIL import Image, ImageDraw

    from bench.synth.render import load_font
    page = Image.new("RGB", (400, 200), "white")
    ImageDraw.Draw(page).text((170, 85), "数量", font=load_font(size=26), fill="black")
    boxes = find_text_lines(np.array(page))
    assert len(boxes) == 1 and boxes[0].contains((200, 98))
