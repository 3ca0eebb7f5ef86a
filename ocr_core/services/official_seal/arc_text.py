"""The curved text of a seal unrolled into a straight line: a polar transform around the seal's
centre that follows its border (a circle or an oval), the band of the characters chosen from
the ink, and the start angle put in the gap at the bottom so the text runs left to right."""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from ocr_core.finders.seals import Seal
from ocr_core.geometry import Transform

# How deep into the seal the characters of the arc are looked for, as a share of its shorter
# semi-axis: the border and the name's band lie in the outer half; the star and the inner
# line further in.
_DEPTH = 0.5
# Columns of the ring with less ink than this share of the band's rows are blank (the gap).
_BLANK = 0.02
# Characters of the name stand at most this many times their usual spacing apart (a character
# of two pieces, 川 or 北, spaces itself unevenly); further off is the inner line or a speck.
_MAX_CHAR_GAP = 2.5


# The endings of a company's registered name: a name read without one has lost or misread a
# character of it (the last 司 dropped, 有 read as 督).
COMPANY_ENDINGS = ("有限责任公司", "股份有限公司", "有限公司", "分公司")
# A reading is given an ending when that path is at most this much less likely (natural log)
# than the recogniser's own: the seal of a body that is no company (委员会, 局) keeps its name.
_ENDING_COST = 3.0


@dataclass(frozen=True)
class Ring:
    """Where a seal's arc text lies: between depths `inner` and `outer` (pixels in from the
    border along its normal), centred at angle `middle` of the seal's frame (radians, 0 along
    the frame's -v, the seal's 12 o'clock before its turn, growing clockwise)."""

    outer: float
    inner: float
    middle: float


def unroll(image: np.ndarray, seal: Seal, start: float, depths: tuple[float, float],
           columns: int | None = None) -> np.ndarray:
    """The ring of `image` between `depths` (pixels in from the border) unrolled into a strip:
    one column per pixel of arc at the ring's middle, starting at angle `start` (the seal's
    frame, clockwise), the border at the top, so characters stand upright and read left to
    right. Sampling along the ellipse's normals keeps an oval's characters their shape, where
    cv2.warpPolar would stretch them along one axis."""
    d0, d1 = depths
    rows = max(2, int(round(d1 - d0)))
    fine = np.linspace(start, start + 2 * math.pi, 4096)
    mid = (d0 + d1) / 2
    px, py = _offset(seal, fine, mid)
    arc = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(px), np.diff(py)))])
    n = columns or max(8, int(round(arc[-1])))
    ts = np.interp(np.linspace(0, arc[-1], n, endpoint=False), arc, fine)
    depth = np.linspace(d0, d1, rows)
    tt, dd = np.meshgrid(ts, depth)
    map_x, map_y = _offset(seal, tt, dd)
    border = 255 if image.ndim == 2 else (255,) * image.shape[2]
    return cv2.remap(image, map_x.astype(np.float32), map_y.astype(np.float32), cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_CONSTANT, borderValue=border)


def find_ring(ink: np.ndarray, seal: Seal) -> Ring | None:
    """The band and the middle of a seal's arc text, from its ink (255 on 0): the border ring
    is the outermost rows inked all round; the text band the rows inside it with ink over much
    of the circle; the text's middle that of the longest run of characters round the band.

    The band is measured again over the name's half of the ring alone: round the whole ring,
    the inner line at the bottom reaches the band's depth and can join it, and a band that
    deep takes the inner line for a piece of the name."""
    short = min(seal.a, seal.b)
    outer_limit, inner_limit = -0.04 * short, _DEPTH * short
    strip = unroll(ink, seal, 0.0, (outer_limit, inner_limit)) > 127
    band = _band_depths(strip.mean(axis=1), outer_limit, inner_limit)
    if band is None:
        return None
    middle = _text_middle((unroll(ink, seal, 0.0, band, columns=720) > 127).mean(axis=0))
    # Columns of the strip run clockwise from angle 0; a quarter turn either side of the middle.
    n = strip.shape[1]
    first, last = (int(round(n * (middle / (2 * math.pi) + k))) % n for k in (-0.25, 0.25))
    half = strip[:, first:last] if first < last else np.hstack([strip[:, first:], strip[:, :last]])
    narrowed = _band_depths(half.mean(axis=1), outer_limit, inner_limit) if half.shape[1] > 8 else None
    if narrowed is not None and narrowed != band:
        band = narrowed
        middle = _text_middle((unroll(ink, seal, 0.0, band, columns=720) > 127).mean(axis=0))
    return Ring(band[0], band[1], middle)


def _band_depths(rows: np.ndarray, outer_limit: float, inner_limit: float) -> tuple[float, float] | None:
    """The depths (outer, inner) of the text band from the ink share of each row of a strip
    unrolled between `outer_limit` and `inner_limit`, or None when there is no band."""
    # The border: the most inked rows near the top, and its blurred edges with them; the text
    # starts once the rows are clear of it (a character's top is far less inked than a ring).
    ring_row = int(np.argmax(rows[: max(2, len(rows) // 3)]))
    after = ring_row
    while after + 1 < len(rows) and (rows[after + 1] > min(0.5 * rows[ring_row], 0.25)
                                     or rows[after + 1] < rows[after] - 0.01):
        after += 1   # down the ring's inner edge to the valley before the characters
    body = rows[after + 1:]
    if body.size < 4:
        return None
    smooth = np.convolve(body, np.ones(3) / 3, mode="same")
    peak = float(smooth.max())
    if peak < 0.05:
        return None
    inked = np.nonzero(smooth > 0.3 * peak)[0]
    top, bottom = int(inked[0]), int(inked[0])
    # The text band is the first run of inked rows (gaps of a row or two inside characters).
    for k in inked[1:]:
        if k - bottom > 3:
            break
        bottom = int(k)
    scale = (inner_limit - outer_limit) / max(1, len(rows) - 1)
    outer = outer_limit + (after + 1 + top) * scale
    inner = outer_limit + (after + 1 + bottom + 1) * scale
    pad = 0.12 * (inner - outer)
    return outer - pad, inner + pad


def text_strip(image: np.ndarray, seal: Seal, ring: Ring) -> np.ndarray:
    """The arc text of `image` unrolled from the gap at the bottom round to it again, trimmed
    to the characters: a line for the reader."""
    start = ring.middle + math.pi
    strip = unroll(image, seal, start, (ring.outer, ring.inner))
    grey = strip if strip.ndim == 2 else cv2.cvtColor(strip, cv2.COLOR_BGR2GRAY)
    # Faded ink stretched to black: the reader and the trimming below see every stroke.
    darkest = float(np.percentile(grey, 2))
    if darkest < 230:
        grey = np.clip((grey.astype(np.float32) - darkest) * 255.0 / (255.0 - darkest), 0, 255).astype(np.uint8)
        strip = grey
    inked = (grey < 128).mean(axis=0) > _BLANK
    left, right = _text_span(inked, grey.shape[0])
    if right <= left:
        left, right = 0, strip.shape[1]
    margin = int(0.3 * grey.shape[0])
    return strip[:, max(0, left - margin):min(strip.shape[1], right + margin)]


def with_margin(strip: np.ndarray) -> np.ndarray:
    """The strip with paper above and below, as a line cut from a page has. Read tight to the
    band, the recogniser drops or mistakes characters that it reads with the margin, and now
    and then the other way round (12 and 16 of 22 photographed names): the service reads both."""
    pad = strip.shape[0] // 3
    return cv2.copyMakeBorder(strip, pad, pad, 8, 8, cv2.BORDER_CONSTANT, value=255 if strip.ndim == 2 else (255,) * 3)


@dataclass(frozen=True)
class Inside:
    """The inside of a seal turned so that the middle of its name is at 12 o'clock and its
    inner lines are level, paper outside its border; `clear` is 255 inside the name's band,
    where a line is wholly the seal's own; `to_original` carries its points to the picture."""

    image: np.ndarray
    clear: np.ndarray
    to_original: Transform


def seal_inside(image: np.ndarray, seal: Seal, ring: Ring | None) -> Inside:
    """The inside of `seal` in `image`, upright (see Inside). Only the border is cut away: the
    inner line of a round seal reaches down into the name's band, in the gap at the bottom."""
    up = ring.middle if ring else 0.0
    border = ring.outer + 0.1 * (ring.inner - ring.outer) if ring else 0.1 * min(seal.a, seal.b)
    band = ring.inner if ring else 0.3 * min(seal.a, seal.b)
    radius = max(seal.a, seal.b)
    side = int(2 * radius)
    m = cv2.getRotationMatrix2D((seal.cx, seal.cy), seal.angle + math.degrees(up), 1.0)
    m[0, 2] += radius - seal.cx
    m[1, 2] += radius - seal.cy
    turned = cv2.warpAffine(image, m, (side, side), flags=cv2.INTER_LINEAR, borderValue=255)
    masks = []
    for depth in (border, band):
        mask = np.zeros((side, side), np.uint8)
        # Turned, the seal's own axes lie at -up from level.
        cv2.ellipse(mask, (int(radius), int(radius)), (max(1, int(seal.a - depth)), max(1, int(seal.b - depth))),
                    -math.degrees(up), 0, 360, 255, -1)
        masks.append(mask)
    inside = np.where(masks[0] > 0, turned, 255).astype(np.uint8)
    return Inside(_without_star(inside, min(seal.a, seal.b)), masks[1], Transform.from_affine(m).inverse())


def _without_star(inside: np.ndarray, short: float) -> np.ndarray:
    """The inside with the star of a round seal blanked: one solid blob at the centre, larger
    than a character, which reads as a character joined with whatever touches it. Its pieces
    (print stamped across it cuts it) are closed into one first."""
    k = max(3, int(0.06 * short))
    # A quarter of the way from the paper to the seal's darkest ink: the star of a seal whose
    # ink is uneven may be far lighter than its name.
    level = 255.0 - 0.25 * (255.0 - float(np.percentile(inside, 0.5)))
    ink = cv2.morphologyEx((inside < level).astype(np.uint8), cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(ink)
    centre = inside.shape[1] / 2, inside.shape[0] / 2
    for label in range(1, count):
        w, h = stats[label, cv2.CC_STAT_WIDTH], stats[label, cv2.CC_STAT_HEIGHT]
        near = math.hypot(centroids[label][0] - centre[0], centroids[label][1] - centre[1]) < 0.15 * short
        if near and min(w, h) > 0.25 * short and 0.7 < w / h < 1.4:
            hull = cv2.convexHull(np.column_stack(np.nonzero(labels == label)[::-1]).astype(np.int32))
            inside = inside.copy()
            cv2.fillConvexPoly(inside, hull, 255)
    return inside


def _offset(seal: Seal, t: np.ndarray, depth: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Picture points `depth` pixels inside the border of `seal` at angles `t` of its frame."""
    sin, cos = np.sin(t), np.cos(t)
    u, v = seal.a * sin, -seal.b * cos                 # t = 0 at the frame's top, clockwise
    nu, nv = seal.b * sin, -seal.a * cos               # the outward normal there
    norm = np.hypot(nu, nv)
    u = u - depth * nu / norm
    v = v - depth * nv / norm
    rad = math.radians(seal.angle)
    return (seal.cx + u * math.cos(rad) - v * math.sin(rad),
            seal.cy + u * math.sin(rad) + v * math.cos(rad))


def _text_middle(columns: np.ndarray) -> float:
    """The angle (radians) of the middle of the text round a ring of `columns` ink shares: the
    middle of the longest run of ink round the ring, the blanks between its characters bridged.
    The inner line of a round seal reaches down into the band in the gap at the bottom: its
    pieces split that gap, and the widest blank alone would put the text's middle off by up to
    a quarter turn; they stand further off the name than its characters stand apart."""
    n = len(columns)
    # Smoothed round the ring: the last columns are the first ones' neighbours.
    around = np.concatenate([columns[-2:], columns, columns[:2]])
    blank = np.convolve(around, np.ones(5) / 5, mode="valid") < _BLANK * 2
    if blank.all() or not blank.any():
        # No blank at all (a ring of text all round): the text's ink-weighted middle.
        angles = np.linspace(0, 2 * math.pi, n, endpoint=False)
        return float(math.atan2((columns * np.sin(angles)).sum(), (columns * np.cos(angles)).sum()))
    # Pieces of ink as (start, end) columns, counted from the start of the widest blank.
    start = _widest_blank(blank)
    inked = ~np.roll(blank, -start)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], inked.astype(np.int8), [0]])))
    pieces = list(zip(edges[::2], edges[1::2]))
    gaps = [b[0] - a[1] for a, b in zip(pieces, pieces[1:])]
    bridge = min(max(_MAX_CHAR_GAP * float(np.median(gaps)), 0.025 * n), 0.045 * n) if gaps else 0.0
    runs = [list(pieces[0])]
    for (first, last), gap in zip(pieces[1:], gaps):
        if gap <= bridge:
            runs[-1][1] = last
        else:
            runs.append([first, last])
    first, last = max(runs, key=lambda r: r[1] - r[0])
    middle = (start + (first + last) / 2) % n
    return float(2 * math.pi * middle / n) % (2 * math.pi)


def _widest_blank(blank: np.ndarray) -> int:
    """The first column of the widest run of blank columns round the ring (not all blank)."""
    n = len(blank)
    best, best_start, run, run_start = 0, 0, 0, 0
    for k in range(2 * n):
        if blank[k % n]:
            if run == 0:
                run_start = k
            run += 1
            if run > best and run <= n:
                best, best_start = run, run_start
        else:
            run = 0
    return best_start % n


def _text_span(inked: np.ndarray, height: int) -> tuple[int, int]:
    """The first and last column of the run of characters round the strip's middle: pieces of
    ink joined while the blank between them is no wider than the name's own spacing allows;
    a piece of the inner line dipping into the band stands further off in the gap."""
    cols = np.nonzero(inked)[0]
    if cols.size == 0:
        return 0, 0
    # Pieces: inked columns with blanks of a few columns (inside a character) joined.
    joins = max(2, int(0.15 * height))
    pieces = [[int(cols[0]), int(cols[0])]]
    for c in cols[1:]:
        if c - pieces[-1][1] <= joins:
            pieces[-1][1] = int(c)
        else:
            pieces.append([int(c), int(c)])
    gaps = [b[0] - a[1] for a, b in zip(pieces, pieces[1:])]
    spacing = float(np.median(gaps)) if gaps else 0.0
    max_gap = max(_MAX_CHAR_GAP * spacing, 0.8 * height)
    centre = len(inked) / 2
    middle = int(np.argmin([min(abs(a - centre), abs(b - centre)) for a, b in pieces]))
    first = last = middle
    while last + 1 < len(pieces) and gaps[last] <= max_gap:
        last += 1
    while first > 0 and gaps[first - 1] <= max_gap:
        first -= 1
    return pieces[first][0], pieces[last][1] + 1


def name_with_ending(probs: np.ndarray, alphabet: list[str], endings: tuple[str, ...] = COMPANY_ENDINGS,
                     cost: float = _ENDING_COST) -> str | None:
    """The likeliest text of a line's CTC probabilities (steps × alphabet, 0 the blank) that
    ends in one of `endings`: the recogniser's own best path up to a step, the ending aligned
    to the steps after it; None when every ending costs more than `cost` (natural log)."""
    logp = np.log(np.clip(probs, 1e-12, None))
    top = logp.argmax(axis=1)
    free = np.concatenate([[0.0], np.cumsum(logp.max(axis=1))])
    index = {ch: i for i, ch in enumerate(alphabet) if i > 0}
    best, best_score = None, free[-1] - cost
    for ending in endings:
        if any(ch not in index for ch in ending):
            continue
        ids = [index[ch] for ch in ending]
        after = _aligned_from(logp, ids)
        # The free part may not end on the ending's first character: CTC would merge the two.
        scores = free[:-1] + after[:-1]
        scores[1:][top[:-1] == ids[0]] = -np.inf
        step = int(np.argmax(scores))
        if scores[step] >= best_score:
            best, best_score = best_path(top[:step], alphabet) + ending, float(scores[step])
    return best


def _aligned_from(logp: np.ndarray, ids: list[int]) -> np.ndarray:
    """For each step t, the log probability of the likeliest CTC path that spells `ids` over
    steps t to the end (blanks between and around)."""
    labels = [0]
    for i in ids:
        labels += [i, 0]
    n, steps = len(labels), logp.shape[0]
    skip = np.array([s + 2 < n and labels[s] != 0 and labels[s + 2] != labels[s] for s in range(n)])
    beta = np.full((steps + 1, n), -np.inf)
    beta[steps, n - 2:] = 0.0
    emit = logp[:, labels]
    for t in range(steps - 1, -1, -1):
        nxt = beta[t + 1]
        move = np.maximum(nxt, np.concatenate([nxt[1:], [-np.inf]]))
        move = np.where(skip, np.maximum(move, np.concatenate([nxt[2:], [-np.inf, -np.inf]])), move)
        beta[t] = emit[t] + move
    return np.maximum(beta[:, 0], beta[:, 1])


def best_path(labels: np.ndarray, alphabet: list[str]) -> str:
    """CTC's collapse of a path: repeats merged, blanks dropped."""
    out, previous = [], 0
    for k in labels:
        if k != previous and k != 0:
            out.append(alphabet[k])
        previous = k
    return "".join(out)
