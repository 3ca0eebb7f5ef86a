"""ocr_bank_card: the card number of a bank card, printed flat or embossed, picked among the
card's readings by the Luhn check (as the reference, `card_num` only). When no reading passes,
the longest is answered as read and the evidence says the check failed."""
from __future__ import annotations

import re
from itertools import product

import numpy as np

from ocr_core.checks.id_number import id_number_valid
from ocr_core.checks.luhn import as_digits, correct_card_number, luhn_valid
from ocr_core.engines import Pipeline, get_engine
from ocr_core.engines.base import TextLine
from ocr_core.errors import WrongCategory
from ocr_core.finders.cards import CardText, crop_line, read_card_text
from ocr_core.geometry import Quad
from ocr_core.steps.answer import Findings
from ocr_core.steps.extract import Field, field_evidence

OPTIONS: dict = {}
# A number as printed: groups of digits (or letters read for digits) with spaces between.
_NUMBER_LIKE = re.compile(r"[0-9OoDQUIl|iZzSsGbB](?:[ 0-9OoDQUIl|iZzSsGbB]*[0-9OoDQUIl|iZzSsGbB])?")
# Two readings that differ in more places than this are not of the same number.
_MAX_DISAGREEMENTS = 4


def ocr_bank_card(image: np.ndarray, configure: dict, pipeline: Pipeline) -> Findings:
    card = read_card_text(image, pipeline)
    # An ID number (GB 11643) is 18 digits too: a card that shows one is an ID card, not a bank card.
    readings = [(text, f) for text, f in _number_readings(card, pipeline) if not id_number_valid(as_digits(text))]
    if not readings:
        raise WrongCategory()
    chosen = choose_card_number([text for text, _ in readings])
    num = chosen or max((as_digits(text) for text, _ in readings), key=len)
    field = next((f for text, f in readings if chosen and as_digits(text) == chosen), readings[0][1])
    return Findings({"card_num": num}, {"card_num": field_evidence(field, luhn_valid(num))}, card.warnings, card.engine)


def choose_card_number(readings: list[str]) -> str | None:
    """The card number the readings stand for: the first that passes Luhn as read (or with a
    single look-alike digit that alone makes it pass); else, between two readings of the same
    length, the one mix of their disagreeing digits that passes; None when nothing does."""
    for text in readings:
        found = correct_card_number(text)
        if found:
            return found
    digits = list(dict.fromkeys(d for d in map(as_digits, readings) if 16 <= len(d) <= 19))
    for i, a in enumerate(digits):
        for b in digits[i + 1:]:
            if len(a) != len(b):
                continue
            differ = [k for k in range(len(a)) if a[k] != b[k]]
            if len(differ) > _MAX_DISAGREEMENTS:
                continue
            fits = set()
            for choice in product((0, 1), repeat=len(differ)):
                mixed = list(a)
                for k, pick in zip(differ, choice):
                    mixed[k] = (a, b)[pick][k]
                if luhn_valid("".join(mixed)):
                    fits.add("".join(mixed))
            if len(fits) == 1:
                return fits.pop()
    return None


def _number_readings(card: CardText, pipeline: Pipeline) -> list[tuple[str, Field]]:
    """Every reading of a number of 16-19 digits on the card, best first: each row of lines
    read again as one line (the detector may split or overlap the printed groups), the row's
    lines joined, and each line alone."""
    reader = get_engine(pipeline.reader)
    upright = card.upright_lines()
    found: list[tuple[str, Field]] = []
    for row in _rows(list(zip(upright, card.lines))):
        quads = [u.quad for u, _ in row]
        original = [o for _, o in row]
        whole = _union(quads)
        prob = min(o.prob for o in original)
        texts = []
        crop = crop_line(card.upright, whole)
        if crop is not None and len(row) > 1:
            texts.append(reader.read_line(crop).text)
        texts.append(" ".join(o.text for o in original))
        texts += [o.text for o in original]
        for text in texts:
            for match in _NUMBER_LIKE.finditer(text):
                if 16 <= len(as_digits(match.group(0))) <= 19:
                    found.append((match.group(0), Field(match.group(0), (card.to_original.apply_quad(whole),), prob)))
    return found


def _rows(lines: list[tuple[TextLine, TextLine]]) -> list[list[tuple[TextLine, TextLine]]]:
    """Lines (upright, original) that share a row, each row left to right."""
    rows: list[list[tuple[TextLine, TextLine]]] = []
    for pair in sorted(lines, key=lambda p: p[0].quad.center[1]):
        cy, height = pair[0].quad.center[1], pair[0].quad.thickness
        if rows and abs(cy - rows[-1][-1][0].quad.center[1]) < 0.5 * max(height, rows[-1][-1][0].quad.thickness):
            rows[-1].append(pair)
        else:
            rows.append([pair])
    return [sorted(row, key=lambda p: p[0].quad.center[0]) for row in rows]


def _union(quads: list[Quad]) -> Quad:
    """The box around a row's lines on the upright card (where rows are level)."""
    if len(quads) == 1:
        return quads[0]
    points = np.array([p for q in quads for p in q.points])
    return Quad.from_box(points[:, 0].min(), points[:, 1].min(), points[:, 0].max(), points[:, 1].max())
