"""The synthetic document generator: reproducible, realistic text, and truth
quads that follow the ink through every distortion."""
from __future__ import annotations

import json
import math
import random
import re

import cv2
import numpy as np
import pytest

from bench.synth import Distortion, LineTruth, apply, corpus, photographed, render, scanned, text_page
from bench.synth.__main__ import main

GEOMETRIC = [
    Distortion(tilt=7.5),
    Distortion(tilt=-45.0),
    Distortion(rotate=90),
    Distortion(rotate=180),
    Distortion(rotate=270),
    Distortion(perspective=0.15),
    Distortion(tilt=-9.0, rotate=270, perspective=0.08, background=True),
]


def ink_mask(image: np.ndarray, threshold: int = 150) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) < threshold


def rectified(image: np.ndarray, line: LineTruth) -> np.ndarray:
    """The quad's content warped back to an upright rectangle, grey."""
    q = np.array(line.quad, np.float32)
    w = int(round(np.linalg.norm(q[1] - q[0])))
    h = int(round(np.linalg.norm(q[3] - q[0])))
    rect = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    # Continuous corners to OpenCV's pixel-centre convention.
    m = cv2.getPerspectiveTransform(q - 0.5, rect - 0.5)
    return cv2.cvtColor(cv2.warpPerspective(image, m, (w, h), flags=cv2.INTER_LINEAR), cv2.COLOR_BGR2GRAY)


# --- reproducibility -------------------------------------------------------------

def test_same_seed_gives_identical_bytes():
    first = text_page(11, distortion=photographed(11))
    second = text_page(11, distortion=photographed(11))
    assert first.encode("png") == second.encode("png")
    assert first.lines == second.lines
    assert text_page(11).encode("png") == text_page(11).encode("png")


def test_different_seeds_differ():
    a, b = text_page(1), text_page(2)
    assert a.text != b.text
    assert a.image.shape != b.image.shape or not np.array_equal(a.image, b.image)
    assert photographed(1) != photographed(2)


def test_apply_is_a_function_of_its_seed():
    page = text_page(4)
    d = Distortion(tilt=3, perspective=0.05, background=True, noise=3, light=0.3)
    once, lines_once = apply(page.image, page.lines, d, 9)
    again, lines_again = apply(page.image, page.lines, d, 9)
    other, _ = apply(page.image, page.lines, d, 10)
    assert np.array_equal(once, again) and lines_once == lines_again
    assert not np.array_equal(once, other)


# --- the page and its text -----------------------------------------------------------

@pytest.mark.parametrize("seed", range(6))
def test_page_has_the_lines_it_promises(seed):
    sample = text_page(seed)
    assert 6 <= len(sample.lines) <= 10
    assert sample.image.dtype == np.uint8 and sample.image.ndim == 3 and sample.image.shape[2] == 3
    assert sample.text == "\n".join(line.text for line in sample.lines)
    for line in sample.lines:
        assert line.text and line.text == line.text.strip()
        assert len(line.quad) == 4
    # Reading order: top to bottom of the upright page.
    tops = [line.quad[0][1] for line in sample.lines]
    assert tops == sorted(tops)


@pytest.mark.parametrize("n_lines", [1, 6, 10, 14])
def test_n_lines_font_and_size_are_honoured(n_lines):
    sample = text_page(3, n_lines=n_lines, font="serif", size=24)
    assert len(sample.lines) == n_lines
    heights = [line.quad[2][1] - line.quad[0][1] for line in sample.lines]
    assert max(heights) <= 24 * 1.25


def test_no_line_runs_off_the_page():
    for seed in range(20):
        sample = text_page(seed, size=40 if seed % 2 else None)
        width = sample.image.shape[1]
        for line in sample.lines:
            xs = [x for x, _ in line.quad]
            assert min(xs) >= 40 and max(xs) <= width - 40, line.text


def _corpus_texts() -> list[str]:
    rng = random.Random(2024)
    texts = [corpus.random_line(rng, 30) for _ in range(600)]
    texts += [corpus.paragraph(rng) for _ in range(200)]
    texts += [corpus.title(rng) for _ in range(100)]
    texts += [text_page(seed).text for seed in range(5)]
    return texts


def test_every_character_has_a_glyph_in_every_face():
    chars = sorted({c for text in _corpus_texts() for c in text if not c.isspace()})
    for family in render.FAMILIES:
        for bold in (False, True):
            font = render.load_font(family, 32, bold)
            notdef = bytes(font.getmask("\U000F0000"))  # a code point no CJK font has
            assert bytes(font.getmask("\U000F0001")) == notdef, "missing-glyph detection is broken"
            missing = [c for c in chars
                       if font.getmask(c).getbbox() is None or bytes(font.getmask(c)) == notdef]
            assert not missing, f"{family} bold={bold} lacks {missing}"


def test_text_is_common_characters_with_chinese_punctuation():
    texts = _corpus_texts()
    hanzi = [c for text in texts for c in text if "\u4e00" <= c <= "\u9fff"]
    assert all(c.encode("gb2312") for c in hanzi)  # raises on a character outside GB 2312
    level1 = sum(0xB0 <= c.encode("gb2312")[0] <= 0xD7 for c in hanzi)
    assert level1 / len(hanzi) > 0.99
    # Chinese text takes full-width punctuation: no ASCII ,.;: right after a hanzi.
    offenders = [t for t in texts if re.search(r"[\u4e00-\u9fff][,;:]|[\u4e00-\u9fff]\.(?!\d)", t)]
    assert not offenders


@pytest.mark.parametrize("max_chars", [12, 20, 30])
def test_random_line_respects_its_length(max_chars):
    rng = random.Random(max_chars)
    for _ in range(200):
        assert 8 <= len(corpus.random_line(rng, max_chars)) <= max_chars


def test_money_in_words_follows_the_payment_rules():
    assert corpus.money_figures(1234560) == "¥12,345.60"
    assert corpus.money_words(1234560) == "人民币壹万贰仟叁佰肆拾伍元陆角整"
    assert corpus.money_words(168032) == "人民币壹仟陆佰捌拾元叁角贰分"
    assert corpus.money_words(1_000_000) == "人民币壹万元整"
    assert corpus.money_words(10_000_000) == "人民币壹拾万元整"
    assert corpus.money_words(100_100_00) == "人民币壹拾万零壹佰元整"
    assert corpus.money_words(1005) == "人民币壹拾元零伍分"
    assert corpus.money_words(50) == "人民币伍角整"
    assert corpus.money_words(10_000_000_000) == "人民币壹亿元整"
    assert corpus.money_words(100_010_000_000) == "人民币壹拾亿零壹拾万元整"


def test_id_numbers_and_credit_codes_carry_valid_check_characters():
    rng = random.Random(5)
    for _ in range(100):
        number = corpus.id_number(rng)
        weights = [pow(2, 17 - i, 11) for i in range(17)]
        check = (12 - sum(int(c) * w for c, w in zip(number, weights)) % 11) % 11
        assert number[17] == ("X" if check == 10 else str(check))
        code = corpus.credit_code(rng)
        chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        assert sum(chars.index(c) * pow(3, i, 31) for i, c in enumerate(code[:17])) % 31 == (-chars.index(code[17])) % 31


def test_email_matches_the_name():
    rng = random.Random(1)
    assert corpus.pinyin("李晓东") == "li xiaodong"
    addresses = [corpus.email(rng, "李晓东") for _ in range(30)]
    assert any("li" in a and "xiaodong" in a for a in addresses)


# --- truth quads through distortions -------------------------------------------------

def test_clean_page_quads_are_the_tight_ink_boxes():
    sample = text_page(8, font="sans")
    dark = ink_mask(sample.image, 200)
    covered = np.zeros_like(dark)
    for line in sample.lines:
        (x0, y0), _, (x1, y1), _ = line.quad
        crop = dark[int(y0):int(y1), int(x0):int(x1)]
        ys, xs = np.nonzero(crop)
        assert xs.size, f"no ink in the box of {line.text!r}"
        # Ink reaches every side of the box (within the faint anti-aliased fringe).
        assert xs.min() <= 2 and ys.min() <= 2 and xs.max() >= crop.shape[1] - 3 and ys.max() >= crop.shape[0] - 3
        covered[int(y0):int(y1), int(x0):int(x1)] = True
    assert not (dark & ~covered).any(), "ink outside every line's box"


def test_identity_distortion_changes_nothing():
    page = text_page(5)
    image, lines = apply(page.image, page.lines, Distortion(), 0)
    assert np.array_equal(image, page.image) and lines == page.lines


@pytest.mark.parametrize("distortion", GEOMETRIC, ids=repr)
def test_quads_follow_the_text_through_geometry(distortion):
    clean = text_page(21, size=32)
    sample = text_page(21, size=32, distortion=distortion)
    height, width = sample.image.shape[:2]
    mask = np.zeros((height, width), np.uint8)
    for before, after in zip(clean.lines, sample.lines):
        assert after.text == before.text
        for x, y in after.quad:
            assert 0 <= x <= width and 0 <= y <= height
        cv2.fillPoly(mask, [np.round(np.array(after.quad) - 0.5).astype(np.int32)], 1)
        # Warped back upright, the quad shows the same picture as the clean box.
        back = rectified(sample.image, after).astype(np.float32)
        (x0, y0), _, (x1, y1), _ = before.quad
        original = cv2.cvtColor(clean.image[int(y0):int(y1), int(x0):int(x1)], cv2.COLOR_BGR2GRAY)
        back = cv2.resize(back, original.shape[::-1], interpolation=cv2.INTER_AREA)
        r = np.corrcoef(back.ravel(), original.astype(np.float32).ravel())[0, 1]
        assert r > 0.9, f"{after.text!r}: quad does not follow the text (r={r:.2f})"
    if not distortion.background:
        # No ink outside the quads, beyond the resampling fringe.
        grown = cv2.dilate(mask, np.ones((5, 5), np.uint8)).astype(bool)
        assert not (ink_mask(sample.image) & ~grown).any()


@pytest.mark.parametrize("seed", range(5))
def test_quads_stay_inside_photographs(seed):
    sample = text_page(seed, distortion=photographed(seed))
    height, width = sample.image.shape[:2]
    for line in sample.lines:
        for x, y in line.quad:
            assert 0 <= x <= width and 0 <= y <= height
        assert rectified(sample.image, line).min() < 150, f"no ink under {line.text!r}"


@pytest.mark.parametrize("rotate, direction", [(0, (1, 0)), (90, (0, 1)), (180, (-1, 0)), (270, (0, -1))])
def test_rotation_turns_the_text_direction(rotate, direction):
    sample = text_page(2, distortion=Distortion(rotate=rotate))
    for line in sample.lines:
        (x0, y0), (x1, y1) = line.quad[0], line.quad[1]
        length = math.hypot(x1 - x0, y1 - y0)
        assert (x1 - x0) / length == pytest.approx(direction[0], abs=1e-9)
        assert (y1 - y0) / length == pytest.approx(direction[1], abs=1e-9)


def test_positive_tilt_is_clockwise_on_screen():
    sample = text_page(2, distortion=Distortion(tilt=10))
    (x0, y0), (x1, y1) = sample.lines[0].quad[:2]
    assert math.degrees(math.atan2(y1 - y0, x1 - x0)) == pytest.approx(10, abs=0.01)


def test_distortion_rejects_impossible_values():
    for bad in (dict(rotate=45), dict(perspective=0.3), dict(light=2), dict(jpeg_quality=0), dict(blur=-1)):
        with pytest.raises(ValueError):
            Distortion(**bad)


def test_photographed_and_scanned_stay_in_their_ranges():
    for seed in range(200):
        p = photographed(seed)
        assert abs(p.tilt) <= 10 and p.rotate in (0, 90, 180, 270) and 0.02 <= p.perspective <= 0.08
        assert 0 <= p.blur <= 1.2 and 0 <= p.noise <= 6 and 50 <= p.jpeg_quality <= 85
        assert p.background and 0 <= p.light <= 0.5
        assert not scanned(seed).background
    assert {photographed(s).rotate for s in range(40)} == {0, 90, 180, 270}


# --- files ---------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["png", "jpg", "bmp", "tiff"])
def test_encode_decodes_back(fmt):
    sample = text_page(6, distortion=Distortion(tilt=2, jpeg_quality=70))
    decoded = cv2.imdecode(np.frombuffer(sample.encode(fmt), np.uint8), cv2.IMREAD_COLOR)
    assert decoded is not None and decoded.shape == sample.image.shape
    if fmt != "jpg":
        assert np.array_equal(decoded, sample.image)


def test_encode_rejects_unknown_formats():
    with pytest.raises(ValueError):
        text_page(0).encode("gif")


def test_missing_fonts_fail_with_a_clear_error(monkeypatch):
    def no_fc_list(*args, **kwargs):
        raise FileNotFoundError("fc-list")

    render.chinese_faces.cache_clear()
    monkeypatch.setattr(render.subprocess, "run", no_fc_list)
    try:
        with pytest.raises(render.FontNotFoundError, match="fonts-noto-cjk"):
            render.font_path("sans")
    finally:
        monkeypatch.undo()
        render.chinese_faces.cache_clear()
    assert "SC" in render.font_face("serif").name or render.font_path("serif")


def test_command_line_writes_pictures_and_truth(tmp_path, capsys):
    assert main(["--out", str(tmp_path), "--count", "2", "--photo", "--seed", "30"]) == 0
    records = [json.loads(row) for row in (tmp_path / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["file"] for r in records] == ["000030.jpg", "000031.jpg"]
    for record in records:
        image = cv2.imread(str(tmp_path / record["file"]))
        assert image is not None
        assert record["text"] == "\n".join(line["text"] for line in record["lines"])
        assert record["distortion"]["background"] is True
        assert all(len(line["quad"]) == 4 for line in record["lines"])
