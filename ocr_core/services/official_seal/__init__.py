"""ocr_official_seal: each round or oval seal of a picture, its box (`roi`), the company name
on its arc (`text`) and the horizontal lines inside it (`general_text`), read from its red ink."""
from __future__ import annotations

import cv2
import numpy as np

from ocr_core.engines import Pipeline, get_engine
from ocr_core.engines.base import Engine
from ocr_core.errors import WrongCategory
from ocr_core.finders.seals import Seal, faint_red_mask, find_seals, seal_ink
from ocr_core.geometry import Quad
from ocr_core.services.official_seal.arc_text import (
    COMPANY_ENDINGS,
    Ring,
    best_path,
    find_ring,
    name_with_ending,
    seal_inside,
    text_strip,
    with_margin,
)
from ocr_core.steps.answer import Findings
from ocr_core.steps.extract import chinese_value
from ocr_core.steps.locate import find_text_lines

OPTIONS: dict = {}
# Readings below this confidence inside a seal, or of one character, are its star, a piece of
# the arc or specks, not a line: the inner lines are words (公章, 合同专用章) and numbers.
_MIN_PROB = 0.7
# How the name of a seal's use ends (合同专用章, 财务专用章; the company's own seal is 公章).
_SEAL_LINE_ENDING = "专用章"
# The uses an enterprise's seals are commonly made for (the kinds a seal is registered as and
# the usual departmental ones): a line decoded as one of them (but 公章, two characters, too
# few to tell a line from a speck read so) is kept from `_MIN_NAMED_PROB`, print crossing it
# or worn ink costing the reader its certainty, not the line its shape.
_USUAL_SEAL_LINES = ("公章",) + tuple(f"{use}专用章" for use in (
    "财务", "合同", "发票", "业务", "人事", "报关", "税务", "质检", "技术", "工程", "项目", "行政", "办公室",
    "收款", "结算", "档案"))
_MIN_NAMED_PROB = 0.4
# A decoding under a seal line's grammar is taken when at most this much less likely (natural
# log) than the reader's own text.
_LINE_ENDING_COST = 5.0


def ocr_official_seal(image: np.ndarray, configure: dict, pipeline: Pipeline) -> Findings:
    seals = find_seals(image)
    if not seals:
        raise WrongCategory()
    engine = get_engine(pipeline.reader)
    ink, mask = seal_ink(image), faint_red_mask(image)
    result, evidence = [], {}
    for seal in sorted(seals, key=lambda s: (s.cy, s.cx)):
        ring = find_ring(mask, seal)
        context, prob = _arc_reading(ink, seal, ring, engine)
        text = {"context": context, "prob": round(prob, 4)}
        lines = _inner_lines(ink, seal, ring, engine)
        index = len(result)
        result.append({"roi": seal.roi(), "text": text,
                       "general_text": [{"content": t, "prob": round(p, 4)} for t, p, _ in lines]})
        evidence[f"{index}.text"] = {"box": seal.quad().to_list(), "prob": text["prob"], "valid": None}
        for k, (_, prob, quad) in enumerate(lines):
            evidence[f"{index}.general_text.{k}"] = {"box": quad.to_list(), "prob": round(prob, 4), "valid": None}
    warnings = [f"no_arc_text:{i}" for i, item in enumerate(result) if not item["text"]["context"]]
    return Findings({"result": result}, evidence, warnings, pipeline.reader)


def _arc_reading(ink: np.ndarray, seal: Seal, ring: Ring | None, engine: Engine) -> tuple[str, float]:
    """The name on the seal's arc and the recogniser's confidence in it."""
    if ring is None:
        return "", 0.0
    strip = text_strip(ink, seal, ring)
    reading, read_from = max(((engine.read_line(s), s) for s in (strip, with_margin(strip))),
                             key=lambda pair: pair[0].prob)
    # The arc of an official seal is the body's Chinese name; anything else is a speck.
    text = chinese_value(reading.text)
    if text and not text.endswith(COMPANY_ENDINGS) and hasattr(engine, "line_probabilities"):
        # A company's name read without its ending has lost a character of it (司 dropped, 有
        # read as 督): decoded again under the endings, kept when one is nearly as likely.
        ended = name_with_ending(*engine.line_probabilities(cv2.cvtColor(read_from, cv2.COLOR_GRAY2BGR)))
        text = chinese_value(ended) if ended else text
    return text, reading.prob


def _inner_lines(ink: np.ndarray, seal: Seal, ring: Ring | None, engine: Engine) -> list[tuple[str, float, Quad]]:
    """The horizontal lines inside the arc (合同专用章, a number, a date), read on the seal
    turned upright: (text, confidence, box in the picture)."""
    inside = seal_inside(ink, seal, ring)
    height, width = inside.image.shape
    lines = []
    for quad in find_text_lines(inside.image):
        left, top, right, bottom = (int(round(v)) for v in quad.bounds())
        if right - left < 0.8 * (bottom - top):
            continue  # the star, a speck: no line of text is taller than it is wide
        clear = [inside.clear[min(height - 1, max(0, int(y))), min(width - 1, max(0, int(x)))]
                 for x, y in quad.points + [quad.center]]
        if not clear[-1] or ((top + bottom) / 2 < height / 2 and not all(clear)):
            continue  # a piece of the name's arc: in its band, or reaching it high up
        pad = max(2, int(0.2 * (bottom - top)))
        crop = inside.image[max(0, top - pad):bottom + pad, max(0, left - pad):right + pad]
        reading = engine.read_line(crop)
        text = reading.text.replace(" ", "")
        if reading.prob < _MIN_NAMED_PROB or not any(ch.isalnum() for ch in text):
            continue
        text = _as_seal_line(text, crop, engine)
        least = _MIN_NAMED_PROB if text in _USUAL_SEAL_LINES and text.endswith(_SEAL_LINE_ENDING) else _MIN_PROB
        if reading.prob < least or len(text) < 2:
            continue
        lines.append((text, reading.prob, inside.to_original.apply_quad(quad)))
    return lines


def _as_seal_line(text: str, crop: np.ndarray, engine: Engine) -> str:
    """A reading of a seal's inner line decoded again under what such a line is: a filing
    number is digits alone (a speck read as `:` or `m` is none of its digits); the name of a
    seal's use is one of the usual ones (财务专用章 read as 材身专用章) or at least ends in 专用章
    or is 公章 (章 read as 行, 用 as 阳), taken when nearly as likely as the reader's own text."""
    if not hasattr(engine, "line_probabilities"):
        return text
    digits = sum(ch.isdigit() for ch in text)
    if digits and not (digits >= 0.7 * len(text) and digits >= 6):
        return text
    probs, alphabet = engine.line_probabilities(cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR))
    if digits:
        keep = [0] + [i for i, ch in enumerate(alphabet) if ch.isdigit() and ch.isascii()]
        return best_path(probs[:, keep].argmax(axis=1), [alphabet[i] for i in keep]) or text
    if not chinese_value(text):
        return text
    usual = name_with_ending(probs, alphabet, endings=_USUAL_SEAL_LINES, cost=_LINE_ENDING_COST)
    if usual in _USUAL_SEAL_LINES:
        return usual
    if text.endswith(_SEAL_LINE_ENDING):
        return text
    return name_with_ending(probs, alphabet, endings=(_SEAL_LINE_ENDING,), cost=_LINE_ENDING_COST) or text
