"""The table generator's truth (a partition of each grid, the benchmark's mix of kinds) and
the table scores, ours and the img2table peer's conversion."""
from __future__ import annotations

import re

import numpy as np
import pytest

from bench.synth.documents import table_page
from bench.tables import peer_json, table_cell_scores


def test_reproducible_by_seed():
    a, b = table_page(6), table_page(6)
    assert a.tables == b.tables and np.array_equal(a.image, b.image)
    assert table_page(10).tables != a.tables


@pytest.mark.parametrize("seed", range(12))
def test_cells_cover_each_grid_exactly_once(seed):
    for cells in table_page(seed).tables:
        rows, cols = max(c["ey"] for c in cells), max(c["ex"] for c in cells)
        covered = sorted((x, y) for c in cells for y in range(c["sy"], c["ey"]) for x in range(c["sx"], c["ex"]))
        assert covered == sorted((x, y) for y in range(rows) for x in range(cols))
        assert [(c["sy"], c["sx"]) for c in cells] == sorted((c["sy"], c["sx"]) for c in cells)


def test_the_benchmark_mix_half_merged_a_quarter_unruled():
    samples = [table_page(seed) for seed in range(40)]
    merged = sum(any(c["ex"] - c["sx"] > 1 or c["ey"] - c["sy"] > 1 for t in s.tables for c in t) for s in samples)
    unruled = sum(s.styles[0].startswith("unruled") for s in samples)
    assert merged >= 20 and unruled == 10
    assert any(len(s.tables) == 2 for s in samples)
    amounts = [c["text"] for s in samples if s.kind == "table_finance" for c in s.tables[0]]
    assert any(re.fullmatch(r"\(\d{1,3}(,\d{3})+\.\d\d\)", a) for a in amounts)
    assert any(re.fullmatch(r"\d{1,3}(,\d{3})+\.\d\d", a) for a in amounts)


def test_scores_count_spans_and_texts():
    truth = [[{"sx": 0, "sy": 0, "ex": 2, "ey": 1, "text": "合计"}, {"sx": 0, "sy": 1, "ex": 1, "ey": 2, "text": ""},
              {"sx": 1, "sy": 1, "ex": 2, "ey": 2, "text": "(12,345.00)"}]]
    answer = [[[{"sx": 0, "sy": 0, "ex": 2, "ey": 1, "text": ["合", "计"]}],
               [{"sx": 0, "sy": 1, "ex": 2, "ey": 2, "text": ["(12,345.00)"]}]]]
    # Two true cells missed, and the merged one answered that the table does not have.
    assert table_cell_scores(truth, answer) == (3, 3, 1, 2)
    assert table_cell_scores(truth, []) == (3, 3, 2, 2)


def test_img2table_merged_cells_become_one_cell_with_its_span():
    extraction = pytest.importorskip("img2table.tables.extraction")
    box = extraction.BBox

    def cell(x1, y1, x2, y2, value):
        return extraction.TableCell(bbox=box(x1, y1, x2, y2), value=value)

    merged = cell(0, 0, 200, 50, "合计")
    table = extraction.ExtractedTable(bbox=box(0, 0, 200, 100), title=None, content={
        0: [merged, merged], 1: [cell(0, 50, 100, 100, "1"), cell(100, 50, 200, 100, None)]})
    nested, top = peer_json(table)
    assert nested == [[{"sx": 0, "sy": 0, "ex": 2, "ey": 1, "text": ["合计"]}],
                      [{"sx": 0, "sy": 1, "ex": 1, "ey": 2, "text": ["1"]}, {"sx": 1, "sy": 1, "ex": 2, "ey": 2, "text": []}]]
    assert top == 0
