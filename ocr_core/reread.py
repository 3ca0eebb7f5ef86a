"""Reading a value again without its label, for bilingual cards (driving and vehicle licences).

The line finder joins a label printed in two rows (准驾车型 over Class) and the value beside it
into one tall line, and the reader then drops or misreads the value's first characters
(1615kg read 615kg). Cut where the label's ink ends and read the value alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, TypeVar

import numpy as np

from ocr_core.engines import Pipeline, get_engine
from ocr_core.engines.base import Engine, TextLine
from ocr_core.fields import Field, extract_fields, without_latin_lines
from ocr_core.reading import PageText, read_page_text
from ocr_core.textlines import grey_of, ink_mask, without_rules

# The blank between a label and its value is wider than the space between its words or
# characters: a fifth of the (two-row) line's height, about a millimetre on the card.
_GAP = 0.2
T = TypeVar("T")


def values_alone(page, lines: list[TextLine], labels: list[str], engine: Engine) -> dict[str, list[str]]:
    """Each label's value on the label's own line, read alone: label → its readings. `page` is the
    PageText `lines` (original coordinates) were read from. A label read on a line by itself
    is looked right of too: its value may have been lost with the English label beside it."""
    to_upright = page.to_original.inverse()
    found: dict[str, list[str]] = {}
    for label in labels:
        # Every line the label starts: it may be read twice, alone and with its value.
        for line in lines:
            at = line.text.find(label)
            if at < 0 or any(label != other and label in other and other in line.text for other in labels):
                continue
            for crop in _after_label(page.upright, to_upright.apply_quad(line.quad), (at + len(label)) / len(line.text)):
                reading = engine.read_line(crop)
                # A value runs to the next label of its row (姓名 张三 性别 男); none if that comes first.
                text = min((reading.text[:cut] for cut in (reading.text.find(other) for other in labels) if cut >= 0),
                           key=len, default=reading.text).strip()
                if text:
                    found.setdefault(label, []).append(text)
    return found


@dataclass(frozen=True)
class LabelledPage:
    """A bilingual card read for its labels: the page, its Chinese lines, the fields found
    after their labels, and every reading of each value, best first (alone, then with its line)."""

    page: PageText
    lines: list[TextLine]
    fields: dict[str, Field]
    readings: dict[str, list[str | None]]


def read_labelled(image: np.ndarray, pipeline: Pipeline, labels: list[str], max_lines: dict[str, int]) -> LabelledPage:
    page = read_page_text(image, pipeline)
    lines = without_latin_lines(page.lines)
    fields = extract_fields(lines, labels, max_lines=max_lines)
    alone = values_alone(page, lines, labels, get_engine(pipeline.reader))
    readings = {label: [*alone.get(label, []), fields[label].text if label in fields else None] for label in labels}
    return LabelledPage(page, lines, fields, readings)


def first_parsed(readings: list[str | None], parse: Callable[[str], T | None]) -> T | None:
    """The first of a value's readings (alone, then with its line) that `parse` accepts."""
    return next((value for value in (parse(text) for text in readings if text) if value), None)


def _after_label(image: np.ndarray, quad, fraction: float) -> list[np.ndarray]:
    """The part of the line right of the blank after its label, on the upright page (one or two
    guesses of where it starts, best first); `fraction` is where the label ends by count of
    characters on its line."""
    left, top, right, bottom = quad.bounds()
    height = bottom - top
    y0, y1 = max(0, int(top - 0.2 * height)), min(image.shape[0], int(bottom + 0.2 * height))
    x0 = max(0, int(left))
    band = image[y0:y1, x0:]
    if band.size == 0:
        return []
    # Table rules and the seal's ring cross the band: a column holds ink when a few of its pixels do.
    ink = without_rules(ink_mask(grey_of(band)), 0.5 * height)[int(0.15 * (y1 - y0)):int(0.85 * (y1 - y0))]
    inked = (ink > 0).sum(axis=0) >= max(2, 0.06 * (y1 - y0))
    # The blank between label and value: the widest one that starts near where the label ends
    # by count of characters (a character misread or a narrow dash moves that estimate), or,
    # second, a little further (the English label under the Chinese one may be wider).
    estimate = (right - left) * fraction
    padded = np.concatenate(([True], inked, [True])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))          # blank runs: [start, end) pairs
    crops, cuts = [], set()
    for reach in (1.5 * estimate, max(1.5 * estimate, estimate + 3 * height)):
        runs = [(end - start, start, end) for start, end in zip(edges[::2], edges[1::2])
                if 0.4 * estimate <= start <= reach and end - start >= max(3, _GAP * height) and end < len(inked)]
        if not runs or max(runs)[2] in cuts:
            continue
        first = max(runs)[2]
        cuts.add(first)
        # The value ends at a wide blank, not where the line found ends: a seal over a date may
        # have cut that line short.
        end, blank = first, 0
        while end < len(inked) and blank < 1.5 * height:
            blank = blank + 1 if not inked[end] else 0
            end += 1
        margin = max(2, int(0.15 * height))
        crops.append(band[:, max(0, first - margin):end - blank + margin])
    return crops


def rest_of_row(page, line: TextLine, engine: Engine, until: float = 0.75) -> str:
    """What is printed right of `line` (original coordinates) on its row, up to `until` of the
    page's width, read as one line: a value the line finder lost under a seal."""
    left, top, right, bottom = page.to_original.inverse().apply_quad(line.quad).bounds()
    height = bottom - top
    y0, y1 = max(0, int(top - 0.2 * height)), min(page.upright.shape[0], int(bottom + 0.2 * height))
    crop = page.upright[y0:y1, int(right):int(until * page.upright.shape[1])]
    return engine.read_line(crop).text if crop.size else ""
