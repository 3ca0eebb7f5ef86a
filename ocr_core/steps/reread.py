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
from ocr_core.steps.extract import Field, extract_fields, without_latin_lines
from ocr_core.steps.locate import find_text_lines, grey_of, ink_mask, without_rules
from ocr_core.steps.read import PageText, read_page_text

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


def read_from(page, line: TextLine, at: int, engine: Engine) -> list[str]:
    """The part of `line` (original coordinates) from its `at`-th character on, read alone: a
    value whose label was misread beyond finding (证号 read as E号), found by its own shape."""
    to_upright = page.to_original.inverse()
    crops = _after_label(page.upright, to_upright.apply_quad(line.quad), at / max(1, len(line.text)))
    return [text for text in (engine.read_line(crop).text.strip() for crop in crops) if text]


def read_found_from(page, line: TextLine, at: int, engine: Engine) -> list[str]:
    """Like read_from, but the widest text line found in that part read, cropped to it: the
    part's band, as tall as a two-row label, may take in ink above and below the value
    that makes the reader drop or misread its characters (BYD7152 read BYD752)."""
    to_upright = page.to_original.inverse()
    texts = []
    for crop in _after_label(page.upright, to_upright.apply_quad(line.quad), at / max(1, len(line.text))):
        quad = max(find_text_lines(crop), key=lambda quad: quad.bounds()[2] - quad.bounds()[0], default=None)
        if quad is None:
            continue
        left, top, right, bottom = quad.bounds()
        margin = 0.2 * (bottom - top)
        text = engine.read_line(crop[max(0, int(top - margin)):int(bottom + margin) + 1,
                                     max(0, int(left - margin)):int(right + margin) + 1]).text.strip()
        if text:
            texts.append(text)
    return texts


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
    return [band[:, start:end] for start, end in _value_spans(band, height, (right - left) * fraction)]


def _value_spans(band: np.ndarray, height: float, estimate: float) -> list[tuple[int, int]]:
    """Where the value of a labelled line starts and ends in `band` (the line's rows from the
    label's left edge on), one or two guesses, best first; `estimate` is where the label ends."""
    if band.size == 0:
        return []
    y1 = band.shape[0]
    # Table rules and the seal's ring cross the band: a column holds ink when a few of its pixels do.
    ink = without_rules(ink_mask(grey_of(band)), 0.5 * height)[int(0.15 * y1):int(0.85 * y1)]
    inked = (ink > 0).sum(axis=0) >= max(2, 0.06 * y1)
    # The blank between label and value: the widest one that starts near where the label ends
    # by count of characters (a character misread or a narrow dash moves that estimate), or,
    # second, a little further (the English label under the Chinese one may be wider).
    padded = np.concatenate(([True], inked, [True])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))          # blank runs: [start, end) pairs
    spans, cuts = [], set()
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
        spans.append((max(0, first - margin), end - blank + margin))
    return spans


def read_wrapped(page, label: str, next_label: str, engine: Engine, twin: str | None = None,
                 above: str | None = None) -> str | None:
    """The value of `label`'s table cell read row by row (read_cell), the cell ending where the
    row of `next_label` below it starts (its lowest reading: a reading of the label that took
    the row above with it starts higher). A label not read at all is found by its English
    `twin` printed under it, the cell then starting a row higher; or, misread beyond that
    (住址 over Address read 住ds), as the line that starts the row between the row of `above`
    and that of `next_label`, its label taken to be as long as read right."""
    lines = page.upright_lines()
    head = next((line for line in lines if label in line.text), None)
    at, rows_above = (head.text.index(label) + len(label), 0.0) if head else (0, 0.0)
    if head is None and twin:
        head = next((line for line in lines if twin in line.text), None)
        at, rows_above = (head.text.index(twin) + len(twin), 1.2) if head else (0, 0.0)
    below = [line for line in lines if next_label in line.text]
    if head is None and above:
        over = next((line for line in lines if above in line.text), None)
        under = min(below, key=lambda line: line.quad.bounds()[1], default=None)
        if over is None or under is None:
            return None
        left, top, _, bottom = over.quad.bounds()
        between = [line for line in lines if over.quad.center[1] < line.quad.center[1] < under.quad.bounds()[1]
                   and abs(line.quad.bounds()[0] - left) < bottom - top]
        head, at = min(between, key=lambda line: line.quad.center[1], default=None), len(label)
    if head is None:
        return None
    below = [line for line in below if line.quad.center[1] > head.quad.center[1]]
    return read_cell(page, head, at, max(below, key=lambda line: line.quad.bounds()[1], default=None), engine,
                     rows_above)


def read_cell(page, head: TextLine, at: int, below: TextLine | None, engine: Engine,
              rows_above: float = 0.0) -> str | None:
    """A value that wraps inside its table cell (an address in two rows), read row by row: from
    the blank after its label (which ends at character `at` of `head`) to the page's right, and
    from the top of `head` (`rows_above` of its height higher) down to the top of `below`, the
    label of the next row (all on the upright page). The line finder may have merged the
    two-row label (住址 over Address) with both rows of the value into one tall line, which
    reads as one row, the second lost."""
    left, top, right, bottom = head.quad.bounds()
    height = bottom - top
    image = page.upright
    y0 = max(0, int(top - (0.2 + rows_above) * height))
    y1 = min(image.shape[0], int(below.quad.bounds()[1]) if below is not None else int(bottom + 0.2 * height))
    x0 = max(0, int(left))
    band = image[max(0, int(top - 0.2 * height)):min(image.shape[0], int(bottom + 0.2 * height)), x0:]
    spans = _value_spans(band, height, (right - left) * at / max(1, len(head.text)))
    if not spans or y1 - y0 < 0.5 * height:
        return None
    cell = image[y0:y1, x0 + spans[0][0]:]
    # The rows of a cell are stacked: top to bottom (reading order may take touching rows for one).
    # A rule's remnant (the cell's border, a portrait's frame) is a narrow upright speck.
    quads = sorted((quad for quad in find_text_lines(cell) if quad.bounds()[2] - quad.bounds()[0]
                    >= 0.6 * (quad.bounds()[3] - quad.bounds()[1])), key=lambda quad: quad.center[1])
    tallest = max((quad.bounds()[3] - quad.bounds()[1] for quad in quads), default=0)
    # The rows of a wrapped value start at the cell's left; what starts further right is the
    # next row's label or a speck (品牌型号 cut at the cell's bottom).
    first = min((quad.bounds()[0] for quad in quads), default=0)
    rows, last = [], None
    for quad in quads:
        l, t, r, b = quad.bounds()
        if b - t < 0.5 * tallest or l > first + 1.5 * tallest:
            continue
        # Wrapped rows follow each other closely; a piece a blank further down is the top of
        # the next row's label, cut by the cell's bottom.
        if last is not None and t - last > 0.5 * tallest:
            break
        last = b
        margin = 0.2 * (b - t)
        crop = cell[max(0, int(t - margin)):int(b + margin) + 1, max(0, int(l - margin)):int(r + margin) + 1]
        reading = engine.read_line(crop)
        if reading.prob >= 0.5 and any(ch.isalnum() for ch in reading.text):
            rows.append(reading.text.strip())
    return "".join(rows) or None


def rest_of_row(page, line: TextLine, engine: Engine, until: float = 0.75) -> str:
    """What is printed right of `line` (original coordinates) on its row, up to `until` of the
    page's width, read as one line: a value the line finder lost under a seal."""
    left, top, right, bottom = page.to_original.inverse().apply_quad(line.quad).bounds()
    height = bottom - top
    y0, y1 = max(0, int(top - 0.2 * height)), min(page.upright.shape[0], int(bottom + 0.2 * height))
    crop = page.upright[y0:y1, int(right):int(until * page.upright.shape[1])]
    return engine.read_line(crop).text if crop.size else ""
