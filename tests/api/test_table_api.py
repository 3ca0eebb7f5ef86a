"""ocr_table_parse through the API, in every answer format: the reference's html, json and
xlsx, and csv and markdown."""
from __future__ import annotations

import base64
import io
import json

import pytest
from openpyxl import load_workbook

from bench.synth.documents import table_page
from tests.servers import b64

pytestmark = pytest.mark.usefixtures("worker")


@pytest.fixture(scope="module")
def sample():
    # A ruled table with a cell merged over two rows and two columns.
    return table_page(1)


def call(client, appcode, sample, fmt: str) -> dict:
    configure = json.dumps({"format": fmt, "finance": False, "dir_assure": False, "line_less": False})
    r = client.post("/rest/160601/ocr/ocr_table_parse.json", headers={"Authorization": f"APPCODE {appcode}"},
                    data=json.dumps({"image": b64(sample.encode("png")), "configure": configure}))
    assert r.status_code == 200, r.json
    assert r.json["success"] is True and r.json["request_id"]
    return r.json


def test_json_and_xlsx_agree_with_the_truth(client, appcode, sample):
    tables = call(client, appcode, sample, "json")["tables"]
    read = sorted(((c["sx"], c["sy"], c["ex"], c["ey"]), "".join(c["text"])) for row in tables[0] for c in row)
    assert read == sorted(((c["sx"], c["sy"], c["ex"], c["ey"]), c["text"]) for c in sample.tables[0])
    book = load_workbook(io.BytesIO(base64.b64decode(call(client, appcode, sample, "xlsx")["tables"])))
    sheet = book["table0"]
    assert sorted(str(r) for r in sheet.merged_cells.ranges) == sorted(
        f"{chr(65 + c['sx'])}{c['sy'] + 1}:{chr(64 + c['ex'])}{c['ey']}" for c in sample.tables[0]
        if c["ex"] - c["sx"] > 1 or c["ey"] - c["sy"] > 1)
    assert [[sheet.cell(c["sy"] + 1, c["sx"] + 1).value or "" for c in row] for row in tables[0]] == \
        [["\n".join(c["text"]) for c in row] for row in tables[0]]


@pytest.mark.parametrize("fmt", ["html", "csv", "markdown"])
def test_text_formats(client, appcode, sample, fmt):
    text = call(client, appcode, sample, fmt)["tables"]
    assert isinstance(text, str)
    first = sample.tables[0][0]["text"]
    assert first in text
    if fmt == "html":
        assert text.startswith("<html>") and text.count("<table") == 1
        assert "rowspan=2" in text or "colspan=2" in text
