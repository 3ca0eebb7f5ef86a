"""Synthetic street pictures with plates: reproducible, numbers that keep the plate grammar, each
plate's box on pixels of its colour, photographed variants that move nothing."""
from __future__ import annotations

import random

import numpy as np
import pytest

from bench.synth import Distortion
from bench.synth.documents import photographed_street, plate_scene
from bench.synth.documents.plate import COLOURS, plate_number, render_plate
from ocr_core.checks.plate_number import plate_text
from ocr_core.geometry import Quad
from ocr_core.services.plate.find import ground_colour


def test_the_same_seed_gives_the_same_picture():
    a, b = plate_scene(3), plate_scene(3)
    assert np.array_equal(a.image, b.image) and a.plates == b.plates
    assert a.plates != plate_scene(4).plates


@pytest.mark.parametrize("colour", COLOURS)
def test_numbers_keep_the_grammar_of_their_colour(colour):
    rng = random.Random(colour)
    for _ in range(40):
        number = plate_number(rng, colour)
        assert plate_text(number, colour) == number
        assert len(number) == (8 if colour == "green" else 7)


def test_one_to_three_plates_of_the_five_colours():
    scenes = [plate_scene(seed) for seed in range(20)]
    assert all(1 <= len(s.plates) <= 3 for s in scenes)
    assert {p.colour for s in scenes for p in s.plates} == set(COLOURS)
    assert [p.colour for p in plate_scene(5, colours=("white", "green")).plates] == ["white", "green"]
    assert plate_scene(5, count=0).plates == []


@pytest.mark.parametrize("seed", [1, 2, 6])
def test_each_box_is_on_its_plate(seed):
    scene = plate_scene(seed)
    for plate in scene.plates:
        quad = Quad.from_points(plate.quad)
        assert ground_colour(scene.image, quad) == plate.colour
        assert 2.5 < quad.length / quad.thickness < 4.2


def test_a_photographed_street_keeps_the_plates_in_place():
    flat, photo = plate_scene(8), plate_scene(8, distortion=photographed_street(8))
    assert [p.txt for p in flat.plates] == [p.txt for p in photo.plates]
    assert np.allclose([p.quad for p in flat.plates], [p.quad for p in photo.plates])
    assert photo.distortion.jpeg_quality and photo.distortion.blur > 0
    assert not np.array_equal(flat.image, photo.image)
    assert photo.encode("jpg")[:2] == b"\xff\xd8"


def test_the_plate_face_has_the_standard_proportions():
    assert render_plate("京A12345", "blue", 1.0, random.Random(1)).shape[:2] == (140, 440)
    assert render_plate("京AD12345", "green", 1.0, random.Random(1)).shape[:2] == (140, 480)
    assert Distortion() == plate_scene(1).distortion


def test_the_new_kinds_leave_existing_seeds_alone_and_keep_the_grammar():
    from bench.synth.documents.plate import SPECIAL_KINDS, plate_crop, special_plate_scene, two_row_plate_scene
    assert np.array_equal(plate_scene(3).image, plate_scene(3).image)
    for kind in SPECIAL_KINDS:
        truth = special_plate_scene(4, kind).plates[0]
        assert plate_text(truth.txt, truth.colour) == truth.txt and kind in truth.txt
        crop = plate_crop(4, kind=kind)
        assert crop.image.shape[1] in (94, 120, 160, 220) and crop.plates[0].txt == plate_text(crop.plates[0].txt)
    two = two_row_plate_scene(1)
    assert plate_text(two.plates[0].txt) == two.plates[0].txt and two.plates[0].colour == "yellow"
