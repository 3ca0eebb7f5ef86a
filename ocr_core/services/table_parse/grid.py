"""Tables on an upright page, as pure geometry: rule lines by morphology, a grid from their
crossings with merged cells where inner rules are missing, and the columns of unruled tables
from the gaps their rows share. No reading here: cells come back with the boxes to read."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from ocr_core.geometry import Quad, reading_order
from ocr_core.steps.locate import character_size, find_text_lines, grey_of, ink_mask

# Gaps closed along a rule before anything else, in characters: dots and dashes of a dotted
# line are a few pixels apart, gaps between characters of a line of text are wider.
_DOT_GAP = 0.3
# A rule is first kept as pieces this long (characters), which no stroke of a character has,
# then pieces this far apart (characters) along one line are joined (a broken or worn rule).
_PIECE = 2.0
_BREAK = 1.0
# A rule is at least this long (characters) and at most this thick.
_MIN_RULE = 3.0
_MAX_THICK = 0.4
# Vertical rules may be as short as one row (under two characters high): their lengths are
# scaled by this. A single stroke of a character is still shorter.
_VERTICAL = 0.55
_VERTICAL_PIECE = 1.3
# A dotted horizontal rule is at least this long (characters): the feet of a word's letters
# (mm) close into a shorter run. A dotted vertical one may be one row high, as a solid one.
_DOTTED = 5.0
# A dotted rule has blank paper beside it along at least this share of its length.
_ISOLATED = 0.8
# Two rules nearer than this (characters) are one boundary (a double border).
_SAME_LINE = 0.5
# An inner boundary of a grid is present between two cells when a rule covers this much of it.
_PRESENT = 0.85
# A ruled grid whose cells' sides cross this share of the text lines through their
# characters is not the table's: its text's alignment is.
_CUT_LINES = 0.2
# A grid line whose rule stops in the middle of cells is drawn across the table when its
# pieces run along this share of it, and dropped when they run along less than `_STRAY`.
_BROKEN_FULL = 0.25
_STRAY = 0.15
# Marks longer than this (characters) are rules and frames, not text.
_LARGE_MARK = 5.0
# Marks no thicker than this (px) either way are dashes, dots and hairlines.
_THIN_MARK = 3
# Unruled tables: text rows farther apart than this (characters) belong to different blocks;
# a gap between columns is at least this wide (characters).
_BLOCK_GAP = 2.2
_MIN_COLUMN_GAP = 0.8
# A lone line this many times taller than most is a title, not a row of the table below it.
_TITLE = 1.2
# A piece of text is cut at a gap between columns where blank paper runs through it this
# wide (characters): wider than the space between words.
_SPLIT_BLANK = 0.6
# Lines of one cell are at most this far apart, centre to centre (characters).
_SAME_CELL = 1.7

Box = tuple[float, float, float, float]  # left, top, right, bottom


@dataclass(frozen=True)
class Cell:
    """A cell of a table: its first column and row and one past its last (as the reference),
    its box on the page, and the boxes of the text lines it holds, in reading order."""

    sx: int
    sy: int
    ex: int
    ey: int
    box: Box
    lines: tuple[Quad, ...] = ()


@dataclass(frozen=True)
class Table:
    """A table: its cells ordered by row then column, covering the grid exactly once."""

    cells: tuple[Cell, ...]
    rows: int
    cols: int
    box: Box
    ruled: bool = True

    def spans(self) -> list[tuple[int, int, int, int]]:
        return [(c.sx, c.sy, c.ex, c.ey) for c in self.cells]


@dataclass(frozen=True)
class Rules:
    """The page's rule lines: masks of horizontal and vertical rules, and each rule as
    (position across, start, end along) on the page."""

    horizontal: np.ndarray
    vertical: np.ndarray
    rows: list[tuple[float, float, float]] = field(default_factory=list)     # (y, x0, x1)
    columns: list[tuple[float, float, float]] = field(default_factory=list)  # (x, y0, y1)


def find_rules(grey: np.ndarray, size: float) -> Rules:
    """Horizontal and vertical rules of a page whose characters are `size` px high: dotted,
    dashed and broken ones closed, strokes of characters left out."""
    ink = ink_mask(grey)
    horizontal = _rule_mask(ink, size, horizontal=True)
    vertical = _rule_mask(ink, size, horizontal=False)
    return Rules(horizontal, vertical, _segments(horizontal, size, True), _segments(vertical, size, False))


def _rule_mask(ink: np.ndarray, size: float, horizontal: bool) -> np.ndarray:
    def along(n: float) -> np.ndarray:
        n = max(3, int(round(n)))
        return cv2.getStructuringElement(cv2.MORPH_RECT, (n, 1) if horizontal else (1, n))

    # A pixel of thickness more, so a rule tilted by a fraction of a degree stays one run.
    across = cv2.getStructuringElement(cv2.MORPH_RECT, (1, 3) if horizontal else (3, 1))
    grown = cv2.dilate(ink, across)
    scale = 1.0 if horizontal else _VERTICAL
    # Vertical pieces a little longer than a character: its tallest stroke must not pass.
    piece = along(max(12, (_PIECE if horizontal else _VERTICAL_PIECE) * size))
    solid = cv2.morphologyEx(grown, cv2.MORPH_OPEN, piece)
    # Dots and dashes closed into a line; so are the characters of a line of text, which
    # the isolation test then tells apart.
    dotted = cv2.morphologyEx(cv2.morphologyEx(grown, cv2.MORPH_CLOSE, along(_DOT_GAP * size)), cv2.MORPH_OPEN,
                              along((_DOTTED if horizontal else _MIN_RULE * _VERTICAL) * size))
    dotted = _isolated(dotted, ink, horizontal)
    mask = cv2.morphologyEx(cv2.bitwise_or(solid, dotted), cv2.MORPH_CLOSE, along(_BREAK * size))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, along(max(20, _MIN_RULE * scale * size)))
    # Thick blobs are filled areas or lines of bold text welded together, not rules.
    # Thickness is the mean one (area over length): a long rule a little tilted has a taller box.
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    length = np.maximum(stats[:, cv2.CC_STAT_WIDTH if horizontal else cv2.CC_STAT_HEIGHT], 1)
    thick = stats[:, cv2.CC_STAT_AREA] / length > max(6, _MAX_THICK * size + 3)
    thick[0] = False
    if thick.any():
        mask[thick[labels]] = 0
    return mask


def _isolated(candidates: np.ndarray, ink: np.ndarray, horizontal: bool) -> np.ndarray:
    """The candidate runs with blank paper just beside them along most of their length: a
    rule, not a line of text whose characters were closed together (their strokes go on
    above and below any one row)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(candidates, connectivity=8)
    keep = np.zeros(count, bool)
    h, w = ink.shape
    for i in range(1, count):
        x, y, cw, ch, _ = stats[i]
        # Three rows (columns) on each side: the strokes of text go on there, paper does not.
        if horizontal:
            above = ink[max(0, y - 4):max(0, y - 1), x:x + cw].any(axis=0)
            below = ink[min(h, y + ch + 1):min(h, y + ch + 4), x:x + cw].any(axis=0)
        else:
            above = ink[y:y + ch, max(0, x - 4):max(0, x - 1)].any(axis=1)
            below = ink[y:y + ch, min(w, x + cw + 1):min(w, x + cw + 4)].any(axis=1)
        keep[i] = above.size > 0 and float((~above & ~below).mean()) >= _ISOLATED
    # One value per component, looked up per pixel: np.where over the pixels made 8 bytes of each
    # (a 40 MP strip of noise peaked at 6.8 GB in ocr_table_parse).
    return np.where(keep, 255, 0).astype(np.uint8)[labels]


def _segments(mask: np.ndarray, size: float, horizontal: bool) -> list[tuple[float, float, float]]:
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    found = []
    for i in range(1, count):
        x, y, w, h, _ = stats[i]
        if horizontal:
            found.append((float(centroids[i][1]), float(x), float(x + w)))
        else:
            found.append((float(centroids[i][0]), float(y), float(y + h)))
    return sorted(found)


def ruled_tables(rules: Rules, size: float) -> list[Table]:
    """Every table drawn with rules both ways, top to bottom: the rules that touch one another
    make one table; its grid lines are where rules stand; two neighbouring grid cells are one
    cell where the rule between them is missing."""
    both = cv2.bitwise_or(rules.horizontal, rules.vertical)
    reach = max(3, int(round(0.5 * size)))
    joined = cv2.dilate(both, cv2.getStructuringElement(cv2.MORPH_RECT, (reach, reach)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    tables = []
    for i in range(1, count):
        x, y, w, h, _ = stats[i]
        inside = lambda px, py: x <= px <= x + w and y <= py <= y + h  # noqa: E731
        rows = [r for r in rules.rows if inside(r[1], r[0]) and inside(r[2], r[0])]
        columns = [c for c in rules.columns if inside(c[0], c[1]) and inside(c[0], c[2])]
        table = grid_table(rows, columns, rules, size)
        if table is not None:
            tables.append(table)
    return sorted(tables, key=lambda t: (t.box[1], t.box[0]))


def grid_table(rows: list[tuple[float, float, float]], columns: list[tuple[float, float, float]],
               rules: Rules, size: float) -> Table | None:
    """The table whose horizontal rules are `rows` (y, x0, x1) and vertical ones `columns`
    (x, y0, y1), or None when they make no grid of at least one cell by two."""
    if len(rows) < 2 or len(columns) < 1:
        return None
    # An open side (no outer vertical rule) ends where the horizontal rules end together;
    # pieces of a broken rule that end together between two vertical rules make no side.
    ruled_xs, ruled_ys = _cluster([c[0] for c in columns], size), _cluster([r[0] for r in rows], size)
    rows, mended_ys = _mend(rows, ruled_xs, size)
    columns, mended_xs = _mend(columns, ruled_ys, size)
    ruled_xs, ruled_ys = _cluster([c[0] for c in columns], size), _cluster([r[0] for r in rows], size)
    xs = _cluster(ruled_xs + _shared_ends(_outer_ends([e for r in rows for e in r[1:]], ruled_xs, size), size), size)
    ys = _cluster(ruled_ys + _shared_ends(_outer_ends([e for c in columns for e in c[1:]], ruled_ys, size), size), size)
    # A rule of the grid runs from one grid line to another: a run that starts and ends in
    # the middle of cells is the foot of a line of text; a rule that overshoots a grid line
    # has a stroke of a character that touched it at its end, and is cut back.
    rows = [r for r in (_trim(r, xs, size) for r in rows) if r is not None]
    columns = [c for c in (_trim(c, ys, size) for c in columns) if c is not None]
    if len(rows) < 2 or not columns:
        return None
    xs = _cluster([c[0] for c in columns] + _shared_ends([e for r in rows for e in r[1:]], size), size)
    ys = _cluster([r[0] for r in rows] + _shared_ends([e for c in columns for e in c[1:]], size), size)
    tolerance = max(3.0, _SAME_LINE * size)
    full_xs = {n for n, x in enumerate(xs) if any(abs(x - m) <= tolerance for m in mended_xs)}
    full_ys = {n for n, y in enumerate(ys) if any(abs(y - m) <= tolerance for m in mended_ys)}
    if len(xs) < 2 or len(ys) < 2 or (len(xs) - 1) * (len(ys) - 1) < 2:
        return None
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    parent = list(range(n_rows * n_cols))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    for r in range(n_rows):
        for c in range(n_cols):
            if (c + 1 < n_cols and c + 1 not in full_xs
                    and not _covered(rules.vertical, xs[c + 1], ys[r], ys[r + 1], size, vertical=True)):
                union(r * n_cols + c, r * n_cols + c + 1)
            if (r + 1 < n_rows and r + 1 not in full_ys
                    and not _covered(rules.horizontal, ys[r + 1], xs[c], xs[c + 1], size, vertical=False)):
                union(r * n_cols + c, (r + 1) * n_cols + c)
    spans = _rectangles({i: find(i) for i in range(n_rows * n_cols)}, n_rows, n_cols)
    cells = tuple(Cell(sx, sy, ex, ey, (xs[sx], ys[sy], xs[ex], ys[ey])) for sx, sy, ex, ey in spans)
    if len(cells) < 2:
        return None
    return Table(cells, n_rows, n_cols, (xs[0], ys[0], xs[-1], ys[-1]))


def _outer_ends(ends: list[float], ruled: list[float], size: float) -> list[float]:
    """The ends of rules but those in the middle of a cell between two rules across them."""
    if len(ruled) < 2:
        return ends
    tolerance = max(4.0, 0.6 * size)
    return [e for e in ends if not (ruled[0] + tolerance < e < ruled[-1] - tolerance
                                    and min(abs(e - r) for r in ruled) > tolerance)]


def _mend(rules: list[tuple[float, float, float]], across: list[float],
          size: float) -> tuple[list[tuple[float, float, float]], list[float]]:
    """Rules (position, start, end) with those a scan broke mended: a rule that stops in the
    middle of a cell, away from every rule across it (`across`, their positions), is a rule
    lost in pieces, not the side of a merged cell (which stops at a crossing). Its pieces are
    drawn as one rule across the table when they run along a quarter of it or more
    (`_BROKEN_FULL`), and left out when they run along less than `_STRAY` (the stroke of a
    character that passed for a rule). The rules, and the positions of those mended."""
    if len(across) < 2:
        return rules, []
    tolerance = max(4.0, 0.6 * size)
    start, end = across[0], across[-1]
    extent = max(1.0, end - start)
    out, mended = [], []
    for at in _cluster([r[0] for r in rules], size):
        pieces = [r for r in rules if abs(r[0] - at) <= max(3.0, _SAME_LINE * size)]
        ends = [e for r in pieces for e in r[1:] if start + tolerance < e < end - tolerance]
        if all(min(abs(e - a) for a in across) <= tolerance for e in ends):
            out += pieces
            continue
        cover = np.zeros(int(np.ceil(extent)) + 1, bool)
        for _, a, b in pieces:
            cover[max(0, int(a - start)):max(0, int(np.ceil(b - start))) + 1] = True
        share = float(cover.mean())
        if share >= _BROKEN_FULL:
            out.append((at, start, end))
            mended.append(at)
        elif share >= _STRAY:
            out += pieces
    return sorted(out), mended


def _cluster(values: list[float], size: float, at_least: int = 1) -> list[float]:
    """Positions nearer than `_SAME_LINE` characters taken as one (their mean), where at least
    `at_least` of them stand together."""
    groups: list[list[float]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1] <= max(3.0, _SAME_LINE * size):
            groups[-1].append(v)
        else:
            groups.append([v])
    return [float(np.mean(g)) for g in groups if len(g) >= at_least]


def _shared_ends(ends: list[float], size: float) -> list[float]:
    """Where at least two rules end together (an open side of a table)."""
    return _cluster(ends, size, at_least=2)


def _trim(rule: tuple[float, float, float], lines: list[float], size: float) -> tuple[float, float, float] | None:
    """A rule (across, start, end) cut to the grid lines it runs between, or None when it does
    not run from one grid line to another."""
    tolerance = max(4.0, 0.6 * size)
    inside = [p for p in lines if rule[1] - tolerance <= p <= rule[2] + tolerance]
    if len(inside) < 2:
        return None
    return rule[0], max(rule[1], inside[0] - tolerance), min(rule[2], inside[-1] + tolerance)


def _covered(mask: np.ndarray, at: float, start: float, end: float, size: float, vertical: bool) -> bool:
    """Whether a rule runs along `at` over most of start..end (its ends, near the crossings,
    left out)."""
    margin = 0.15 * (end - start)
    a, b = int(start + margin), int(end - margin)
    reach = max(2, int(round(0.2 * size)))
    lo, hi = int(round(at)) - reach, int(round(at)) + reach + 1
    band = mask[a:b, max(0, lo):hi] if vertical else mask[max(0, lo):hi, a:b]
    if band.size == 0:
        return False
    run = band.any(axis=1 if vertical else 0)
    return float(run.mean()) >= _PRESENT


def _rectangles(group: dict[int, int], n_rows: int, n_cols: int) -> list[tuple[int, int, int, int]]:
    """(sx, sy, ex, ey) of each merged cell, row by row: grid cells of a group taken with
    everything in their bounding rectangle (a merge is always a rectangle)."""
    owner = np.array([group[r * n_cols + c] for r in range(n_rows) for c in range(n_cols)]).reshape(n_rows, n_cols)
    changed = True
    while changed:
        changed = False
        for g in np.unique(owner):
            rs, cs = np.nonzero(owner == g)
            block = owner[rs.min():rs.max() + 1, cs.min():cs.max() + 1]
            if (block != g).any():
                for other in np.unique(block[block != g]):
                    owner[owner == other] = g
                changed = True
                break
    spans, seen = [], set()
    for r in range(n_rows):
        for c in range(n_cols):
            g = owner[r, c]
            if g in seen:
                continue
            seen.add(g)
            rs, cs = np.nonzero(owner == g)
            spans.append((int(cs.min()), int(rs.min()), int(cs.max()) + 1, int(rs.max()) + 1))
    return spans


def _inside(cell: Cell, shape: tuple[int, ...], size: float) -> tuple[int, int, int, int]:
    """The cell's box inset from its rules (0.15 of a character, at least 2 px), within the page."""
    left, top, right, bottom = cell.box
    inset = max(2, int(round(0.15 * size)))
    return (max(0, int(left) + inset), max(0, int(top) + inset),
            min(shape[1], int(right) - inset), min(shape[0], int(bottom) - inset))


def cell_lines(grey: np.ndarray, cell: Cell, rules: Rules, size: float) -> tuple[Quad, ...]:
    """The text lines inside a ruled cell, in reading order, in page coordinates. The cell is
    cut inside its rules and what is left of any rule is painted white, so that neither a
    border nor the text of the next cell joins a line."""
    x0, y0, x1, y1 = _inside(cell, grey.shape, size)
    if x1 - x0 < 0.3 * size or y1 - y0 < 0.3 * size:
        return ()
    crop = grey[y0:y1, x0:x1].copy()
    ruled = cv2.bitwise_or(rules.horizontal[y0:y1, x0:x1], rules.vertical[y0:y1, x0:x1])
    crop[ruled > 0] = 255
    pad = int(round(0.5 * size))
    crop = cv2.copyMakeBorder(crop, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
    quads = find_text_lines(crop, size)
    return tuple(Quad.from_points([(x + x0 - pad, y + y0 - pad) for x, y in q.points]) for q in quads)


def text_only(image: np.ndarray) -> np.ndarray:
    """The picture (grey) with every mark much larger than a character (rules, frames, the
    desk's grain) and every thin one (the dashes and dots of a dotted rule, which outnumber
    the characters and would be taken for small type) painted over with the paper around it.
    For measuring the text's direction and size, not for reading."""
    grey = grey_of(image)
    ink = ink_mask(grey)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    sides = np.stack([stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]], axis=1)
    thin = sides.min(axis=1) <= _THIN_MARK
    size = character_size(np.where(thin[labels], 0, ink).astype(np.uint8))
    if not size:
        return grey
    large = thin | (sides.max(axis=1) > _LARGE_MARK * size)
    large[0] = False
    if not large.any():
        return grey
    mask = cv2.dilate(large[labels].astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    k = max(3, int(round(size)) | 1)
    paper = cv2.morphologyEx(grey, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    out = grey.copy()
    out[mask] = paper[mask]
    return out


# --- tables without vertical rules ----------------------------------------------------

def unruled_tables(lines: list[Quad], rules: Rules, size: float, ink: np.ndarray | None = None) -> list[Table]:
    """Tables of text laid out in columns without vertical rules (horizontal rules may be
    there): rows of text close together make a block; a block's columns are the gaps its rows
    share; a piece of text that crosses a gap spans the columns on both sides; horizontal
    rules, where there are, bound the rows (a cell may then hold several lines)."""
    boxes = [q.bounds() for q in lines]
    text_rows = _text_rows(boxes)
    tables = []
    for block in _blocks(text_rows, boxes, size):
        table = _block_table(block, boxes, rules, size, ink)
        if table is not None:
            tables.append(table)
    return tables


def _text_rows(boxes: list[Box]) -> list[list[int]]:
    order = sorted(range(len(boxes)), key=lambda i: (boxes[i][1] + boxes[i][3]) / 2)
    rows: list[list[int]] = []
    for i in order:
        _, top, _, bottom = boxes[i]
        if rows:
            r_top = min(boxes[j][1] for j in rows[-1])
            r_bottom = max(boxes[j][3] for j in rows[-1])
            if min(bottom, r_bottom) - max(top, r_top) >= 0.5 * min(bottom - top, r_bottom - r_top):
                rows[-1].append(i)
                continue
        rows.append([i])
    return [sorted(row, key=lambda i: boxes[i][0]) for row in rows]


def _blocks(rows: list[list[int]], boxes: list[Box], size: float) -> list[list[list[int]]]:
    """Text rows close together, as blocks; a lone line of larger type (a title) stands apart.
    Close is measured by the lines' usual height where it is more than the characters' size
    (Latin type: the size is its small letters', the lines hold ascenders and descenders)."""
    heights = sorted(boxes[i][3] - boxes[i][1] for row in rows for i in row)
    usual = heights[len(heights) // 2] if heights else size
    # A title stands over the middle of the text; a tall lone box off to one side is a cell's
    # lines found as one (a wrapped remark in the last column).
    middle = (min(b[0] for b in boxes) + max(b[2] for b in boxes)) / 2 if boxes else 0.0
    title = [len(row) == 1 and boxes[row[0]][3] - boxes[row[0]][1] > _TITLE * usual
             and boxes[row[0]][0] < middle < boxes[row[0]][2] for row in rows]
    blocks: list[list[list[int]]] = []
    for n, row in enumerate(rows):
        top = min(boxes[i][1] for i in row)
        if (blocks and not title[n] and not title[n - 1]
                and top - max(boxes[i][3] for i in blocks[-1][-1]) <= _BLOCK_GAP * max(size, usual)):
            blocks[-1].append(row)
        else:
            blocks.append([row])
    return [b for b in blocks if len(b) >= 2]


def column_gaps(rows: list[list[Box]], size: float) -> list[tuple[float, float]]:
    """The x intervals free of text in every full row: the gaps between columns. Rows with
    fewer pieces than most (a heading over two columns, a row with empty cells) do not count,
    so that a piece of theirs that crosses a gap spans the columns on both sides of it."""
    left = min(b[0] for row in rows for b in row)
    right = max(b[2] for row in rows for b in row)
    width = int(np.ceil(right - left)) + 1
    counts = sorted(len(row) for row in rows)
    full = [row for row in rows if len(row) >= counts[len(counts) // 2]]
    free = np.ones(width, bool)
    for row in full:
        for b in row:
            free[int(b[0] - left):int(np.ceil(b[2] - left)) + 1] = False
    gaps = []
    x = 0
    while x < width:
        if free[x]:
            start = x
            while x < width and free[x]:
                x += 1
            gaps.append((left + start, left + x))
        x += 1
    return [(a, b) for a, b in gaps if b - a >= _MIN_COLUMN_GAP * size and a > left and b < right]


def _split_at_gaps(row: list[Box], gaps: list[tuple[float, float]], ink: np.ndarray, size: float) -> list[Box]:
    """A row's pieces cut where a gap between columns runs through them over blank paper:
    headings set close together ("Mean SD Median") were found as one line."""
    out = []
    for box in row:
        x0, y0, x1, y1 = box
        cuts = []
        for a, b in gaps:
            if not (x0 < a and b < x1):
                continue
            band = ink[max(0, int(y0)):int(np.ceil(y1)) + 1, max(0, int(a)):int(np.ceil(b)) + 1]
            if band.size == 0:
                continue
            blank = ~band.any(axis=0)
            # The longest blank run inside the gap.
            best, run, end = 0, 0, 0
            for i, v in enumerate(blank):
                run = run + 1 if v else 0
                if run > best:
                    best, end = run, i
            if best >= _SPLIT_BLANK * size:
                cuts.append(int(a) + end - best / 2)
        edges = [x0] + sorted(cuts) + [x1]
        for lo, hi in zip(edges, edges[1:]):
            columns = ink[max(0, int(y0)):int(np.ceil(y1)) + 1, max(0, int(lo)):int(np.ceil(hi)) + 1].any(axis=0)
            filled = np.nonzero(columns)[0]
            if filled.size:
                out.append((max(0, int(lo)) + float(filled[0]), y0, max(0, int(lo)) + float(filled[-1]) + 1, y1))
    return out


def _ruled_gaps(gaps: list[tuple[float, float]], rows: list[list[Box]], rules: Rules,
                size: float) -> list[tuple[float, float]]:
    """The gaps between columns with those that a vertical rule runs down, however narrow:
    a column-ruled report sets its columns closer than an unruled table would (a rule
    along most of the block's height, through no text)."""
    left = min(b[0] for row in rows for b in row)
    right = max(b[2] for row in rows for b in row)
    top, bottom = min(b[1] for b in rows[0]), max(b[3] for b in rows[-1])
    out = list(gaps)
    for x, y0, y1 in rules.columns:
        if not left < x < right or min(y1, bottom) - max(y0, top) < 0.6 * (bottom - top):
            continue
        if any(a - 0.2 * size <= x <= b + 0.2 * size for a, b in out):
            continue
        if any(b[0] < x < b[2] for row in rows for b in row):
            continue
        out.append((x - 1.0, x + 1.0))
    return sorted(out)


def _words(row: list[Box], ink: np.ndarray, size: float) -> list[Box]:
    """A row's pieces cut at every blank run through them wider than the space between
    words (`_SPLIT_BLANK`), each kept tight to its ink."""
    out = []
    for x0, y0, x1, y1 in row:
        lo = max(0, int(x0))
        filled = ink[max(0, int(y0)):int(np.ceil(y1)) + 1, lo:int(np.ceil(x1)) + 1].any(axis=0)
        xs = np.nonzero(filled)[0]
        if xs.size == 0:
            continue
        breaks = np.nonzero(np.diff(xs) > _SPLIT_BLANK * size)[0]
        starts = [xs[0]] + [xs[b + 1] for b in breaks]
        ends = [xs[b] for b in breaks] + [xs[-1]]
        out += [(lo + float(a), y0, lo + float(b) + 1, y1) for a, b in zip(starts, ends)]
    return out


def _block_table(block: list[list[int]], boxes: list[Box], rules: Rules, size: float,
                 ink: np.ndarray | None = None) -> Table | None:
    rows = [[boxes[i] for i in row] for row in block]
    # The gaps are measured on the rows' words: a detector finds "55.3 40.0 59" of three
    # columns as one line, which leaves no gap between them.
    gaps = _ruled_gaps(column_gaps([_words(row, ink, size) for row in rows] if ink is not None else rows, size),
                       rows, rules, size)
    if not gaps:
        return None
    if ink is not None:
        rows = [_split_at_gaps(row, gaps, ink, size) for row in rows]
        block = [list(range(len(row))) for row in rows]
        boxes = [b for row in rows for b in row]
        n = 0
        for r, row in enumerate(rows):
            block[r] = list(range(n, n + len(row)))
            n += len(row)
    # A caption above the table ("表3 …", "Table 2" over its description, in the body's
    # type) is not a row of it: top rows of one or two pieces, starting where the table's
    # text starts. A heading over two columns stands over the gap between them, not at the
    # left edge.
    left_edge = min(b[0] for row in rows for b in row if len(row) > 2) if any(len(r) > 2 for r in rows) else None
    captions = 0
    if left_edge is not None:
        while (captions < len(rows) - 2 and len(rows[captions]) <= 2
               and -1.2 * size <= rows[captions][0][0] - left_edge <= 0.5 * size):
            captions += 1
        # Two such rows are a caption; one only when it runs past the middle of a gap (it
        # would span columns); a lone short line there may be a cell of the first column.
        while captions == 1 and not any(x0 < (a + b) / 2 < x1 for x0, _, x1, _ in rows[0] for a, b in gaps):
            captions = 0
    if captions:
        block, rows = block[captions:], rows[captions:]
        gaps = column_gaps(rows, size)
        if not gaps:
            return None
    left = min(b[0] for row in rows for b in row) - 0.3 * size
    right = max(b[2] for row in rows for b in row) + 0.3 * size
    xs = [left] + [(a + b) / 2 for a, b in gaps] + [right]
    top = min(b[1] for b in rows[0]) - 0.3 * size
    bottom = max(b[3] for b in rows[-1]) + 0.3 * size
    # Horizontal rules across most of the block bound its rows; without them each text row is one.
    span = right - left
    rule_ys = sorted(y for y, x0, x1 in rules.rows if x1 - x0 >= 0.6 * span and min(x1, right) - max(x0, left) >= 0.6 * span
                     and top - size <= y <= bottom + size)
    # A text row continues the row above (cells in two lines) when no rule parts them, it
    # sits as close as the lines of one cell do, and it is not a full row of its own.
    centres = [float(np.mean([(b[1] + b[3]) / 2 for b in row])) for row in rows]
    full = sorted(len(row) for row in rows)[len(rows) // 2]
    # A text row that opens with a label in the first column, beside other cells, starts a
    # row of its own, however few its cells (a lab report's row without a unit, under rows
    # set as tight as the lines of a cell): a cell's second line leaves the label empty.
    labelled = [len(row) >= 2 and min(b[0] for b in row) < xs[1] for row in rows]
    groups: list[list[int]] = [[0]]
    for r in range(1, len(rows)):
        ruled = any(centres[r - 1] < y < centres[r] for y in rule_ys)
        if (not ruled and len(rows[r]) < full and centres[r] - centres[r - 1] <= _SAME_CELL * size
                and not labelled[r]):
            groups[-1].append(r)
        else:
            groups.append([r])
    ys = [top]
    for g, h in zip(groups, groups[1:]):
        above = max(b[3] for b in rows[g[-1]])
        below = min(b[1] for b in rows[h[0]])
        between = [y for y in rule_ys if above <= y <= below]
        ys.append(between[0] if between else (above + below) / 2)
    ys.append(bottom)
    n_rows, n_cols = len(groups), len(xs) - 1
    if n_cols < 2:
        return None
    cells = []
    for r, group in enumerate(groups):
        pieces = sorted((boxes[i] for row in group for i in block[row]), key=lambda b: b[0])
        spans: list[list] = []  # [sx, ex, [boxes]]
        for box in pieces:
            sx = next(c for c in range(n_cols) if box[0] < xs[c + 1])
            ex = next((c for c in range(n_cols) if box[2] <= xs[c + 1]), n_cols - 1) + 1
            merged = [s for s in spans if s[0] < ex and sx < s[1]]
            for s in merged:
                spans.remove(s)
                sx, ex = min(sx, s[0]), max(ex, s[1])
            spans.append([sx, ex, [box] + [b for s in merged for b in s[2]]])
        taken = set()
        for sx, ex, parts in spans:
            taken.update(range(sx, ex))
            quads = [Quad.from_box(*b) for b in parts]
            quads = tuple(quads[i] for i in reading_order(quads))
            cells.append(Cell(sx, r, ex, r + 1, (xs[sx], ys[r], xs[ex], ys[r + 1]), quads))
        for c in range(n_cols):
            if c not in taken:
                cells.append(Cell(c, r, c + 1, r + 1, (xs[c], ys[r], xs[c + 1], ys[r + 1])))
    cells.sort(key=lambda c: (c.sy, c.sx))
    return Table(tuple(cells), n_rows, n_cols, (xs[0], ys[0], xs[-1], ys[-1]), ruled=False)


def page_tables(grey: np.ndarray, size: float, line_less: bool = False, detected: list[Quad] | None = None,
                rules: Rules | None = None) -> tuple[list[Table], Rules]:
    """The tables of an upright page with characters `size` px high, top to bottom, each
    cell with its text lines. Ruled tables first; with `line_less`, or when the page has no
    ruled table, tables found by the alignment of their text. `detected`, the page's text
    lines found by a detector (PP-OCR's), stands for the engine-free line finder's: each is
    kept tight to its ink and cut where it crosses a cell's side or a gap between columns.
    `rules`, when the caller has found them already (`find_rules`)."""
    rules = rules if rules is not None else find_rules(grey, size)
    clean = _without_rules(grey, rules)
    ink = ink_mask(clean) > 0
    lines = None if detected is None else tight_lines(detected, ink)
    tables = [] if line_less else ruled_tables(rules, size)
    if tables:
        if lines is None:
            return [_with_lines(grey, t, rules, size) for t in tables], rules
        if _cut_through(tables, lines, ink) < _CUT_LINES:
            return [rows_by_text(_with_detected(grey, t, lines, rules, ink, size)) for t in tables], rules
        # Sides of cells through the characters of many lines: the grid was drawn from a
        # scan's broken rules (pieces ending in the middle of cells), and the text's
        # alignment tells the table better.
        aligned = unruled_tables(lines, rules, size, ink)
        if aligned:
            return aligned, rules
        return [rows_by_text(_with_detected(grey, t, lines, rules, ink, size)) for t in tables], rules
    if lines is None:
        lines = find_text_lines(clean, size)
    return unruled_tables(lines, rules, size, ink), rules


def _without_rules(grey: np.ndarray, rules: Rules) -> np.ndarray:
    """The page with its rules painted out, their anti-aliased edges with them: a three-line
    table's thick rules would otherwise be lines of text (a row of their own above the
    heading, a "一" in a cell)."""
    clean = grey.copy()
    clean[cv2.dilate(cv2.bitwise_or(rules.horizontal, rules.vertical), np.ones((5, 5), np.uint8)) > 0] = 255
    return clean


def text_ink(grey: np.ndarray, rules: Rules) -> np.ndarray:
    """The page's ink less its rules (True where ink), as `page_tables` measures lines on."""
    return ink_mask(_without_rules(grey, rules)) > 0


def tight_lines(quads: list[Quad], ink: np.ndarray) -> list[Quad]:
    """Detected lines' boxes shrunk to the ink inside them (the detector grows its boxes by
    a margin that eats the gaps between columns), those holding none left out."""
    return [q for q in (_tight(q.bounds(), ink) for q in quads) if q is not None]


def _lone_mark(cell: Cell, ink: np.ndarray, size: float) -> tuple[Quad, ...]:
    """The box of the ink inside a cell (its sides left out) when it is one mark at least
    half a character wide and no taller than a line: a lone "一" that no finder takes
    for a line of text (it is as flat as a rule, and too short to be one)."""
    x0, y0, x1, y1 = _inside(cell, ink.shape, size)
    if x1 - x0 < 0.5 * size or y1 - y0 < 0.3 * size:
        return ()
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink[y0:y1, x0:x1].astype(np.uint8), connectivity=8)
    marks = [stats[i] for i in range(1, count) if stats[i][cv2.CC_STAT_AREA] >= 4]
    if len(marks) != 1:
        return ()
    x, y, w, h, _ = marks[0]
    if w < 0.5 * size or h > 1.5 * size:
        return ()
    # Boxed as a character of the page's size, so that the reader sees a flat mark at the
    # height a "一" has in a line, not stretched to the crop's height.
    cx, cy, half = x0 + x + w / 2, y0 + y + h / 2, max(w, size) / 2
    return (Quad.from_box(cx - half, cy - size / 2, cx + half, cy + size / 2),)


def _lines_in(table: Table, lines: list[Quad]) -> Iterator[tuple[Quad, tuple[float, float, float, float], float]]:
    """Each line whose middle lies in the table's rows and which overlaps its width, with its
    bounds and the height of its middle."""
    left, top, right, bottom = table.box
    for quad in lines:
        x0, y0, x1, y1 = quad.bounds()
        middle = (y0 + y1) / 2
        if top <= middle <= bottom and x1 > left and x0 < right:
            yield quad, (x0, y0, x1, y1), middle


def _cut_through(tables: list[Table], lines: list[Quad], ink: np.ndarray) -> float:
    """The share of the text lines inside the tables that a side of a cell crosses over ink
    (through a character, not over the blank between two cells' text)."""
    inside = cut = 0
    for table in tables:
        for quad, (x0, y0, x1, y1), middle in _lines_in(table, lines):
            inside += 1
            sides = {side for c in table.cells if c.box[1] <= middle < c.box[3] for side in (c.box[0], c.box[2])
                     if x0 + 1 < side < x1 - 1}
            band = ink[max(0, int(y0)):int(np.ceil(y1)), :]
            cut += any(band[:, max(0, int(x) - 1):int(x) + 2].any() for x in sides)
    return cut / inside if inside else 0.0


def _with_lines(grey: np.ndarray, table: Table, rules: Rules, size: float) -> Table:
    table = replace(table, cells=tuple(replace(c, lines=cell_lines(grey, c, rules, size)) for c in table.cells))
    return rows_by_text(table)


def _tight(box: Box, ink: np.ndarray) -> Quad | None:
    """A detected line's box shrunk to the ink inside it (the detector's boxes are grown by
    a margin that eats the gaps between columns), or None when it holds none."""
    h, w = ink.shape
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(w, int(np.ceil(box[2]))), min(h, int(np.ceil(box[3])))
    if x1 <= x0 or y1 <= y0:
        return None
    band = ink[y0:y1, x0:x1]
    cols, rows = np.nonzero(band.any(axis=0))[0], np.nonzero(band.any(axis=1))[0]
    if cols.size == 0:
        return None
    return Quad.from_box(x0 + float(cols[0]), y0 + float(rows[0]), x0 + float(cols[-1]) + 1, y0 + float(rows[-1]) + 1)


def _with_detected(grey: np.ndarray, table: Table, lines: list[Quad], rules: Rules, ink: np.ndarray,
                   size: float) -> Table:
    """A ruled table's cells with the detected lines that fall in them: a line is given to the
    row of cells its middle lies in, and cut at the sides of the cells it crosses, each piece
    kept tight to its ink (a line read across a rule holds two cells' text)."""
    found: dict[int, list[Quad]] = {}
    for quad, (x0, y0, x1, y1), middle in _lines_in(table, lines):
        for n, cell in enumerate(table.cells):
            cx0, cy0, cx1, cy1 = cell.box
            if not cy0 <= middle < cy1 or min(x1, cx1) - max(x0, cx0) <= 0:
                continue
            cut = x0 < cx0 or x1 > cx1
            piece = _tight((max(x0, cx0), y0, min(x1, cx1), y1), ink) if cut else quad
            # A sliver of a neighbour's character or of a rule is no text of this cell.
            if piece is not None and (not cut or piece.bounds()[2] - piece.bounds()[0] >= 0.3 * size):
                found.setdefault(n, []).append(piece)
    cells = []
    for n, cell in enumerate(table.cells):
        quads = found.get(n, [])
        # A cell of one short character ("一", "二") the detector does not see as a line:
        # the engine-free finder looks in the cells it left empty.
        lines = tuple(quads[i] for i in reading_order(quads)) if quads else cell_lines(grey, cell, rules, size)
        if not lines:
            lines = _lone_mark(cell, ink, size)
        cells.append(replace(cell, lines=lines))
    return replace(table, cells=tuple(cells))


def rows_by_text(table: Table) -> Table:
    """A ruled table whose bands (the space between two horizontal rules) hold several rows of
    text set across the columns, with those rows as rows of their own: a report ruled by
    columns only has no rule between its body rows. A band splits only when every one of its
    text rows has text in at least two of its cells and in most of them, so that a cell of
    several lines beside cells of one (a paragraph, a label in the middle) keeps its band."""
    splits: dict[int, list[float]] = {}
    for r in range(table.rows):
        single = [c for c in table.cells if c.sy == r and c.ey == r + 1]
        if len(single) < 2:
            continue
        pieces = [(q.bounds(), n) for n, c in enumerate(single) for q in c.lines]
        boxes = [b for b, _ in pieces]
        text_rows = _text_rows(boxes) if boxes else []
        if len(text_rows) < 2:
            continue
        need = max(2, int(np.ceil(0.6 * len(single))))
        if any(len({pieces[i][1] for i in row}) < need for row in text_rows):
            continue
        # A cell with two pieces in one text row is fine (words apart); two text rows of one
        # cell that overlap in height are not two rows.
        splits[r] = [(max(boxes[i][3] for i in a) + min(boxes[i][1] for i in b)) / 2
                     for a, b in zip(text_rows, text_rows[1:])]
    if not splits:
        return table
    offset = [0]
    for r in range(table.rows):
        offset.append(offset[-1] + 1 + len(splits.get(r, [])))
    cells = []
    for c in table.cells:
        if c.ey == c.sy + 1 and c.sy in splits:
            left, top, right, bottom = c.box
            ys = [top] + splits[c.sy] + [bottom]
            for j in range(len(ys) - 1):
                lines = tuple(q for q in c.lines if ys[j] <= (q.bounds()[1] + q.bounds()[3]) / 2 < ys[j + 1])
                cells.append(Cell(c.sx, offset[c.sy] + j, c.ex, offset[c.sy] + j + 1, (left, ys[j], right, ys[j + 1]),
                                  lines))
        else:
            cells.append(replace(c, sy=offset[c.sy], ey=offset[c.ey]))
    cells.sort(key=lambda c: (c.sy, c.sx))
    return replace(table, cells=tuple(cells), rows=offset[-1])
