"""Table geometry with the text lines a detector finds (PP-OCR's): lines cut at the sides of
ruled cells, a lone short mark in an empty cell, rules a scan broke into pieces, columns of
unruled tables measured on words, set close beside a vertical rule, and tight rows."""
from __future__ import annotations

import cv2
import numpy as np

from ocr_core.geometry import Quad
from ocr_core.services.table_parse.grid import Rules, find_rules, page_tables, ruled_tables, unruled_tables

SIZE = 30.0  # the character height the drawn pictures are measured with


def frame_with_columns(xs: list[int], ys: list[int]) -> np.ndarray:
    """White paper with a frame and the rules between columns, none between rows."""
    image = np.full((ys[-1] + 60, xs[-1] + 60), 255, np.uint8)
    for x in xs:
        cv2.line(image, (x, ys[0]), (x, ys[-1]), 0, 2)
    cv2.line(image, (xs[0], ys[0]), (xs[-1], ys[0]), 0, 2)
    cv2.line(image, (xs[0], ys[-1]), (xs[-1], ys[-1]), 0, 2)
    return image


def test_rules_broken_into_pieces_are_drawn_across_the_table():
    # A scan lost most of each row's rule: pieces that stop in the middle of cells, about
    # half the width in all. Each is a row's rule, not the sides of merged cells.
    xs, ys = [30, 200, 330, 520], [30, 90, 150, 210, 270]
    image = frame_with_columns(xs, ys)
    for y in ys[1:-1]:
        cv2.line(image, (60, y), (160, y), 0, 2)
        cv2.line(image, (360, y), (480, y), 0, 2)
    tables = ruled_tables(find_rules(image, SIZE), SIZE)
    assert len(tables) == 1
    assert (tables[0].rows, tables[0].cols) == (4, 3)
    assert sorted(tables[0].spans()) == sorted((c, r, c + 1, r + 1) for r in range(4) for c in range(3))


def test_a_short_stray_rule_inside_a_cell_is_no_grid_line():
    xs, ys = [30, 200, 330, 520], [30, 130, 230, 330, 430, 530]
    image = frame_with_columns(xs, ys)
    for y in ys[1:-1]:
        cv2.line(image, (xs[0], y), (xs[-1], y), 0, 2)
    # A run in the middle of one cell, shorter than a row's height: no column of its own.
    cv2.line(image, (110, 250), (110, 310), 0, 2)
    tables = ruled_tables(find_rules(image, SIZE), SIZE)
    assert len(tables) == 1 and (tables[0].rows, tables[0].cols) == (5, 3)
    assert sorted(tables[0].spans()) == sorted((c, r, c + 1, r + 1) for r in range(5) for c in range(3))


def ink_boxes(shape: tuple[int, int], boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
    """A page (grey) with a dark block standing for each piece of text."""
    image = np.full(shape, 255, np.uint8)
    for x0, y0, x1, y1 in boxes:
        image[y0:y1, x0:x1] = 0
    return image


def characters(image: np.ndarray, left: int, right: int, top: int) -> None:
    """Square outlines standing for characters 24 px high from left to right."""
    for x in range(left, right - 19, 28):
        cv2.rectangle(image, (x, top), (x + 20, top + 24), 0, 2)
    cv2.rectangle(image, (right - 20, top), (right, top + 24), 0, 2)


def test_a_detected_line_across_a_rule_is_cut_into_the_cells_it_crosses():
    xs, ys = [30, 200, 400], [30, 100, 170]
    image = frame_with_columns(xs, ys)
    cv2.line(image, (xs[0], ys[1]), (xs[-1], ys[1]), 0, 2)
    # Text on both sides of the middle rule in the second row, found as one line; a lone
    # flat mark (a "一") in the first row's second cell, which no line finder takes.
    characters(image, 60, 170, 122)
    characters(image, 230, 360, 122)
    image[62:67, 280:310] = 0
    detected = [Quad.from_box(50, 112, 370, 158)]
    tables, _ = page_tables(image, SIZE, detected=detected)
    assert len(tables) == 1
    cells = {(c.sx, c.sy): c for c in tables[0].cells}
    first, second = cells[(0, 1)].lines, cells[(1, 1)].lines
    assert len(first) == 1 and len(second) == 1
    assert abs(first[0].bounds()[0] - 60) <= 4 and abs(first[0].bounds()[2] - 170) <= 4
    assert abs(second[0].bounds()[0] - 230) <= 4 and abs(second[0].bounds()[2] - 360) <= 4
    mark = cells[(1, 0)].lines
    assert len(mark) == 1
    # Boxed at a character's height, not as flat as the mark.
    assert mark[0].bounds()[3] - mark[0].bounds()[1] >= SIZE - 1
    assert cells[(0, 0)].lines == ()


def test_lines_found_across_columns_still_leave_their_gaps():
    # Every row found as one line over three columns ("55.3 40.0 59"): the gaps are seen
    # in the ink between the words.
    columns = [(0, 100), (160, 230), (300, 400)]
    boxes, lines = [], []
    for r in range(4):
        y = 20 + 50 * r
        boxes += [(a, y, b, y + 30) for a, b in columns]
        lines.append(Quad.from_box(0, y, 400, y + 30))
    ink = ink_boxes((260, 440), boxes) < 128
    empty = np.zeros((10, 10), np.uint8)
    tables = unruled_tables(lines, Rules(empty, empty), SIZE, ink)
    assert len(tables) == 1 and (tables[0].rows, tables[0].cols) == (4, 3)
    without_ink = unruled_tables(lines, Rules(empty, empty), SIZE)
    assert not without_ink


def test_a_vertical_rule_parts_columns_set_closer_than_a_gap():
    # Columns 15 px apart (half a character): too close for an unruled table's gap, but a
    # vertical rule runs down between them.
    columns = [(0, 100), (160, 230), (245, 330)]
    lines = [Quad.from_box(a, 20 + 50 * r, b, 50 + 50 * r) for r in range(4) for a, b in columns]
    empty = np.zeros((10, 10), np.uint8)
    assert unruled_tables(lines, Rules(empty, empty), SIZE)[0].cols == 2
    ruled = Rules(empty, empty, columns=[(237.5, 10.0, 230.0)])
    assert unruled_tables(lines, ruled, SIZE)[0].cols == 3


def test_a_tight_row_opening_with_a_label_is_a_row_of_its_own():
    # Rows set as close as the lines of one cell; the fourth has no unit, the sixth is the
    # second line of the fifth's remark (its label column empty).
    columns = [(0, 80), (150, 250), (320, 400)]
    lines = []
    for r in range(5):
        y = 20 + 36 * r
        lines += [Quad.from_box(a, y, b, y + 28) for a, b in (columns[:2] if r == 3 else columns)]
    lines.append(Quad.from_box(320, 20 + 36 * 5, 400, 48 + 36 * 5))
    empty = np.zeros((10, 10), np.uint8)
    table = unruled_tables(lines, Rules(empty, empty), SIZE)[0]
    assert table.rows == 5
    remark = [c for c in table.cells if (c.sx, c.sy) == (2, 4)][0]
    assert len(remark.lines) == 2
    assert [c for c in table.cells if (c.sx, c.sy) == (1, 3)][0].lines


def test_pieces_of_a_cut_line_take_the_words_of_its_reading():
    from ocr_core.engines.base import TextLine
    from ocr_core.services.table_parse import _split_words
    from ocr_core.services.table_parse.grid import Cell, Table

    # "55.3 40.0 59" read as one line over three cells; "Patient delay" whole in its own.
    whole = (100.0, 10.0, 400.0, 40.0)
    label = (0.0, 10.0, 90.0, 40.0)
    known = {whole: TextLine("55.3 40.0 59", Quad.from_box(*whole), 0.97),
             label: TextLine("Patient delay", Quad.from_box(*label), 0.99)}
    pieces = [(100.0, 10.0, 180.0, 40.0), (220.0, 10.0, 300.0, 40.0), (360.0, 10.0, 400.0, 40.0)]
    cells = (Cell(0, 0, 1, 1, (0, 0, 95, 50), (Quad.from_box(*label),)),) + tuple(
        Cell(n + 1, 0, n + 2, 1, (b[0] - 5, 0, b[2] + 5, 50), (Quad.from_box(*b),)) for n, b in enumerate(pieces))
    split = _split_words([Table(cells, 1, 4, (0, 0, 405, 50))], known)
    assert [split[b].text for b in pieces] == ["55.3", "40.0", "59"]
    assert label not in split
    # Fewer words than pieces: nothing to give, the pieces are read again.
    known[whole] = TextLine("55.340.059", Quad.from_box(*whole), 0.97)
    assert not _split_words([Table(cells, 1, 4, (0, 0, 405, 50))], known)
