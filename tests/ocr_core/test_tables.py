"""Table geometry on drawn pictures: grids from rule lines, merged cells from missing inner
rules, dotted and broken rules, text that is not a rule, and columns of unruled tables."""
from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest

from bench.synth.documents.table import table_page
from ocr_core.geometry import Quad
from ocr_core.services.table_parse.grid import (
    Rules,
    column_gaps,
    find_rules,
    page_tables,
    ruled_tables,
    rows_by_text,
    text_only,
    unruled_tables,
)
from ocr_core.steps.locate import grey_of
from ocr_core.steps.orient import text_direction

SIZE = 30.0  # the character height the drawn pictures are measured with


def grid_picture(xs: list[int], ys: list[int], missing: list[tuple[tuple[int, int], tuple[int, int]]] = (),
                 dashed: bool = False) -> np.ndarray:
    """White paper with the rules of a grid at xs × ys, less the `missing` segments (end points
    of inner rule pieces between two crossings)."""
    image = np.full((ys[-1] + 60, xs[-1] + 60), 255, np.uint8)
    segments = [((x, ys[i]), (x, ys[i + 1])) for x in xs for i in range(len(ys) - 1)]
    segments += [((xs[i], y), (xs[i + 1], y)) for y in ys for i in range(len(xs) - 1)]
    for a, b in segments:
        if (a, b) in missing:
            continue
        if dashed:
            length = max(abs(b[0] - a[0]), abs(b[1] - a[1]))
            for t in range(0, length, 10):
                e = min(length, t + 6)
                p = (a[0] + (b[0] - a[0]) * t // length, a[1] + (b[1] - a[1]) * t // length)
                q = (a[0] + (b[0] - a[0]) * e // length, a[1] + (b[1] - a[1]) * e // length)
                cv2.line(image, p, q, 0, 2)
        else:
            cv2.line(image, a, b, 0, 2)
    return image


XS, YS = [30, 200, 330, 520], [30, 90, 150, 210, 270]


def test_a_full_grid_gives_one_cell_per_crossing_square():
    tables = ruled_tables(find_rules(grid_picture(XS, YS), SIZE), SIZE)
    assert len(tables) == 1
    table = tables[0]
    assert (table.rows, table.cols) == (4, 3)
    assert table.spans() == [(c, r, c + 1, r + 1) for r in range(4) for c in range(3)]
    assert abs(table.box[0] - 30) <= 4 and abs(table.box[3] - 270) <= 4


def test_missing_inner_rules_make_merged_cells():
    # Row 1: columns 0-1 merged (the vertical rule at x=200 missing there); column 2: rows 2-3
    # merged (the horizontal rule at y=210 missing under it).
    missing = [((200, 90), (200, 150)), ((330, 210), (520, 210))]
    table = ruled_tables(find_rules(grid_picture(XS, YS, missing), SIZE), SIZE)[0]
    spans = table.spans()
    assert (0, 1, 2, 2) in spans and (2, 2, 3, 4) in spans
    assert (1, 1, 2, 2) not in spans and (2, 3, 3, 4) not in spans
    # The cells cover the grid exactly once.
    covered = sorted((c, r) for sx, sy, ex, ey in spans for r in range(sy, ey) for c in range(sx, ex))
    assert covered == sorted((c, r) for r in range(4) for c in range(3))


def test_dashed_rules_are_closed_into_lines():
    table = ruled_tables(find_rules(grid_picture(XS, YS, dashed=True), SIZE), SIZE)[0]
    assert (table.rows, table.cols) == (4, 3)


def test_text_inside_cells_is_not_taken_for_rules():
    image = grid_picture(XS, YS)
    for y in (70, 130, 190, 250):
        # A row of "mm"-like feet and a long run of underscore-free digits' bottoms.
        cv2.putText(image, "0.5mm 1,228,806.97", (40, y), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 0, 2)
    table = ruled_tables(find_rules(image, SIZE), SIZE)[0]
    assert (table.rows, table.cols) == (4, 3)


def test_two_tables_on_one_page_come_top_to_bottom():
    first = grid_picture(XS, YS)
    second = grid_picture([30, 150, 300], [30, 80, 130])
    page = np.full((first.shape[0] + second.shape[0] + 40, first.shape[1]), 255, np.uint8)
    page[:first.shape[0]] = first
    page[first.shape[0] + 40:, :second.shape[1]] = second
    tables = ruled_tables(find_rules(page, SIZE), SIZE)
    assert [(t.rows, t.cols) for t in tables] == [(4, 3), (2, 2)]


def boxes_row(y: float, spans: list[tuple[float, float]]) -> list[Quad]:
    return [Quad.from_box(a, y, b, y + SIZE) for a, b in spans]


def test_unruled_columns_come_from_the_gaps_every_row_shares():
    columns = [(0, 100), (160, 220), (300, 420)]
    rows = [[(a + 5 * (r % 3), 0, b - 10 * (r % 2), 0) for a, b in columns] for r in range(5)]
    gaps = column_gaps([[b for b in row] for row in rows], SIZE)
    assert len(gaps) == 2
    assert 100 <= gaps[0][0] and gaps[0][1] <= 165 and 210 <= gaps[1][0] and gaps[1][1] <= 305


def test_an_unruled_heading_over_two_columns_spans_them():
    lines = boxes_row(0, [(150, 330)])                       # over the 2nd and 3rd columns
    lines += boxes_row(50, [(0, 60), (160, 220), (300, 360)])
    for r in range(4):
        lines += boxes_row(100 + 50 * r, [(0, 100), (160, 250), (300, 420)])
    empty = np.zeros((10, 10), np.uint8)
    tables = unruled_tables(lines, Rules(empty, empty), SIZE)
    assert len(tables) == 1
    spans = tables[0].spans()
    assert (tables[0].rows, tables[0].cols) == (6, 3)
    assert (1, 0, 3, 1) in spans and (0, 0, 1, 1) in spans
    assert all(ex - sx == 1 for sx, sy, ex, ey in spans if sy > 0)


def test_unruled_lines_close_together_are_one_cell_and_rules_part_rows():
    # Rows ruled above and below; the last row's first cell holds two lines.
    lines = []
    for r in range(4):
        lines += boxes_row(20 + 70 * r, [(0, 100), (200, 300)])
    lines += boxes_row(20 + 70 * 3 + 40, [(0, 100)])  # a second line, 40 px under the first
    ys = [5, 65, 135, 205, 320]
    h = np.zeros((400, 400), np.uint8)
    rules = Rules(h, h, rows=[(float(y), -20.0, 320.0) for y in ys])
    table = unruled_tables(lines, rules, SIZE)[0]
    assert table.rows == 4
    last = [c for c in table.cells if c.sy == 3 and c.sx == 0][0]
    assert len(last.lines) == 2


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 7, 9, 11, 14])
def test_generated_tables_structure(seed):
    # ruled, merged (two tables for 4 and 9), finance with a two-row heading, unruled kinds.
    sample = table_page(seed)
    size = text_direction(text_only(sample.image)).char_size
    tables, _ = page_tables(grey_of(sample.image), size)
    truth = [sorted((c["sx"], c["sy"], c["ex"], c["ey"]) for c in cells) for cells in sample.tables]
    assert [sorted(t.spans()) for t in tables] == truth


@pytest.mark.parametrize("kind,seed", [("three_line", 0), ("three_line", 1), ("column_ruled", 0), ("column_ruled", 1),
                                       ("captioned", 0), ("captioned", 1)])
def test_new_kinds_structure(kind, seed):
    # Three-line tables with headings close together, reports ruled by columns only, unruled
    # tables under a caption: every cell in its place, the caption no row of the table.
    sample = table_page(seed, kind=kind)
    size = text_direction(text_only(sample.image)).char_size
    tables, _ = page_tables(grey_of(sample.image), size)
    truth = [sorted((c["sx"], c["sy"], c["ex"], c["ey"]) for c in cells) for cells in sample.tables]
    assert [sorted(t.spans()) for t in tables] == truth


def test_a_band_of_several_text_rows_across_the_columns_is_split_into_rows():
    # A frame, the rules between three columns and one under the heading: no rule between
    # the four body rows, which come back as rows of their own.
    xs, ys = [20, 140, 260, 380], [20, 70, 290]
    picture = grid_picture(xs, [ys[0], ys[-1]])
    cv2.line(picture, (xs[0], ys[1]), (xs[-1], ys[1]), 0, 2)
    grey = grey_of(picture)
    rules = find_rules(grey, SIZE)
    table = ruled_tables(rules, SIZE)[0]
    assert table.rows == 2
    rows = [(c, [Quad.from_box(c.box[0] + 10, 85 + 50 * r, c.box[0] + 90, 85 + 50 * r + SIZE) for r in range(4)])
            for c in table.cells if c.sy == 1]
    cells = tuple(replace(c, lines=tuple(q for cc, qs in rows if cc == c for q in qs)) for c in table.cells)
    split = rows_by_text(replace(table, cells=cells))
    assert split.rows == 5 and len(split.cells) == 15
    assert sorted(split.spans()) == sorted((c, r, c + 1, r + 1) for c in range(3) for r in range(5))
    assert all(len(c.lines) == 1 for c in split.cells if c.sy > 0)


def test_a_cell_of_several_lines_beside_one_line_cells_keeps_its_band():
    xs, ys = [20, 140, 400], [20, 70, 250]
    grey = grey_of(grid_picture(xs, ys))
    rules = find_rules(grey, SIZE)
    table = ruled_tables(rules, SIZE)[0]
    paragraph = tuple(Quad.from_box(150, 85 + 50 * r, 380, 85 + 50 * r + SIZE) for r in range(3))
    label = (Quad.from_box(40, 135, 100, 135 + SIZE),)
    cells = tuple(replace(c, lines=paragraph if (c.sx, c.sy) == (1, 1) else label if (c.sx, c.sy) == (0, 1) else ())
                  for c in table.cells)
    assert rows_by_text(replace(table, cells=cells)).rows == table.rows


def test_a_caption_over_an_unruled_table_is_not_a_row_of_it():
    lines = boxes_row(0, [(0, 60)])                          # "Table 2"
    lines += boxes_row(40, [(0, 380)])                       # its description, across the columns
    for r in range(4):
        lines += boxes_row(100 + 50 * r, [(0, 100), (160, 250), (300, 420)])
    empty = np.zeros((10, 10), np.uint8)
    tables = unruled_tables(lines, Rules(empty, empty), SIZE)
    assert len(tables) == 1 and (tables[0].rows, tables[0].cols) == (4, 3)


def test_headings_found_as_one_line_are_cut_at_the_gaps_between_columns():
    # "Mean SD Median" found as one line: blank paper runs through it where the body's
    # columns part; the pieces become the headings of their columns.
    ink = np.zeros((400, 500), bool)
    heading = [(0, 100), (160, 200), (300, 360)]
    for a, b in heading:
        ink[5:35, a:b] = True
    lines = [Quad.from_box(0, 5, 360, 5 + SIZE)]
    for r in range(4):
        spans = [(0, 100), (160, 250), (300, 420)]
        lines += boxes_row(60 + 50 * r, spans)
        for a, b in spans:
            ink[60 + 50 * r:90 + 50 * r, a:b] = True
    empty = np.zeros((10, 10), np.uint8)
    table = unruled_tables(lines, Rules(empty, empty), SIZE, ink)[0]
    assert (table.rows, table.cols) == (5, 3)
    assert sorted(table.spans()) == sorted((c, r, c + 1, r + 1) for c in range(3) for r in range(5))
