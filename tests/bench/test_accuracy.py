"""bench/accuracy.py's choice of seeds (seen, or the unseen ones from 1000) and of typefaces, and how it labels them."""
from __future__ import annotations

import numpy as np
import pytest

from bench import accuracy
from bench.synth import Sample
from bench.synth.fonts import TYPEFACES, current_typeface, typeface_of_seed
from ocr_core.engines import PIPELINES

ENGINE = sorted(PIPELINES)[0]


@pytest.fixture
def recorded(monkeypatch):
    """A benchmark whose generator records each seed it is asked for, with the typeface it
    would be drawn in, and whose service call answers without reading anything."""
    made: list[tuple[int, object]] = []

    def make(seed, distortion):
        made.append((seed, current_typeface()))
        return Sample(np.full((40, 60, 3), 255, np.uint8), [], distortion, seed)

    # One error in two units on odd seeds: the figures are per set, so a set of the wrong
    # seeds shows in them.
    bench = accuracy.Benchmark(make, lambda sample, answer: (sample.seed % 2, 2), "unit", 0.9, 0.9, "ocr_general")
    monkeypatch.setitem(accuracy.BENCHMARKS, "recorded", bench)
    monkeypatch.setattr(accuracy, "recognize", lambda service, data, configure: {})
    return made


def _run(argv, capsys) -> str:
    assert accuracy.main(["--service", "recorded", "--engine", ENGINE, *argv]) == 0
    return capsys.readouterr().out


def test_seen_and_unseen_seeds_never_meet():
    assert accuracy.seeds_of(6, unseen=False) == range(0, 6)
    assert accuracy.seeds_of(6, unseen=True) == range(1000, 1006)
    assert not set(accuracy.seeds_of(1000, False)) & set(accuracy.seeds_of(1000, True))


def test_unseen_measures_only_seeds_from_1000_and_says_so(recorded, capsys):
    out = _run(["--unseen", "--count", "3"], capsys)
    seeds = [seed for seed, _ in recorded]
    assert set(seeds) == {1000, 1001, 1002}
    assert seeds[1:].count(1001) == 2          # once clean, once photographed (after the warm-up)
    assert "unseen clean" in out and "unseen photographed" in out
    assert "seeds 1000..1002 (unseen" in out
    assert "| service | engine | unseen clean right | unseen photographed right |" in out
    # seeds 1000, 1002 right, 1001 one of two wrong: 5 of 6 units right in each set
    assert "| recorded | " + ENGINE + " | 83.3% of 6 | 83.3% of 6 |" in out


def test_without_the_flag_the_seen_seeds_are_measured_under_the_old_labels(recorded, capsys):
    out = _run(["--count", "2"], capsys)
    assert {seed for seed, _ in recorded} == {0, 1}
    assert "unseen" not in out
    assert "| service | engine | clean right | photographed right |" in out


def test_each_seed_is_drawn_in_its_typeface_and_scored_per_typeface(recorded, capsys):
    out = _run(["--unseen", "--count", str(len(TYPEFACES))], capsys)
    assert all(face == typeface_of_seed(seed) for seed, face in recorded)
    assert {face for _, face in recorded} == set(TYPEFACES)
    for face in TYPEFACES:
        assert f"{face.name} " in out.split("per family:")[1]
    assert current_typeface() is None          # the choice does not outlive the pictures


def test_typeface_flag_draws_every_picture_in_that_one(recorded, capsys):
    _run(["--count", "3", "--typeface", "AR PL UKai"], capsys)
    assert {face.name for _, face in recorded} == {"AR PL UKai"}


def test_plates_keep_their_own_face():
    assert not accuracy.BENCHMARKS["ocr_plate"].typeset
    assert accuracy.BENCHMARKS["ocr_idcard:face"].typeset
