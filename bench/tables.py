"""ocr_table_parse's benchmark scores (cell structure and cell text) and its peer, img2table,
run on the same generated tables and scored the same way, side by side.

img2table (the `bench` extra) finds the tables with its own line detection (and, for tables
without rules, its borderless detection) and reads the cells with its TesseractOCR on our
Tesseract language data (chi_sim), as a user of it would run it: structure is the figure that
compares the two designs; text also depends on the reader (ours reads with PP-OCR in `mixed`).
"""
from __future__ import annotations

import contextlib
import os
import sys
import time
from dataclasses import dataclass, field

from bench.synth.documents.table import TableSample, photographed_table, table_page
from bench.synth.truth import Distortion
from ocr_core.settings import get_settings

# Highest share of true cells whose text may be misread (the structure target is the benchmark's).
TEXT_TARGET = 0.05


@dataclass
class CellTally:
    structure_errors: int = 0
    cells: int = 0
    text_errors: int = 0
    texts: int = 0
    seconds: list[float] = field(default_factory=list)

    def add(self, scores: tuple[int, int, int, int]) -> None:
        self.structure_errors += scores[0]
        self.cells += scores[1]
        self.text_errors += scores[2]
        self.texts += scores[3]

    @property
    def structure(self) -> float:
        return 1 - self.structure_errors / self.cells if self.cells else 0.0

    @property
    def text(self) -> float:
        return 1 - self.text_errors / self.texts if self.texts else 0.0


# Text scores of the answers the benchmark has scored, per set (clean, photographed), until reported.
_pending: dict[str, CellTally] = {}


def table_cell_scores(truth: list[list[dict]], tables: list[list[list[dict]]]) -> tuple[int, int, int, int]:
    """(true cells not found with the same sx, sy, ex, ey, plus cells answered that the table
    does not have (a row too many, a cell cut in two); true cells; true non-empty cells not
    read exactly (spaces aside) at the right place; true non-empty cells). The answer's
    tables are matched to the true ones in order, top to bottom."""
    structure_errors = cells = text_errors = texts = 0
    for n, true_cells in enumerate(truth):
        found = {}
        if n < len(tables) and isinstance(tables[n], list):
            for row in tables[n]:
                for cell in row:
                    key = (cell.get("sx"), cell.get("sy"), cell.get("ex"), cell.get("ey"))
                    found[key] = _plain("".join(cell.get("text") or []))
        true_keys = {(c["sx"], c["sy"], c["ex"], c["ey"]) for c in true_cells}
        structure_errors += len(set(found) - true_keys)
        for cell in true_cells:
            key = (cell["sx"], cell["sy"], cell["ex"], cell["ey"])
            cells += 1
            structure_errors += key not in found
            if cell["text"]:
                texts += 1
                text_errors += found.get(key) != _plain(cell["text"])
    return structure_errors, cells, text_errors, texts


def _plain(text: str) -> str:
    return "".join(text.split())


def score_table(sample: TableSample, answer: dict) -> tuple[int, int]:
    """The benchmark's score: true cells whose span was not found, over true cells. The text
    score of the same answer is kept for `report_tables`."""
    scores = table_cell_scores(sample.tables, answer.get("tables") or [])
    _pending.setdefault("photographed" if sample.distortion.background else "clean", CellTally()).add(scores)
    return scores[0], scores[1]


def report_tables(engine: str, count: int, peer: bool = True) -> bool:
    """Print the cell text figures of the run just scored, and img2table's figures on the same
    pictures; whether our text met its target."""
    passed = True
    for label in ("clean", "photographed"):
        tally = _pending.pop(label, CellTally())
        ok = 1 - tally.text <= TEXT_TARGET
        passed &= ok
        print(f"{'ocr_table_parse':16s} {engine:9s} {label:13s} cells {tally.cells}: structure {tally.structure:6.2%} "
              f"text {tally.text:6.2%} (text target ≥ {1 - TEXT_TARGET:.0%}: {'ok' if ok else 'MISSED'})")
    if peer:
        peer_tables(count)
    return passed


def peer_tables(count: int) -> None:
    """img2table on the benchmark's pictures, scored as ours."""
    try:
        from img2table.document import Image as PeerImage
        from img2table.ocr import TesseractOCR
    except ImportError:
        print("img2table not installed (pip install 'ocrq[bench]'): no peer figures")
        return
    with _quiet():  # it runs `tesseract --version` to its own stdout
        ocr = TesseractOCR(n_threads=1, lang="chi_sim", tessdata_dir=get_settings().tessdata)
    for label, distortion_of in (("clean", lambda seed: Distortion()), ("photographed", photographed_table)):
        tally = CellTally()
        for seed in range(count):
            distortion = distortion_of(seed)
            sample = table_page(seed, distortion=distortion)
            data = sample.encode("jpg" if distortion.jpeg_quality else "png")
            started = time.perf_counter()
            try:
                found = PeerImage(src=data, detect_rotation=True).extract_tables(
                    ocr=ocr, implicit_rows=False, borderless_tables=True, min_confidence=50)
            except Exception:  # the peer failing on a picture reads none of its cells
                found = []
            tally.seconds.append(time.perf_counter() - started)
            tables = sorted((peer_json(t) for t in found), key=lambda t: t[1])
            tally.add(table_cell_scores(sample.tables, [t for t, _ in tables]))
        mean = sum(tally.seconds) / max(1, len(tally.seconds))
        print(f"{'img2table':16s} {'tesseract':9s} {label:13s} cells {tally.cells}: structure {tally.structure:6.2%} "
              f"text {tally.text:6.2%}  s/page mean {mean:.2f}")


@contextlib.contextmanager
def _quiet():
    sys.stdout.flush()
    saved = os.dup(1), os.dup(2)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        os.dup2(null.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def peer_json(table) -> tuple[list[list[dict]], float]:
    """An img2table table in the reference's json nesting, and its top. img2table repeats a
    merged cell at every place it covers; each distinct cell becomes one with its span."""
    places: dict[tuple, list[tuple[int, int]]] = {}
    values: dict[tuple, str] = {}
    for r, row in enumerate(table.content.values()):
        for c, cell in enumerate(row):
            key = (cell.bbox.x1, cell.bbox.y1, cell.bbox.x2, cell.bbox.y2)
            places.setdefault(key, []).append((r, c))
            values[key] = cell.value or ""
    rows: dict[int, list[dict]] = {}
    for key, where in places.items():
        sy, sx = min(r for r, _ in where), min(c for _, c in where)
        ey, ex = max(r for r, _ in where) + 1, max(c for _, c in where) + 1
        rows.setdefault(sy, []).append({"sx": sx, "sy": sy, "ex": ex, "ey": ey,
                                        "text": [values[key]] if values[key] else []})
    nested = [sorted(rows[r], key=lambda c: c["sx"]) for r in sorted(rows)]
    return nested, float(table.bbox.y1)


__all__ = ["score_table", "report_tables", "peer_tables", "table_cell_scores", "table_page", "photographed_table"]
