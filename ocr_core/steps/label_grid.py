"""The label grid step: a value found by its place among the labels that were read, when its own label was not.

A licence prints its labels in a grid of rows and columns (准驾车型 in the sixth row, first
column). When a seal or a misreading hides one label, the labels that were read still say
where its row runs (a line through their middles by row number) and where its column starts
(the labels of the same column in other rows), so its value is looked for there: the
characters of the lines that fall in that cell, and the cell read again as one line.
"""
from __future__ import annotations

import statistics
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from ocr_core.engines.base import Engine, TextLine
from ocr_core.steps.extract import PlacedLabel, place_labels

# A row's value lines sit within this share of the row's pitch around its middle.
_BAND = 0.4


@dataclass(frozen=True)
class Cell:
    """Where the value of a label that was not read is printed, on the upright page: from where
    its label would end to where the next label of its row starts; `height` is a label's."""

    label: str
    left: float
    top: float
    right: float
    bottom: float
    label_left: float
    height: float


def grid_cells(placed: list[PlacedLabel], layout: list[list[str]], page_width: float) -> dict[str, Cell]:
    """The cell of each label of `layout` (its rows top to bottom, each row's labels left to
    right): right of the label where it was placed; where it was not, where the placed ones
    say, if they are enough to tell (labels of two rows at least, and one of its column)."""
    where = {label: (r, k) for r, row in enumerate(layout) for k, label in enumerate(row)}
    found: dict[str, PlacedLabel] = {}
    for label in placed:
        if label.label in where and label.label not in found:
            found[label.label] = label
    rows = {where[label][0] for label in found}
    if len(rows) < 2:
        return {}
    # The rows' middles by row number, as a straight line (rows are evenly spaced).
    xs = np.array([where[label][0] for label in found], dtype=float)
    ys = np.array([label.middle for label in found.values()], dtype=float)
    pitch, origin = np.polyfit(xs, ys, 1)
    if pitch <= 0:
        return {}
    height = statistics.median(label.height for label in found.values())
    char_width = statistics.median((label.box[2] - label.box[0]) / _width_in_chars(label.label)
                                   for label in found.values())
    column_left: dict[int, float] = {}
    for k in {column for _, column in where.values()}:
        lefts = [label.box[0] for name, label in found.items() if where[name][1] == k]
        if lefts:
            column_left[k] = statistics.median(lefts)
    cells = {}
    for label, (r, k) in where.items():
        if label in found:
            own = found[label]
            following = layout[r][k + 1] if k + 1 < len(layout[r]) else None
            right = found[following].box[0] if following in found else page_width
            cells[label] = Cell(label, own.box[2], own.middle - _BAND * pitch, right, own.middle + _BAND * pitch,
                                own.box[0], own.height)
            continue
        if k not in column_left:
            continue
        middle = origin + pitch * r
        left = column_left[k]
        row = layout[r]
        following = row[k + 1] if k + 1 < len(row) else None
        right = (found[following].box[0] if following in found else column_left.get(k + 1, page_width)) \
            if following else page_width
        start = left + char_width * _width_in_chars(label)
        if right - start < height:
            continue
        cells[label] = Cell(label, start, middle - _BAND * pitch, right, middle + _BAND * pitch, left, height)
    return cells


def cell_texts(lines: list[TextLine], placed: list[PlacedLabel], cell: Cell) -> list[str]:
    """What the lines read in `cell`, each line's best first: the characters that stand in it
    (by their widths along the line) and are no other label's; or, for a line that starts
    where the label would and with one of the label's characters (a label half read, 机号507155
    for 发动机号码 507155), its text from there with the label's characters dropped from its head."""
    texts: list[str] = []
    for index, line in enumerate(lines):
        left, top, right, bottom = line.quad.bounds()
        if not cell.top <= (top + bottom) / 2 <= cell.bottom or right < cell.label_left or left > cell.right:
            continue
        taken = [(label.start, label.end) for label in placed if label.line == index]
        centres = [(ch, centre) for at, (ch, centre) in enumerate(_centres(line)) if not any(s <= at < e for s, e in taken)]
        strict = "".join(ch for ch, centre in centres if cell.left - 0.3 * cell.height <= centre <= cell.right)
        loose = "".join(ch for ch, centre in centres if cell.label_left - cell.height <= centre <= cell.right)
        headed = left < cell.left - 0.5 * cell.height and loose[:1] in cell.label
        loose = loose.lstrip(cell.label + " :：")
        for text in ((loose, strict) if headed else (strict, loose)):
            text = text.strip(" :：")
            if text and text not in texts:
                texts.append(text)
    return texts


def read_cell_alone(image: np.ndarray, cell: Cell, engine: Engine) -> str:
    """The cell of the upright page read as one line: a value the line finder lost under a seal."""
    top = max(0, int(cell.top + 0.15 * (cell.bottom - cell.top)))
    bottom = min(image.shape[0], int(cell.bottom - 0.1 * (cell.bottom - cell.top)))
    # Half a character to the left: where a label ends is told by its characters' count, and a
    # value close to its label starts about there (a label's last character taken in with it
    # is a remnant the value's form leaves out).
    crop = image[top:bottom, max(0, int(cell.left - 0.5 * cell.height)):int(cell.right)]
    return engine.read_line(crop).text.strip() if crop.size else ""


def values_by_grid(image: np.ndarray, lines: list[TextLine], layout: list[list[str]], engine: Engine,
                   read_alone: Collection[str] = ()) -> dict[str, list[str]]:
    """Each label of `layout` → the readings of its cell, the lines' first; a label that was not
    read has its cell read again alone too (the line finder may have lost its value under the
    seal), and so has a label of `read_alone` (a value of a strict form, read apart from the
    line that may have joined it to its label). `image` is the upright page and `lines` its lines there."""
    placed = place_labels(lines, [label for row in layout for label in row])
    read = {label.label for label in placed}
    found = {}
    for label, cell in grid_cells(placed, layout, image.shape[1]).items():
        texts = cell_texts(lines, placed, cell)
        alone = read_cell_alone(image, cell, engine) if label not in read or label in read_alone else ""
        found[label] = texts + ([alone] if alone and alone not in texts else [])
    return found


def _width_in_chars(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text) or 1.0


def _centres(line: TextLine) -> list[tuple[str, float]]:
    """Each character of a line with the x of its middle, by the characters' widths."""
    left, _, right, _ = line.quad.bounds()
    widths = [1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in line.text]
    total = sum(widths) or 1.0
    out, run = [], 0.0
    for ch, w in zip(line.text, widths):
        out.append((ch, left + (right - left) * (run + w / 2) / total))
        run += w
    return out
