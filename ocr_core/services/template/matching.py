"""Custom templates (the reference's 自定义模板): a definition checked, its anchors found on a page,
the template's coordinates mapped onto the page by a homography, and its fields and tables read there."""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from ocr_core.engines.base import Engine, TextLine
from ocr_core.errors import InvalidOption, TemplateNoAnchors, TemplateNoFields, TemplateNotSet, TooFewAnchors
from ocr_core.geometry import Quad
from ocr_core.steps.extract import span_quad
from ocr_core.steps.locate import find_text_lines, grey_of, ink_mask

# A homography has eight degrees of freedom: four points fix it, so four anchors are the least.
MIN_ANCHORS = 4
# Characters are read at about this height (px), the height the engines read best (reading.py).
_READ_CHAR_HEIGHT = 30
# Readings below this confidence are specks and rule ends (as in reading.py).
_MIN_PROB = 0.3
TABLE_MODES = {"(hl)": "hl", "(vl)": "vl", "(nl)": "nl"}
MULTILINE = "(cr)"

Box = tuple[float, float, float, float]  # x, y, w, h in the template's picture


@dataclass(frozen=True)
class Anchor:
    text: str
    box: Box


@dataclass(frozen=True)
class FieldBox:
    name: str          # as the user wrote it, `(cr)` included
    box: Box

    @property
    def key(self) -> str:
        return field_key(self.name)

    @property
    def multiline(self) -> bool:
        return self.name.strip().endswith(MULTILINE)


@dataclass(frozen=True)
class Column:
    label: str
    x0: float          # template x of the column's left and right edges (absolute, not within the table)
    x1: float


@dataclass(frozen=True)
class TableBox:
    """A table's body rows (its heading, fixed text, is best given as anchors) and its columns."""

    name: str
    box: Box
    columns: tuple[Column, ...]

    @property
    def key(self) -> str:
        return table_key(self.name)[0]

    @property
    def mode(self) -> str:
        """grid (ruled both ways), hl (only horizontal rules), vl (only vertical), nl (none)."""
        return table_key(self.name)[1]


@dataclass(frozen=True)
class Template:
    name: str
    anchors: tuple[Anchor, ...]
    fields: tuple[FieldBox, ...]
    tables: tuple[TableBox, ...]

    @property
    def char_height(self) -> float:
        """The template's character height: anchors are single lines boxed tightly."""
        return float(np.median([a.box[3] for a in self.anchors]))


def field_key(name: str) -> str:
    name = name.strip()
    return name[:-len(MULTILINE)].strip() if name.endswith(MULTILINE) else name


def table_key(name: str) -> tuple[str, str]:
    name = name.strip()
    for suffix, mode in TABLE_MODES.items():
        if name.endswith(suffix):
            return name[:-len(suffix)].strip(), mode
    return name, "grid"


# --- the definition ----------------------------------------------------------------------

def parse_template(data: Any) -> Template:
    """A template from its JSON definition (API.md "Templates"), or the reference's error:
    452 no definition, 453 no anchors, 454 no fields nor tables, 461 a malformed entry."""
    if not isinstance(data, dict) or not data:
        raise TemplateNotSet("the template has no definition")
    anchors = tuple(Anchor(_text(a, "text", "anchor"), _box(a, "anchor")) for a in _entries(data, "anchors"))
    if not anchors:
        raise TemplateNoAnchors()
    fields = tuple(FieldBox(_text(f, "name", "field"), _box(f, "field")) for f in _entries(data, "fields"))
    tables = []
    for t in _entries(data, "tables"):
        columns = t.get("columns")
        if not isinstance(columns, list) or not columns:
            raise InvalidOption(detail="a table needs columns [{label, x0, x1}]")
        cols = []
        for c in columns:
            if not isinstance(c, dict) or not all(_number(c.get(k)) for k in ("x0", "x1")) or c["x1"] <= c["x0"]:
                raise InvalidOption(detail="a table column needs label, x0 < x1")
            cols.append(Column(str(c.get("label", "")), float(c["x0"]), float(c["x1"])))
        tables.append(TableBox(_text(t, "name", "table"), _box(t, "table"), tuple(cols)))
    if not fields and not tables:
        raise TemplateNoFields()
    return Template(str(data.get("name", "")), anchors, fields, tuple(tables))


def _entries(data: dict, key: str) -> list[dict]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise InvalidOption(detail=f"template {key} must be a list of objects")
    return value


def _text(entry: dict, key: str, what: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidOption(detail=f"every {what} needs a non-empty {key}")
    return value.strip()


# Far past any page's size in pixels: a coordinate beyond it is a client's mistake, not a layout.
MAX_COORDINATE = 100_000


def _number(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and abs(value) <= MAX_COORDINATE)


def _box(entry: dict, what: str) -> Box:
    box = entry.get("box")
    if not (isinstance(box, list) and len(box) == 4 and all(map(_number, box)) and box[2] > 0 and box[3] > 0):
        raise InvalidOption(detail=f"a {what}'s box must be [x, y, w, h] with w, h > 0")
    return tuple(float(v) for v in box)


# --- text matching -----------------------------------------------------------------------

def normalize(text: str) -> str:
    """Text as compared: full-width forms folded, case folded, no spaces nor colons (OCR
    drops and doubles them at will)."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\s:]", "", text)


def allowed_slips(text: str) -> int:
    """Characters that may be misread in a text of this length and still match: none in a
    word of two, where one slip is half of it."""
    return 0 if len(text) <= 2 else 1 if len(text) <= 5 else 2


def find_approx(text: str, word: str, slips: int | None = None) -> tuple[int, int, int] | None:
    """The best place of `word` in `text` with at most `slips` edits: (start, end, edits)."""
    if not word:
        return None
    slips = allowed_slips(word) if slips is None else slips
    at = text.find(word)
    if at >= 0:
        return at, at + len(word), 0
    if slips == 0:
        return None
    # Sellers' algorithm: edit distance of `word` to the best substring of `text` ending at j.
    m = len(word)
    cost = list(range(m + 1))
    start = [0] * (m + 1)
    best = None
    for j, ch in enumerate(text, 1):
        prev_cost, prev_start = cost[:], start[:]
        cost[0], start[0] = 0, j
        for i in range(1, m + 1):
            options = ((prev_cost[i - 1] + (word[i - 1] != ch), prev_start[i - 1]),
                       (prev_cost[i] + 1, prev_start[i]),
                       (cost[i - 1] + 1, start[i - 1]))
            cost[i], start[i] = min(options)
        if cost[m] <= slips and (best is None or cost[m] < best[2]):
            best = (start[m], j, cost[m])
    return best


MAX_CONDITION_DEPTH = 8


def check_condition(cond: Any, depth: int = 0) -> None:
    """A `cond` well formed (461 otherwise), checked whole before any page is read: a malformed
    branch that the first match would never reach is still the client's mistake."""
    if cond is None:
        return
    if depth >= MAX_CONDITION_DEPTH:
        raise InvalidOption(detail=f"a cond nests at most {MAX_CONDITION_DEPTH} deep")
    if not isinstance(cond, dict) or len(cond) != 1:
        raise InvalidOption(detail="a cond is one of {include}, {exclude}, {and: [...]}, {or: [...]}")
    (op, arg), = cond.items()
    if op in ("include", "exclude"):
        if not isinstance(arg, str):
            raise InvalidOption(detail=f"{op} takes a keyword")
    elif op in ("and", "or"):
        if not isinstance(arg, list) or not all(isinstance(c, dict) for c in arg):
            raise InvalidOption(detail=f"{op} takes a list of conditions")
        for c in arg:
            check_condition(c, depth + 1)
    else:
        raise InvalidOption(detail=f"unknown cond {op!r}")


def condition_holds(cond: Any, text: str) -> bool:
    """Whether a `template_list` entry's `cond` (checked by `check_condition`) holds on a page's
    text: `include`/`exclude` of a keyword (case and width folded, a slip allowed in long words),
    `and`/`or` of a list of conditions, nested. No condition holds always."""
    if cond is None:
        return True
    (op, arg), = cond.items()
    if op in ("include", "exclude"):
        found = find_approx(text, normalize(arg)) is not None
        return found if op == "include" else not found
    results = (condition_holds(c, text) for c in arg)
    return all(results) if op == "and" else any(results)


def page_text(lines: list[TextLine]) -> str:
    return "".join(normalize(line.text) for line in lines)


# --- anchors and the homography ----------------------------------------------------------

def anchor_candidates(lines: list[TextLine], anchors: tuple[Anchor, ...]) -> list[tuple[int, tuple, tuple]]:
    """(anchor index, template point, page point) for each place an anchor's text is found;
    an anchor read exactly somewhere drops its inexact places."""
    found = []
    for index, anchor in enumerate(anchors):
        word = normalize(anchor.text)
        places = []
        for line in lines:
            text = normalize(line.text)
            hit = find_approx(text, word)
            if hit is not None:
                places.append((hit[2], span_quad(line.quad, text, hit[0], hit[1]).center))
        if places:
            least = min(p[0] for p in places)
            x, y, w, h = anchor.box
            found += [(index, (x + w / 2, y + h / 2), point) for edits, point in places if edits == least]
    return found


def page_homography(lines: list[TextLine], template: Template) -> np.ndarray:
    """The homography from the template's picture to the page, fitted by RANSAC on the
    anchors found; AlgorithmFailed (464) when fewer than four anchors agree."""
    candidates = anchor_candidates(lines, template.anchors)
    needed = f"at least {MIN_ANCHORS} needed to place the template"
    if len({c[0] for c in candidates}) < MIN_ANCHORS:
        names = sorted({template.anchors[c[0]].text for c in candidates})
        raise TooFewAnchors(f"found {len(names)} of the template's {len(template.anchors)} anchors "
                            f"({', '.join(names) or 'none'}); {needed}")
    src = np.array([c[1] for c in candidates], np.float32)
    dst = np.array([c[2] for c in candidates], np.float32)
    heights = [line.quad.thickness for line in lines] or [10.0]
    threshold = max(3.0, float(np.median(heights)))
    h, mask = cv2.findHomography(src, dst, cv2.RANSAC, threshold)
    agreeing = {c[0] for c, ok in zip(candidates, mask.ravel() if mask is not None else []) if ok}
    if h is None or len(agreeing) < MIN_ANCHORS or not _plausible(h, template):
        raise TooFewAnchors(f"only {len(agreeing)} of the template's anchors agree on where it lies; {needed}")
    return h


def _plausible(h: np.ndarray, template: Template) -> bool:
    """Whether the mapped anchors' hull stays convex and of a sane size (a fit on a few
    unlucky points can fold the plane over)."""
    xs = [a.box[0] for a in template.anchors] + [a.box[0] + a.box[2] for a in template.anchors]
    ys = [a.box[1] for a in template.anchors] + [a.box[1] + a.box[3] for a in template.anchors]
    corners = np.array([[[min(xs), min(ys)], [max(xs), min(ys)], [max(xs), max(ys)], [min(xs), max(ys)]]], np.float32)
    mapped = cv2.perspectiveTransform(corners, h)[0]
    area = cv2.contourArea(mapped)
    original = (max(xs) - min(xs)) * (max(ys) - min(ys))
    return bool(cv2.isContourConvex(mapped.astype(np.float32))) and 0.01 < area / max(original, 1.0) < 100


def quarter_turn_back(turns: int, shape: tuple[int, ...]) -> np.ndarray:
    """The homography from `np.rot90(image, turns)` back to `image` of `shape`."""
    h, w = shape[:2]
    return {0: np.eye(3), 1: np.array([[0, -1, w - 1], [1, 0, 0], [0, 0, 1]], np.float64),
            2: np.array([[-1, 0, w - 1], [0, -1, h - 1], [0, 0, 1]], np.float64),
            3: np.array([[0, 1, 0], [-1, 0, h - 1], [0, 0, 1]], np.float64)}[turns % 4]


def map_box(h: np.ndarray, box: Box) -> Quad:
    x, y, w, hh = box
    points = np.array([[[x, y], [x + w, y], [x + w, y + hh], [x, y + hh]]], np.float32)
    return Quad.from_points(cv2.perspectiveTransform(points, h)[0].tolist())


# --- reading the regions -----------------------------------------------------------------

@dataclass(frozen=True)
class RegionText:
    text: str
    prob: float
    quad: Quad          # in the picture sent


def read_template(image: np.ndarray, h: np.ndarray, template: Template, engine: Engine) -> dict[str, RegionText | dict]:
    """Every field (joined by name in their order) and table of `template`, read on `image`
    through the homography `h`; a table answers {labels, values, prob, quad}."""
    scale = min(3.0, max(0.5, _READ_CHAR_HEIGHT / max(template.char_height, 1.0)))
    size = template.char_height * scale
    items: dict[str, Any] = {}
    # One box of a name marked (cr) is enough, as in the reference: the field may wrap.
    wraps = {f.key for f in template.fields if f.multiline}
    for f in template.fields:
        crop = _rectified(image, h, f.box, scale)
        rows = _read_rows(crop, size, engine)
        if f.key in wraps:
            picked = rows
        else:
            # One line: the row nearest the box's middle, in case the box caught a neighbour's edge.
            middle = crop.shape[0] / 2
            picked = sorted(rows, key=lambda r: abs(r[2] - middle))[:1]
        text = "".join(r[0] for r in picked)
        prob = min([r[1] for r in picked], default=0.0)
        quad = map_box(h, f.box)
        if f.key in items:
            before = items[f.key]
            text, prob = before.text + text, min(before.prob, prob) if before.text else prob
            quad = before.quad
        items[f.key] = RegionText(text, prob, quad)
    for t in template.tables:
        box = t.box
        if t.mode in ("grid", "hl"):
            # A little above and below, so that rules on the box's edges are wholly inside and found.
            pad = 0.3 * template.char_height
            box = (box[0], box[1] - pad, box[2], box[3] + 2 * pad)
        labels, values, prob = read_table(_rectified(image, h, box, scale), t, scale, size, engine)
        items[t.key] = {"labels": labels, "values": values, "prob": prob, "quad": map_box(h, t.box)}
    return items


def _rectified(image: np.ndarray, h: np.ndarray, box: Box, scale: float) -> np.ndarray:
    """The region of the page that `box` of the template maps to, warped upright at the
    template's geometry times `scale`."""
    x, y, w, hh = box
    out_w, out_h = max(1, int(round(w * scale))), max(1, int(round(hh * scale)))
    # template region (scaled) -> page: compose the box's own offset and scale with h.
    to_template = np.array([[1 / scale, 0, x], [0, 1 / scale, y], [0, 0, 1]], np.float64)
    m = h @ to_template
    return cv2.warpPerspective(image, m, (out_w, out_h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_REPLICATE)


def _erase_rules(grey: np.ndarray, size: float) -> np.ndarray:
    """The region with its long horizontal and vertical strokes (cell borders, underlines)
    painted paper-white, so they are neither read as 一 or 丨 nor weld the text."""
    ink = ink_mask(grey)
    # A border crossing a whole cell is a rule even when the cell is lower than the usual length
    # (a row of 1.2 characters: its side borders would otherwise be read as L or 丨).
    h, w = grey.shape
    long_x = max(15, int(round(min(2.5 * size, 0.8 * w))))
    long_y = max(15, int(round(min(2.5 * size, 0.8 * h))))
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (long_x, 1)))
    rules |= cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, long_y)))
    rules = cv2.dilate(rules, np.ones((3, 3), np.uint8))
    paper = int(np.percentile(grey, 90))
    out = grey.copy()
    out[rules > 0] = paper
    return out


def _read_rows(crop: np.ndarray, size: float, engine: Engine) -> list[tuple[str, float, float]]:
    """The text rows of a region, top to bottom: (text, least confidence, middle y)."""
    grey = _erase_rules(grey_of(crop), size)
    pieces = []
    for quad in find_text_lines(grey, size):
        left, top, right, bottom = quad.bounds()
        margin = 0.2 * (bottom - top)
        y0, y1 = max(0, int(top - margin)), min(grey.shape[0], int(np.ceil(bottom + margin)))
        x0, x1 = max(0, int(left - margin)), min(grey.shape[1], int(np.ceil(right + margin)))
        reading = engine.read_line(grey[y0:y1, x0:x1])
        # Lower than half a character: what is left of a rule or of the next row's ink.
        # A speck in an empty cell reads as an accented letter or a sign: keep what has a digit,
        # a Latin letter or a Chinese character.
        if bottom - top >= 0.45 * size and reading.prob >= _MIN_PROB and any(
                (ch.isascii() and ch.isalnum()) or "\u4e00" <= ch <= "\u9fff" for ch in reading.text):
            pieces.append((left, top, bottom, _tidy(reading.text), reading.prob, right))
    rows: list[list[tuple]] = []
    for piece in _without_repeats(pieces):
        middle = (piece[1] + piece[2]) / 2
        if rows and abs(middle - np.mean([(p[1] + p[2]) / 2 for p in rows[-1]])) < 0.5 * size:
            rows[-1].append(piece)
        else:
            rows.append([piece])
    return [("".join(p[3] for p in sorted(row)), min(p[4] for p in row),
             float(np.mean([(p[1] + p[2]) / 2 for p in row]))) for row in rows]


def _without_repeats(pieces: list[tuple]) -> list[tuple]:
    """Pieces (left, top, bottom, text, prob, right) top to bottom, less those that cover the
    same ink as a surer one: a line the finder cut in two halves is read twice otherwise (80 → 8080)."""
    kept: list[tuple] = []
    for piece in sorted(pieces, key=lambda p: -p[4]):
        if not any(min(piece[5], k[5]) - max(piece[0], k[0]) > 0.5 * min(piece[5] - piece[0], k[5] - k[0])
                   and min(piece[2], k[2]) - max(piece[1], k[1]) > 0 for k in kept):
            kept.append(piece)
    return sorted(kept, key=lambda p: (p[1] + p[2]) / 2)


def _tidy(text: str) -> str:
    """A reading without the spaces engines put between Chinese characters or around them."""
    text = text.strip()
    return re.sub(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])", "", text)


def read_table(crop: np.ndarray, table: TableBox, scale: float, size: float,
               engine: Engine) -> tuple[list[str], list[list[str]], float]:
    """A table's labels and its rows' values, cell by cell in the columns the template gives.
    Rows come from the horizontal rules (grid, hl), else from the text lines (vl, nl)."""
    grey = grey_of(crop)
    bands = _rule_rows(grey, size) if table.mode in ("grid", "hl") else []
    if not bands:
        clean = _erase_rules(grey, size)
        bands = _text_rows(clean, size)
    left = table.box[0]
    values, probs = [], []
    for top, bottom in bands:
        row = []
        for column in table.columns:
            x0 = max(0, int(round((column.x0 - left) * scale)))
            x1 = min(grey.shape[1], int(round((column.x1 - left) * scale)))
            cell_rows = _read_rows(crop[top:bottom, x0:x1], size, engine) if x1 - x0 > 2 else []
            row.append("".join(r[0] for r in cell_rows))
            probs += [r[1] for r in cell_rows]
        values.append(row)
    return [c.label for c in table.columns], values, min(probs, default=0.0)


def _rule_rows(grey: np.ndarray, size: float) -> list[tuple[int, int]]:
    """Bands between horizontal rules at least a character high (with the region's edges as
    rules, should the box stop inside the outer border)."""
    ink = ink_mask(grey)
    length = max(15, int(0.5 * grey.shape[1]))
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    ys = np.flatnonzero(rules.sum(axis=1) > 0)
    if not len(ys):
        return []
    cuts, group = [], [ys[0]]
    for y in ys[1:]:
        if y - group[-1] > 2:
            cuts.append((group[0], group[-1]))
            group = []
        group.append(y)
    cuts.append((group[0], group[-1]))
    edges = [(-1, -1)] + cuts + [(grey.shape[0], grey.shape[0])]
    bands = []
    for (_, a), (b, _) in zip(edges, edges[1:]):
        if b - a - 1 >= 0.9 * size:
            bands.append((a + 1, b))
    return bands


def _text_rows(grey: np.ndarray, size: float) -> list[tuple[int, int]]:
    """Bands of the text lines that share a row, for tables without horizontal rules."""
    boxes = sorted((q.bounds() for q in find_text_lines(grey, size)), key=lambda b: (b[1] + b[3]) / 2)
    rows: list[list[float]] = []
    for _, top, _, bottom in boxes:
        middle = (top + bottom) / 2
        if rows and rows[-1][0] - 0.2 * size <= middle <= rows[-1][1] + 0.2 * size:
            rows[-1] = [min(rows[-1][0], top), max(rows[-1][1], bottom)]
        else:
            rows.append([top, bottom])
    margin = 0.3 * size
    return [(max(0, int(t - margin)), min(grey.shape[0], int(np.ceil(b + margin)))) for t, b in rows]


def evidence_of(region: RegionText | dict) -> dict:
    """A field's or table's `evidence` (API.md): its box on the picture sent and its least confidence."""
    if isinstance(region, dict):
        return {"box": region["quad"].to_list(), "prob": round(region["prob"], 5), "valid": None}
    return {"box": region.quad.to_list(), "prob": round(region.prob, 5), "valid": None}
