"""ocr_table_parse: the tables of a picture (ruled, partly ruled or unruled; merged cells;
several per page), each cell's place, size and text, as html, json, xlsx, csv or markdown."""
from __future__ import annotations

import re

import cv2
import numpy as np

from ocr_core.engines import Engine, Pipeline, get_engine
from ocr_core.engines.base import Reading, TextLine
from ocr_core.errors import WrongCategory
from ocr_core.geometry import Quad, Transform, rotate_image, scale_image, warp_quad
from ocr_core.services.table_parse.formats import FORMATS, write
from ocr_core.services.table_parse.grid import Cell, find_rules, page_tables, text_ink, text_only, tight_lines
from ocr_core.steps.answer import Findings
from ocr_core.steps.locate import character_size, even_light, grey_of, ink_mask
from ocr_core.steps.orient import find_page, text_direction, upright_page
from ocr_core.steps.read import line_crop

OPTIONS = {"format": FORMATS, "finance": bool, "dir_assure": bool, "line_less": bool}
# Characters are brought to about this height (px) to find rules and read cells.
_READ_CHAR_HEIGHT = 30
_MAX_UPSCALE = 3.0
# Below this tilt the page is read as it is (degrees).
_MIN_DESKEW = 0.3
# Tilt above which the answer warns that it straightened the page (degrees), as reading.py does.
_SKEW_WARNING = 2.0
# Lines read again without the line classifier to tell an upright page from one turned by half.
_UPRIGHT_CHECKS = 2
# Their mean confidence read so: italic small print reads 0.66-0.9 upright, a line upside down
# much less.
_UPRIGHT_PROB = 0.7
# A line of the page's reading below this confidence is read a second time.
_SURE = 0.9
# Readings below this confidence are specks and rule remnants, not text.
_MIN_PROB = 0.3
# What a reader puts for the figures and marks of a printed amount, and what they are.
_FIGURE_SLIPS = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1", "Z": "2",
                               "S": "5", "s": "5", "B": "8", "g": "9", "，": ",", "。": ".", "、": ",",
                               "（": "(", "）": ")", "－": "-", "—": "-", "一": "-", " ": ""})
_AMOUNT = re.compile(r"^\(?-?\d{1,3}(,\d{3})*(\.\d+)?%?\)?$|^\(?-?\d+(\.\d+)?%?\)?$|^-$")


def ocr_table_parse(image: np.ndarray, configure: dict, pipeline: Pipeline) -> Findings:
    engine = get_engine(pipeline.reader)
    assured = configure.get("dir_assure", False)
    as_read = None
    if not assured and "ppocr" in pipeline.engines:
        # The page read as it came first: when it reads upright, the turn search (which reads
        # lines at each candidate turn) is spared; and unless the page is turned after all,
        # this reading is the cells' text.
        as_read = get_engine("ppocr").read_page(image)
        assured = _reads_upright(image, as_read, get_engine("ppocr"))
    upright, to_original, size, warnings = _upright(image, engine, assured)
    factor = min(_MAX_UPSCALE, _READ_CHAR_HEIGHT / size) if size else 1.0
    page_to_original = to_original
    scaled, to_upright = scale_image(upright, factor)
    to_original = to_upright.then(to_original)
    size = size * factor if size else _READ_CHAR_HEIGHT
    grey = even_light(grey_of(scaled), size)
    rules = find_rules(grey, size)
    read_page = _page_lines(image, upright, page_to_original, factor, pipeline, as_read)
    known: dict[tuple[float, ...], TextLine] = {}
    if read_page is not None:
        ink = text_ink(grey, rules)
        for line in read_page:
            tight = tight_lines([line.quad], ink)
            if tight:
                known[tight[0].bounds()] = line
    detected = None if read_page is None else [Quad.from_box(*box) for box in known]
    tables, rules = page_tables(grey, size, configure.get("line_less", False), detected, rules)
    if not tables:
        raise WrongCategory()
    # Cells are read with the rules painted out: a border in a crop reads as 1, | or 一.
    ruled = cv2.bitwise_or(rules.horizontal, rules.vertical)
    clean = grey.copy()
    clean[ruled > 0] = 255
    if known:
        # Pieces of lines are read from the page as it came, with the rules painted out in
        # the paper's tone: a rule beside "U/L" reads "1/n".
        h, w = upright.shape[:2]
        ruled_here = cv2.dilate(cv2.resize(ruled, (w, h), interpolation=cv2.INTER_AREA), np.ones((3, 3), np.uint8)) > 0
        upright = upright.copy()
        upright[ruled_here] = np.percentile(upright, 90, axis=(0, 1)).astype(upright.dtype)
    known = {**known, **_split_words(tables, known)}
    finance = configure.get("finance", False)
    answer_tables, evidence = [], {}
    for t, table in enumerate(tables):
        read = []
        for cell in table.cells:
            texts, prob = _read_cell(clean, upright, factor, known, cell, engine, finance)
            box = to_original.apply_quad(Quad.from_box(*cell.box))
            valid = bool(_AMOUNT.match("".join(texts))) if finance and texts and _figures(texts) else None
            read.append(({"sx": cell.sx, "sy": cell.sy, "ex": cell.ex, "ey": cell.ey, "height": int(round(box.thickness)),
                          "width": int(round(box.length)), "text": texts},
                         {"box": box.to_list(), "prob": round(prob, 5), "valid": valid}))
        if not table.ruled:
            read = _without_empty_rows(read)
        rows: dict[int, list[dict]] = {}
        for item, proof in read:
            row = rows.setdefault(item["sy"], [])
            row.append(item)
            evidence[f"tables[{t}][{len(rows) - 1}][{len(row) - 1}]"] = proof
        answer_tables.append([rows[r] for r in sorted(rows)])
    # The reference's table answer opens with `success`.
    return Findings({"success": True, "tables": write(answer_tables, configure.get("format", "json"))},
                    evidence, warnings, pipeline.reader)


def _upright(image: np.ndarray, engine: Engine, assured: bool) -> tuple[np.ndarray, Transform, float, list[str]]:
    """The page flattened (when it lies on a desk) and straightened, and turned upright unless
    the client says it is (`dir_assure`); the transform back, the character height, warnings."""
    if not assured:
        # Oriented on the text alone: a grid's rules and the text they touch make no line
        # shapes, and crowd out the cells' short lines.
        page = upright_page(text_only(image), engine)
        h, w = page.image.shape[:2]
        upright = cv2.warpPerspective(image, np.linalg.inv(page.transform.matrix), (w, h), flags=cv2.INTER_LINEAR,
                                      borderMode=cv2.BORDER_REPLICATE)
        warnings = ([f"rotated_{page.rotation}"] if page.rotation else []) + (
            ["skew_corrected"] if abs(page.skew) > _SKEW_WARNING else [])
        return upright, page.transform, page.char_size or _size(upright), warnings
    quad = find_page(image)
    flat, to_original = warp_quad(image, quad) if quad is not None else (image, Transform.identity())
    found = text_direction(text_only(flat))
    if found is not None and _MIN_DESKEW <= abs(found.skew) < 45:
        border = int(np.median(grey_of(flat)[0]))
        flat, to_flat = rotate_image(flat, -found.skew, border=border if flat.ndim == 2 else (border,) * 3)
        to_original = to_flat.then(to_original)
    return flat, to_original, found.char_size if found else _size(flat), []


def _page_lines(image: np.ndarray, upright: np.ndarray, to_original: Transform, factor: float,
                pipeline: Pipeline, as_read: list[TextLine] | None = None) -> list[TextLine] | None:
    """The page's text lines as PP-OCR reads the whole page (its detector, line classifier
    and recogniser), their boxes on the upright page scaled by `factor`, when the pipeline
    reads with PP-OCR; else None (the engine-free line finder's lines, cell by cell).
    On real tables the detector finds the small print, faint and tinted cells that the
    line finder loses, and the recogniser reads its own crops of the page better than
    crops of a page scaled up and evened (bench.real: the figures are in the README).
    A page only straightened by a little is read as it came: resampling it to take out a
    tilt of a fraction of a degree blurs small print (a 7 px "e" reads "o"), and the
    detector's boxes follow a slight tilt."""
    if "ppocr" not in pipeline.engines:
        return None
    engine = get_engine("ppocr")
    m = to_original.matrix
    tilt = np.degrees(np.arctan2(m[1, 0], m[0, 0]))
    as_it_came = (np.allclose(m[2], [0, 0, 1]) and abs(tilt) <= _SKEW_WARNING
                  and abs(np.hypot(m[0, 0], m[1, 0]) - 1) < 0.01)
    if as_it_came:
        to_page = to_original.inverse()
        lines = [TextLine(line.text, to_page.apply_quad(line.quad), line.prob)
                 for line in (as_read if as_read is not None else engine.read_page(image))]
    else:
        lines = engine.read_page(upright)
    return [TextLine(line.text, Quad.from_points([(x * factor, y * factor) for x, y in line.quad.points]), line.prob)
            for line in lines]


def _reads_upright(image: np.ndarray, lines: list[TextLine], engine: Engine) -> bool:
    """Whether a page PP-OCR read as it came is upright within a couple of degrees: most of
    its lines run left to right, and its longest sure lines read well again without the
    line classifier (which turns a line read upside down, so that a page turned by half
    reads as well as an upright one). Else the turn search decides."""
    if len(lines) < 3:
        return False
    level = [line for line in lines if abs(line.quad.direction) <= _SKEW_WARNING and line.quad.length > line.quad.thickness]
    if len(level) < 0.8 * len(lines):
        return False
    sure = sorted((line for line in level if line.prob >= _SURE), key=lambda line: -line.quad.length)[:_UPRIGHT_CHECKS]
    if not sure:
        return False
    again = [engine.read_line(line_crop(image, line.quad)).prob for line in sure]
    return float(np.mean(again)) >= _UPRIGHT_PROB


def _size(image: np.ndarray) -> float:
    return character_size(ink_mask(grey_of(image))) or 0.0


def _read_cell(grey: np.ndarray, upright: np.ndarray, factor: float, known: dict[tuple[float, ...], TextLine],
               cell: Cell, engine: Engine, finance: bool) -> tuple[list[str], float]:
    """The text blocks of a cell, one per line in reading order, and their least confidence.
    A line the page's reading holds whole keeps its text; a piece of one (cut at a cell's
    side or a gap between columns) is read again from the page as it came, at its own
    resolution; a line of the engine-free finder is read from the scaled page `grey`."""
    texts, probs = [], []
    for quad in cell.lines:
        line = known.get(quad.bounds())
        if line is not None:
            reading = Reading(line.text, line.prob)
            if reading.prob < _SURE:
                # A doubtful reading of the page's crop ("U/L" as "1/n" at 0.8) is read again
                # from the scaled and evened page, which stands when it is sure.
                again = engine.read_line(line_crop(grey, quad))
                reading = again if again.prob >= _SURE else reading
        elif known:
            reading = engine.read_line(_piece_crop(upright, quad, 1.0 / factor))
        else:
            reading = engine.read_line(line_crop(grey, quad))
        text = reading.text.strip()
        if reading.prob < _MIN_PROB or not any(ch.isalnum() for ch in text):
            continue
        texts.append(text)
        probs.append(reading.prob)
    if finance and texts and _figures(texts):
        texts = [_amount_text(t) for t in texts]
    return texts, min(probs) if probs else 0.0


def _split_words(tables: list, known: dict[tuple[float, ...], TextLine]) -> dict[tuple[float, ...], TextLine]:
    """Readings of the pieces a line was cut into, from the words of its own reading where
    they part as the pieces do: "55.3 40.0 59" cut into three cells is "55.3", "40.0" and
    "59", without reading the pieces again. A word goes to the piece under its middle,
    placed along the line by its share of the line's characters; a line whose words leave
    a piece without any, or whose reading has fewer words than pieces, is read again."""
    lines = list(known.items())
    pieces: dict[int, list[tuple[float, ...]]] = {}
    out: dict[tuple[float, ...], TextLine] = {}
    for table in tables:
        for cell in table.cells:
            for quad in cell.lines:
                box = quad.bounds()
                if box in known:
                    continue
                middle = (box[1] + box[3]) / 2
                for n, (whole, line) in enumerate(lines):
                    if max(abs(a - b) for a, b in zip(box, whole)) <= 1.5:
                        # The whole line, its box measured a pixel apart.
                        out[box] = line
                        break
                    if whole[1] <= middle <= whole[3] and whole[0] - 1 <= box[0] and box[2] <= whole[2] + 1:
                        pieces.setdefault(n, []).append(box)
                        break
    for n, boxes in pieces.items():
        whole, line = lines[n]
        words = line.text.split()
        if len(words) < len(boxes) or len(boxes) < 2:
            continue
        # Each character and each space counted as one step along the line.
        steps = len(" ".join(words))
        width = max(1.0, whole[2] - whole[0])
        boxes = sorted(boxes)
        given: list[list[str]] = [[] for _ in boxes]
        at = 0
        for word in words:
            centre = whole[0] + width * (at + len(word) / 2) / steps
            at += len(word) + 1
            i = min(range(len(boxes)), key=lambda k: 0 if boxes[k][0] <= centre <= boxes[k][2]
                    else min(abs(centre - boxes[k][0]), abs(centre - boxes[k][2])))
            given[i].append(word)
        if all(given):
            out.update({box: TextLine(" ".join(g), Quad.from_box(*box), line.prob) for box, g in zip(boxes, given)})
    return out


def _piece_crop(image: np.ndarray, quad: Quad, shrink: float) -> np.ndarray:
    """A piece of a line on `image` (its box given on a page `1 / shrink` times larger), with
    half its height of margin at the ends and a third above and below: the recogniser reads
    a tight crop of small print worse, and more above and below takes in the next row."""
    left, top, right, bottom = (v * shrink for v in quad.bounds())
    height = bottom - top
    h, w = image.shape[:2]
    x0, y0 = max(0, int(left - 0.5 * height)), max(0, int(top - 0.3 * height))
    x1, y1 = min(w, int(np.ceil(right + 0.5 * height))), min(h, int(np.ceil(bottom + 0.3 * height)))
    return image[y0:y1, x0:x1]


def _without_empty_rows(read: list[tuple[dict, dict]]) -> list[tuple[dict, dict]]:
    """The cells of an unruled table less its rows that read nothing: a row there is only
    where text was seen, so one without any was a speck or a shadow taken for a line."""
    empty = {item["sy"] for item, _ in read} - {item["sy"] for item, _ in read if item["text"]}
    kept = []
    for item, proof in read:
        if item["sy"] in empty:
            continue
        shift = sum(1 for r in empty if r < item["sy"])
        kept.append(({**item, "sy": item["sy"] - shift, "ey": item["ey"] - shift}, proof))
    return kept


def _figures(texts: list[str]) -> bool:
    """Whether a cell holds an amount: figures and their marks, with at most a slip or two."""
    joined = "".join(texts).translate(_FIGURE_SLIPS)
    digits = sum(ch.isdigit() for ch in joined)
    return digits >= 1 and sum(ch.isdigit() or ch in ",.()%-" for ch in joined) >= 0.85 * len(joined)


def _amount_text(text: str) -> str:
    """An amount restricted to figures, separators, sign and brackets, as printed: letters the
    reader put for figures (O for 0, S for 5) turned back, anything else dropped."""
    return "".join(ch for ch in text.translate(_FIGURE_SLIPS) if ch.isdigit() or ch in ",.()%-")


__all__ = ["ocr_table_parse", "OPTIONS"]
