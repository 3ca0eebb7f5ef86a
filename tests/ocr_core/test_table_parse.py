"""ocr_table_parse on generated tables: cells and text flat and photographed (turned by a
quarter or a half), line_less, finance amounts as printed, dir_assure, and the formats that
must agree with the json answer."""
from __future__ import annotations

import base64
import csv
import io
from pathlib import Path
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

import ocr_core
from bench.synth.documents.table import photographed_table, table_page
from bench.tables import table_cell_scores
from ocr_core.errors import WrongCategory
from ocr_core.services.table_parse.formats import numeric_value, to_csv, to_html, to_markdown, to_xlsx


def recognize(sample, **configure) -> dict:
    return ocr_core.recognize("ocr_table_parse", sample.encode("jpg" if sample.distortion.jpeg_quality else "png"),
                              {"format": "json", **configure})


def assert_all_cells(sample, answer: dict) -> None:
    structure_errors, cells, text_errors, texts = table_cell_scores(sample.tables, answer["tables"])
    assert (structure_errors, text_errors) == (0, 0), (sample.tables, answer["tables"])
    assert len(answer["tables"]) == len(sample.tables)


@pytest.fixture(scope="module")
def merged_answer():
    # Two ruled tables with merged cells, one of them over two rows with two lines of text.
    sample = table_page(9)
    return sample, recognize(sample, evidence=True)


def test_merged_cells_and_text_blocks(merged_answer):
    sample, answer = merged_answer
    assert_all_cells(sample, answer)
    first = answer["tables"][0][0][0]
    assert list(first) == ["sx", "sy", "ex", "ey", "height", "width", "text"]
    assert first["width"] > 0 and first["height"] > 0 and isinstance(first["text"], list)
    # Every cell has its evidence, with its box in the picture.
    cells = [cell for table in answer["tables"] for row in table for cell in row]
    assert len(answer["evidence"]) == len(cells)
    item = answer["evidence"]["tables[0][0][0]"]
    assert len(item["box"]) == 4 and 0 < item["prob"] <= 1


@pytest.mark.parametrize("seed", [5, 8])  # turned 180° and 270°, tilted, on a desk
def test_photographed_and_turned(seed):
    sample = table_page(seed, distortion=photographed_table(seed))
    assert sample.distortion.rotate in (180, 270)
    answer = recognize(sample, evidence=True)
    assert_all_cells(sample, answer)
    assert f"rotated_{sample.distortion.rotate}" in answer["warnings"]


def test_line_less_reads_a_three_line_table_with_a_spanning_heading():
    sample = table_page(7)
    assert sample.styles == ["unruled:three_line"]
    assert_all_cells(sample, recognize(sample, line_less=True))


@pytest.mark.parametrize("kind", ["three_line", "column_ruled", "captioned"])
def test_three_line_column_ruled_and_captioned_tables(kind):
    # A paper's three-line table with headings close together, a report ruled by columns
    # only, an unruled table under a caption: every cell in place and read, no caption row.
    sample = table_page(0, kind=kind)
    assert_all_cells(sample, recognize(sample))


def test_a_real_ruled_table_with_a_merged_title_row():
    # RapidAI/TableStructureRec's table3.jpg (tests/data/real/SOURCES.md): the title row
    # over both columns, a tinted heading, eight rows.
    path = Path(__file__).parents[1] / "data" / "real" / "images" / "table_tsr_textin.jpg"
    answer = ocr_core.recognize("ocr_table_parse", path.read_bytes(), {"format": "json"})
    spans = sorted((c["sx"], c["sy"], c["ex"], c["ey"]) for row in answer["tables"][0] for c in row)
    assert spans == sorted([(0, 0, 2, 1)] + [(c, r, c + 1, r + 1) for r in range(1, 9) for c in range(2)])


def test_finance_keeps_separators_and_bracketed_negatives():
    sample = table_page(10)  # a financial statement, some amounts in brackets
    answer = recognize(sample, finance=True, dir_assure=True)
    assert_all_cells(sample, answer)
    texts = ["".join(c["text"]) for row in answer["tables"][0] for c in row]
    assert any(t.startswith("(") and t.endswith(")") and "," in t for t in texts)


def test_a_page_without_a_table_is_the_wrong_category(page_png):
    with pytest.raises(WrongCategory):
        ocr_core.recognize("ocr_table_parse", page_png, {})


class _Spans(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: list[list[list[tuple[int, int, str]]]] = []
        self._text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag == "td":
            self._span = (int(attrs["colspan"]), int(attrs["rowspan"]))
            self._text = []

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "td":
            self.tables[-1][-1].append((*self._span, "".join(self._text)))
            self._text = None


def test_html_spans_and_xlsx_merges_equal_the_json(merged_answer):
    _, answer = merged_answer
    tables = answer["tables"]
    parser = _Spans()
    parser.feed(to_html(tables))
    assert parser.tables == [[[(c["ex"] - c["sx"], c["ey"] - c["sy"], "".join(b + " " for b in c["text"]))
                               for c in row] for row in table] for table in tables]
    book = load_workbook(io.BytesIO(base64.b64decode(to_xlsx(tables))))
    assert book.sheetnames == [f"table{n}" for n in range(len(tables))]
    for sheet, table in zip(book.worksheets, tables):
        cells = [c for row in table for c in row]
        merged = sorted((r.min_col - 1, r.min_row - 1, r.max_col, r.max_row) for r in sheet.merged_cells.ranges)
        assert merged == sorted((c["sx"], c["sy"], c["ex"], c["ey"]) for c in cells
                                if c["ex"] - c["sx"] > 1 or c["ey"] - c["sy"] > 1)
        for c in cells:
            text = "\n".join(c["text"])
            number = numeric_value(text) if len(c["text"]) == 1 else None
            assert (sheet.cell(c["sy"] + 1, c["sx"] + 1).value or "") == (text if number is None else number)


def test_xlsx_stores_numbers_as_numbers_and_codes_with_leading_zeros_as_text():
    texts = ["1,234.50", "(12)", "-3.5", "8%", "42", "007", "0.5", "12a", "A-1", "123456789012345678"]
    table = [[{"sx": n, "sy": 0, "ex": n + 1, "ey": 1, "width": 10, "height": 10, "text": [t]}
              for n, t in enumerate(texts)]]
    sheet = load_workbook(io.BytesIO(base64.b64decode(to_xlsx([table])))).worksheets[0]
    values = [sheet.cell(1, n + 1).value for n in range(len(texts))]
    assert values == [1234.5, -12, -3.5, 0.08, 42, "007", 0.5, "12a", "A-1", "123456789012345678"]
    assert [type(v) for v in values[:7]] == [float, int, float, float, int, str, float]
    assert sheet.cell(1, 1).number_format == "#,##0.00" and sheet.cell(1, 4).number_format == "0%"


def test_csv_and_markdown_hold_every_cell_once(merged_answer):
    _, answer = merged_answer
    tables = answer["tables"]
    blocks = to_csv(tables).split("\r\n\r\n")
    assert len(blocks) == len(tables)
    for block, table in zip(blocks, tables):
        grid = list(csv.reader(io.StringIO(block)))
        for c in (c for row in table for c in row):
            assert grid[c["sy"]][c["sx"]] == " ".join(c["text"])
    markdown = to_markdown(tables)
    assert sum(line.startswith("|---") for line in markdown.splitlines()) == len(tables)
    first = tables[0][0]
    assert markdown.splitlines()[0] == "| " + " | ".join(" ".join(c["text"]) for c in first) + " |"
