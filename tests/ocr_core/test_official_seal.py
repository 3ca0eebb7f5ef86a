"""ocr_official_seal: seals found by their red ring (round and oval), the arc text unrolled and
read whatever the seal's turn, several seals on a page, seals stamped over black print, 463."""
from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from bench.synth import photographed, text_page
from bench.synth.documents import official_seal
from bench.synth.render import load_font
from ocr_core import recognize
from ocr_core.engines import PIPELINES, engine_installed, get_engine
from ocr_core.errors import WrongCategory
from ocr_core.finders.seals import faint_red_mask, find_seals, seal_ink
from ocr_core.services import SERVICES
from ocr_core.services.official_seal.arc_text import _text_middle, find_ring, name_with_ending, text_strip, unroll

ENGINE = "mixed" if engine_installed("mixed") else "tesseract"
# The service on a picture already decoded, answered as `recognize` answers it.
ocr_official_seal = SERVICES["ocr_official_seal"].run


def arc_seal(text: str, turn: float, radius: int = 150) -> np.ndarray:
    """A red ring with `text` on its upper arc (260°, read clockwise), the whole seal turned
    clockwise by `turn` degrees, on white paper (BGR)."""
    side = 2 * radius + 60
    c = side / 2
    layer = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(layer)
    draw.ellipse((c - radius, c - radius, c + radius, c + radius), outline=255, width=7)
    font = load_font("sans", 42, bold=True)
    span = math.radians(260)
    r = radius - 40
    for k, ch in enumerate(text):
        t = -span / 2 + (k + 0.5) * span / len(text) + math.radians(turn)
        glyph = Image.new("L", (64, 64), 0)
        ImageDraw.Draw(glyph).text((32, 32), ch, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-math.degrees(t), resample=Image.Resampling.BICUBIC)
        layer.paste(255, (int(c + r * math.sin(t) - 32), int(c - r * math.cos(t) - 32)), glyph)
    ink = np.asarray(layer, np.float32)[..., None] / 255.0
    page = 255.0 * (1 - ink) + np.array([40, 30, 210], np.float32) * ink       # BGR red
    return page.astype(np.uint8)


@pytest.mark.parametrize("turn", [0, 100, 200])
def test_the_arc_is_unrolled_from_its_gap_and_reads_left_to_right(turn):
    picture = arc_seal("杭州星火科技有限公司", turn)
    seals = find_seals(picture)
    assert len(seals) == 1
    seal = seals[0]
    assert abs(seal.cx - picture.shape[1] / 2) < 3 and abs(seal.a - 150) < 5
    ring = find_ring(faint_red_mask(picture), seal)
    assert ring is not None and 8 < ring.outer < 25 and 55 < ring.inner < 75   # glyphs 19-61 px in
    # The text's middle found where it was drawn, whatever the seal's turn.
    middle = math.degrees(ring.middle) + seal.angle
    assert abs((middle - turn + 180) % 360 - 180) < 12
    strip = text_strip(seal_ink(picture), seal, ring)
    assert strip.shape[1] > 4 * strip.shape[0]
    assert get_engine(PIPELINES[ENGINE].reader).read_line(strip).text == "杭州星火科技有限公司"


def test_unroll_puts_the_border_at_the_top_of_the_strip():
    picture = arc_seal("测试", 0)
    seal = find_seals(picture)[0]
    strip = unroll(faint_red_mask(picture), seal, 0.0, (-5.0, 30.0))
    rows = (strip > 127).mean(axis=1)
    assert rows[:10].max() > 0.9 and rows[-8:].max() < 0.2


def test_several_seals_over_black_text_are_each_read():
    sample = official_seal(3)                      # three seals, one oval, over a page of text
    answer = ocr_official_seal(sample.image, {"evidence": True}, PIPELINES[ENGINE])
    assert len(answer["result"]) == 3
    assert sorted(s["text"]["context"] for s in answer["result"]) == sorted(s.company for s in sample.seals)
    for seal in answer["result"]:
        assert set(seal) == {"roi", "text", "general_text"} and set(seal["text"]) == {"context", "prob"}
        assert 0 < seal["text"]["prob"] <= 1
    inner = sorted(g["content"] for s in answer["result"] for g in s["general_text"])
    assert inner == sorted(s.inner for s in sample.seals)
    assert {"0.text", "1.text", "2.text"} <= set(answer["evidence"])


def test_an_oval_seal_is_found_as_an_ellipse_and_read():
    sample = official_seal(0)
    truth = next(s for s in sample.seals if s.roi["width"] > 1.2 * s.roi["height"])
    seals = find_seals(sample.image)
    oval = next(s for s in seals if max(s.a, s.b) > 1.2 * min(s.a, s.b))
    roi = oval.roi()
    assert all(abs(roi[k] - truth.roi[k]) < 6 for k in roi)
    answer = ocr_official_seal(sample.image, {}, PIPELINES[ENGINE])
    assert truth.company in [s["text"]["context"] for s in answer["result"]]


def test_black_print_does_not_show_in_the_seals_ink():
    page = text_page(4).image
    ink = seal_ink(page)
    assert (ink < 128).mean() < 0.001


def test_a_page_without_a_seal_is_the_wrong_category():
    page = text_page(5).image.copy()
    cv2.rectangle(page, (300, 600), (480, 680), (45, 45, 205), 4)        # a red name stamp is no seal
    assert find_seals(page) == []
    with pytest.raises(WrongCategory):
        recognize("ocr_official_seal", cv2.imencode(".png", page)[1].tobytes(), {"engine": ENGINE})


def test_seals_stamped_over_one_another_are_two_seals_each_read():
    first = arc_seal("杭州星火科技有限公司", 0).astype(np.float32) / 255
    second = arc_seal("上海华信投资管理有限公司", 30).astype(np.float32) / 255
    page = np.ones((420, 640, 3), np.float32)
    page[:360, :360] *= first                     # ink multiplies where the seals overlap
    page[40:400, 240:600] *= second
    page = (page * 255).astype(np.uint8)
    seals = sorted(find_seals(page), key=lambda s: s.cx)
    assert len(seals) == 2
    assert abs(seals[0].cx - 180) < 6 and abs(seals[1].cx - 420) < 6 and abs(seals[1].cy - 220) < 6
    answer = ocr_official_seal(page, {}, PIPELINES[ENGINE])
    assert sorted(s["text"]["context"] for s in answer["result"]) == ["上海华信投资管理有限公司", "杭州星火科技有限公司"]


def ctc_steps(alphabet: list[str], steps: list[dict[str, float]]) -> np.ndarray:
    """A recogniser's probabilities (steps × alphabet) with the given characters' shares at each
    step and the rest of each step on the blank."""
    probs = np.full((len(steps), len(alphabet)), 1e-6)
    for t, shares in enumerate(steps):
        for ch, p in shares.items():
            probs[t, alphabet.index(ch)] = p
        probs[t, 0] = max(1e-6, 1 - sum(shares.values()))
    return probs


def test_a_name_read_without_its_company_ending_gets_it_when_nearly_as_likely():
    alphabet = ["blank"] + list("深圳食品有限公司委员会")
    # 司 dropped: the last step's likeliest label is the blank, 司 a close second.
    steps = [{ch: 0.9} for ch in "深圳食品有限公"] + [{"司": 0.3}]
    assert name_with_ending(ctc_steps(alphabet, steps), alphabet) == "深圳食品有限公司"
    # A body that is no company keeps its own name: no ending is anywhere near as likely.
    assert name_with_ending(ctc_steps(alphabet, [{ch: 0.95} for ch in "深圳委员会"]), alphabet) is None


def test_the_names_middle_is_found_when_the_inner_line_reaches_into_the_gap():
    # A band of 720 columns: the name over 180-540 (its middle at half a turn), characters 24
    # columns apart; in the gap at the bottom two ends of the inner line dipping into the band.
    columns = np.zeros(720)
    for start in range(180, 540, 24):
        columns[start:start + 18] = 0.4
    columns[600:620] = columns[660:680] = 0.3
    assert abs(_text_middle(columns) - math.pi) < math.radians(3)


def test_black_print_on_beige_paper_is_no_ink_of_a_faded_seal():
    page = np.zeros((400, 600, 3), np.uint8)
    page[:] = (200, 228, 245)                                   # BGR beige: redder than green
    cv2.putText(page, "Invoice 2019", (30, 120), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (30, 30, 30), 3, cv2.LINE_AA)
    cv2.circle(page, (420, 250), 110, (150, 140, 235), 6)       # a faded pink seal's ring
    page = cv2.GaussianBlur(page, (3, 3), 0.8)
    ink = seal_ink(page)
    assert ink[60:140, 20:320].min() > 200                      # the print, edges and all, is paper
    assert ink[250, 310:318].min() < 128                        # the ring's left side is ink


def test_an_inner_line_crossed_by_print_or_worn_is_read_as_a_seals_use():
    # Photographed: the ring's middle put off by the inner line, 财务 read 材身 through print.
    for seed in (7, 40):
        sample = official_seal(seed, distortion=photographed(seed))
        image = cv2.imdecode(np.frombuffer(sample.encode("jpg"), np.uint8), cv2.IMREAD_COLOR)
        answer = ocr_official_seal(image, {}, PIPELINES[ENGINE])
        read = [g["content"] for s in answer["result"] for g in s["general_text"]]
        assert all(s.inner in read for s in sample.seals if s.inner), (seed, read)
