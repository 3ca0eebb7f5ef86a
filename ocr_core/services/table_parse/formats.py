"""The answer formats of ocr_table_parse, all written from the reference's json nesting
(tables → rows → cells with sx, sy, ex, ey, width, height, text): html as the reference's
sample, an xlsx workbook (base64), and csv and markdown, which the reference lacks."""
from __future__ import annotations

import base64
import csv
import html
import io
import re

JsonTables = list[list[list[dict]]]

FORMATS = ("html", "json", "xlsx", "csv", "markdown")

# The head of the reference's html answer, kept as it is for clients that cut it off.
_HTML_HEAD = ('<html>\n<meta http-equiv="Content-Type" content="text/html;charset=UTF-8">\n<style type="text/css">\n'
              ' table tr td { border: 1px solid blue }\n table { border: 1px solid blue }\n'
              ' span.note { font-size: 9px; color: red }\n</style>\n')


# A number as a spreadsheet takes it: optional sign, digits (thousands grouped by commas or
# not), optional decimals, an optional percent sign; an amount in brackets is negative.
_NUMBER = re.compile(r"^([-+]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(%?)$")


def numeric_value(text: str) -> int | float | None:
    """The number a cell's text is, or None when it is text: "1,234.5" → 1234.5, "(12)" → -12,
    "8%" → 0.08. Text that only looks numeric stays text: a leading zero ("007", an account
    or code), more digits than a spreadsheet keeps exactly (15), several lines."""
    value = text.strip()
    negative = value.startswith("(") and value.endswith(")")
    if negative:
        value = value[1:-1].strip()
    match = _NUMBER.match(value)
    if not match:
        return None
    sign, whole, decimals, percent = match.groups()
    digits = whole.replace(",", "")
    if (len(digits) > 1 and digits.startswith("0")) or len(digits) + len(decimals or "") > 15:
        return None
    number: int | float = float(digits + (decimals or "")) if decimals else int(digits)
    if percent:
        number = float(number) / 100
    if (sign == "-") != negative:
        number = -number
    return number


def cell_value(cell: dict) -> str:
    """A cell's text as one value: its text blocks one per line."""
    return "\n".join(cell["text"])


def cells(table: list[list[dict]]) -> list[dict]:
    return [cell for row in table for cell in row]


def grid_size(table: list[list[dict]]) -> tuple[int, int]:
    """(rows, columns) of a table."""
    all_cells = cells(table)
    return max((c["ey"] for c in all_cells), default=0), max((c["ex"] for c in all_cells), default=0)


def to_html(tables: JsonTables) -> str:
    """One `<table>` per table, a `<tr>` per row and a `<td>` per cell starting on it, with
    its colspan and rowspan, as the reference's sample writes them."""
    parts = [_HTML_HEAD]
    for n, table in enumerate(tables):
        parts.append(f'<table "id"={n}>\n')
        for row in table:
            parts.append("<tr>")
            for cell in row:
                text = "".join(html.escape(block) + " " for block in cell["text"])
                parts.append(f'<td colspan={cell["ex"] - cell["sx"]} rowspan={cell["ey"] - cell["sy"]}>{text}</td>')
            parts.append("</tr>")
        parts.append("</table>")
    parts.append("</html>\n")
    return "".join(parts)


def to_xlsx(tables: JsonTables) -> str:
    """A workbook with one sheet per table (table0, table1, ...): each cell's text at its
    place, merged cells merged; a cell that is one number stored as a number (thousands
    separators and percent kept as its format), text with leading zeros kept as text.
    Base64, as the reference answers it."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    book = Workbook()
    book.remove(book.active)
    for n, table in enumerate(tables):
        sheet = book.create_sheet(f"table{n}")
        for cell in cells(table):
            text = cell_value(cell)
            number = numeric_value(text) if len(cell["text"]) == 1 else None
            target = sheet.cell(row=cell["sy"] + 1, column=cell["sx"] + 1,
                                value=text or None if number is None else number)
            target.alignment = Alignment(wrap_text=True, vertical="center")
            if number is not None and text.strip().endswith("%"):
                target.number_format = "0.00%" if "." in text else "0%"
            elif number is not None and "," in text:
                decimals = len(text.split(".")[1].rstrip("%)")) if "." in text else 0
                target.number_format = "#,##0" + ("." + "0" * decimals if decimals else "")
            if cell["ex"] - cell["sx"] > 1 or cell["ey"] - cell["sy"] > 1:
                sheet.merge_cells(start_row=cell["sy"] + 1, start_column=cell["sx"] + 1,
                                  end_row=cell["ey"], end_column=cell["ex"])
    buffer = io.BytesIO()
    book.save(buffer)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _grid(table: list[list[dict]]) -> list[list[str]]:
    """The table as a full grid of strings: a merged cell's text in its first place, the
    places it covers empty."""
    n_rows, n_cols = grid_size(table)
    grid = [["" for _ in range(n_cols)] for _ in range(n_rows)]
    for cell in cells(table):
        grid[cell["sy"]][cell["sx"]] = " ".join(cell["text"])
    return grid


def to_csv(tables: JsonTables) -> str:
    """Each table as CSV rows, tables parted by an empty line."""
    out = io.StringIO()
    for n, table in enumerate(tables):
        if n:
            out.write("\r\n")
        csv.writer(out).writerows(_grid(table))
    return out.getvalue()


def to_markdown(tables: JsonTables) -> str:
    """Each table as a Markdown pipe table, its first row the heading; tables parted by an
    empty line."""
    blocks = []
    for table in tables:
        grid = _grid(table)
        if not grid:
            continue
        cols = len(grid[0])
        lines = ["| " + " | ".join(_md(v) for v in grid[0]) + " |", "|" + "---|" * cols]
        lines += ["| " + " | ".join(_md(v) for v in row) + " |" for row in grid[1:]]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _md(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def write(tables: JsonTables, fmt: str) -> str | JsonTables:
    """The `tables` value of the answer in format `fmt`."""
    if fmt == "json":
        return tables
    return {"html": to_html, "xlsx": to_xlsx, "csv": to_csv, "markdown": to_markdown}[fmt](tables)
