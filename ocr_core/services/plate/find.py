"""Chinese number plates (GA 36) in a street picture: found by their colour and shape, rectified,
and their reading held to the plate grammar (province, letter, serial whose length the colour sets)."""
from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from ocr_core.checks.plate_number import GRAMMARS
from ocr_core.chinese_text import edit_distance
from ocr_core.geometry import Quad, warp_quad

# Colours whose characters are light on a dark ground: inverted before reading.
LIGHT_ON_DARK = {"blue", "black"}
# A rectified plate: 440 × 140 mm (new-energy 480 × 140), read at this height.
CROP_HEIGHT = 64
# Most candidates of each kind read (the largest regions, the longest rows): each costs a reading,
# and a page of text held 4101 (its 16 px lines are rows of characters on white), more than 420 s.
# The 15 real plate pictures give at most 6.
MAX_CANDIDATES = 32


@dataclass(frozen=True)
class PlateCandidate:
    """A region that may be a plate: its corners in the picture (reading order) and the colour of
    its ground, which sets the grammar it is read by."""

    quad: Quad
    colour: str
    # Found by its row of characters rather than its ground: the grammar may have invented what
    # lies outside the row (a two-row plate's upper row), so its reading is held closer.
    by_row: bool = False


def colour_masks(image: np.ndarray) -> Iterator[tuple[str, np.ndarray]]:
    """Where each plate ground colour is in a BGR picture (255 inside), one colour at a time (a
    mask of a picture at the pixel bound is 40 MB). Thresholds are wide enough for dusk, shade
    and a camera's white balance; the shape test does the rest."""
    hsv = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)
    # Light is judged against the picture's own bright end: a dim photo's white plate is grey.
    bright = float(np.percentile(hsv[..., 2], 99)) or 255.0
    # (lowest, highest) hue, saturation and value of each, inclusive.
    ranges = {
        "blue": ((98, 80, 45), (130, 255, 255)),
        # Not the browns and oranges of car paint and brick: a yellow plate is bright.
        "yellow": ((16, 100, math.ceil(0.5 * bright)), (34, 255, 255)),
        # A new-energy plate fades from pale to full green: low saturation but a green hue at its top.
        "green": ((36, 14, math.ceil(0.35 * bright)), (95, 255, 255)),
        "white": ((0, 0, math.ceil(0.55 * bright)), (255, 50, 255)),
        "black": ((0, 0, 0), (255, 110, math.floor(0.3 * bright))),
    }
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))
    for name, (low, high) in ranges.items():
        yield name, cv2.morphologyEx(cv2.inRange(hsv, low, high), cv2.MORPH_OPEN, kernel)


def find_plates(image: np.ndarray, min_width: int = 40) -> list[PlateCandidate]:
    """Regions that may be plates: first those of a plate's colour shaped like one (a filled
    rectangle 2-6 times as long as high, at least `min_width` px long, with a row of characters
    inside), largest first; then rows of characters, whatever their ground."""
    found = []
    for colour, mask in colour_masks(image):
        # Two levels: a plate inside a hole of a larger region (a black plate in dark asphalt,
        # ringed by its white rim) is still a region of its own.
        contours, _ = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
        for contour in contours:
            quad = _plate_quad(contour, min_width)
            if quad is not None and colour == "green" and quad.length > 4.0 * quad.thickness:
                quad = _taller(quad, quad.length * 140 / 480)
            if quad is not None and has_character_row(image, quad):
                found.append(PlateCandidate(quad, ground_colour(image, quad)))
    found.sort(key=lambda c: -c.quad.length * c.quad.thickness)
    # Rows of characters, after the plate-coloured regions: a plate may be found both ways, and
    # the reader keeps the better reading.
    rows = [quad for quad in find_character_rows(image) if quad.length >= min_width]
    if len(rows) > MAX_CANDIDATES:
        longest = sorted(range(len(rows)), key=lambda i: -rows[i].length)[:MAX_CANDIDATES]
        rows = [rows[i] for i in sorted(longest)]
    found = found[:MAX_CANDIDATES]
    found.extend(PlateCandidate(quad, ground_colour(image, quad), by_row=True) for quad in rows)
    return found


def find_character_rows(image: np.ndarray, min_height: int = 9) -> list[Quad]:
    """Plates found by their characters instead of their ground: rows of at least four blobs of
    one height, evenly spaced, dark on light or light on dark. This finds the plate whose ground
    runs into a car body of its own colour (a white plate on a white car, its thin rim lost to
    blur). Each row is widened to the plate round it (characters are 90 of its 140 mm)."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    rows = []
    for mode in (cv2.THRESH_BINARY_INV, cv2.THRESH_BINARY):
        ink = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, mode, 31, 5)
        _, _, stats, _ = cv2.connectedComponentsWithStats(ink)
        # Up to 1.4 times as wide as high: blur joins two characters of a new-energy plate.
        blobs = [(x, y, w, h) for x, y, w, h, area in stats[1:]
                 if min_height <= h <= 160 and 0.12 * h <= w <= 1.4 * h and area <= 0.85 * w * h]
        rows.extend(_rows(blobs))
    return rows


def _rows(blobs: list[tuple[int, int, int, int]]) -> list[Quad]:
    """The plate-sized quads round chains of blobs (x, y, w, h) that stand in a row."""
    blobs.sort()
    # Each blob links to the nearest blob on its right of like height on the same line.
    nxt: dict[int, int] = {}
    for i, (x, y, w, h) in enumerate(blobs):
        cy = y + h / 2
        for j in range(i + 1, len(blobs)):
            x2, y2, w2, h2 = blobs[j]
            if x2 > x + w + 1.0 * h:
                break
            if x2 > x + 0.5 * w and abs(y2 + h2 / 2 - cy) < 0.25 * h and 0.8 <= h2 / h <= 1.25:
                nxt[i] = j
                break
    targets = set(nxt.values())
    quads = []
    for start in (i for i in range(len(blobs)) if i in nxt and i not in targets):
        chain = [start]
        while chain[-1] in nxt:
            chain.append(nxt[chain[-1]])
        if len(chain) < 4:
            continue
        members = np.array([blobs[i] for i in chain], np.float64)
        height = float(np.median(members[:, 3]))
        xs, ys = members[:, 0] + members[:, 2] / 2, members[:, 1] + members[:, 3] / 2
        slope = float(np.polyfit(xs, ys, 1)[0]) if len(chain) > 1 else 0.0
        left, right = members[:, 0].min(), (members[:, 0] + members[:, 2]).max()
        # The row may have left out the province character (its strokes are apart) and the
        # characters' margins: a plate reaches one character beyond the row on the left.
        left -= 0.75 * height
        right += 0.6 * height
        half = 0.78 * height
        centre_y = float(np.median(ys - slope * xs))
        corners = [(left, slope * left + centre_y - half), (right, slope * right + centre_y - half),
                   (right, slope * right + centre_y + half), (left, slope * left + centre_y + half)]
        quads.append(Quad.from_points(corners))
    return quads


def _plate_quad(contour: np.ndarray, min_width: int) -> Quad | None:
    (cx, cy), (w, h), angle = cv2.minAreaRect(contour)
    long, short = max(w, h), min(w, h)
    if long < min_width or short < 10 or not 2.0 <= long / short <= 6.0:
        return None
    hull = cv2.convexHull(contour)
    # A plate is a filled rectangle (its characters are holes inside, not dents in its outline).
    if cv2.contourArea(hull) < 0.8 * w * h or cv2.contourArea(contour) < 0.7 * w * h:
        return None
    corners = cv2.approxPolyDP(hull, 0.04 * cv2.arcLength(hull, True), True).reshape(-1, 2)
    if len(corners) != 4:
        corners = cv2.boxPoints(((cx, cy), (w, h), angle))
    quad = _reading_order(np.asarray(corners, np.float64))
    if abs(quad.direction) > 35:   # plates stand upright on a car; a tall panel is not one
        return None
    return quad


def _taller(quad: Quad, height: float) -> Quad:
    """`quad` with its top edge raised to `height` above its bottom edge: a new-energy plate's
    pale upper half is too pale for the green mask, which finds only its lower half."""
    tl, tr, br, bl = quad.as_array()
    scale = height / max(quad.thickness, 1.0)
    return Quad.from_points([bl + (tl - bl) * scale, br + (tr - br) * scale, br, bl])


def _reading_order(points: np.ndarray) -> Quad:
    """Four corners as tl, tr, br, bl of a region wider than high."""
    by_y = points[np.argsort(points[:, 1])]
    top, bottom = by_y[:2], by_y[2:]
    tl, tr = top[np.argsort(top[:, 0])]
    bl, br = bottom[np.argsort(bottom[:, 0])]
    return Quad.from_points([tl, tr, br, bl])


def has_character_row(image: np.ndarray, quad: Quad) -> bool:
    """Whether the rectified region holds at least five blobs of character height side by side,
    dark on light or light on dark: a plate's characters, not a window, a panel or a stripe of
    road marking. Several thresholds: a new-energy plate's gradient has three levels, not two."""
    # Inside the rim: blur joins a dark rim to the characters it nearly touches.
    grey = reading_crop(image, grown(quad, -0.02, -0.06), "white")
    height, width = grey.shape
    otsu, _ = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    for level in (otsu, 60.0, 100.0, 140.0, 180.0):
        for mode in (cv2.THRESH_BINARY_INV, cv2.THRESH_BINARY):
            _, ink = cv2.threshold(grey, level, 255, mode)
            _, _, stats, _ = cv2.connectedComponentsWithStats(ink)
            tall = [s for s in stats[1:] if 0.35 * height <= s[cv2.CC_STAT_HEIGHT] <= 0.98 * height
                    and s[cv2.CC_STAT_WIDTH] <= 0.25 * width]
            if len(tall) >= 5:
                return True
    return False


def ground_colour(image: np.ndarray, quad: Quad) -> str:
    """The plate's colour, from its ground: what decides how long its number is. A colour that
    covers a quarter of the plate's inside is its ground (characters and the pale top of a
    new-energy plate's gradient are not that colour); else it is white or black by its brightness."""
    width = max(32, int(round(64 * quad.length / max(quad.thickness, 1.0))))
    warped, _ = warp_quad(image, grown(quad, -0.06, -0.12), (width, 64))
    hsv = cv2.cvtColor(warped, cv2.COLOR_BGR2HSV).reshape(-1, 3).astype(np.int32)
    h, s, v = hsv[:, 0], hsv[:, 1], hsv[:, 2]
    shares = {
        "blue": np.mean((h >= 95) & (h <= 135) & (s >= 70) & (v >= 40)),
        "yellow": np.mean((h >= 12) & (h <= 35) & (s >= 80) & (v >= 80)),
        "green": np.mean((h >= 36) & (h <= 95) & (s >= 25) & (v >= 60)),
    }
    colour = max(shares, key=shares.get)
    if shares[colour] >= 0.25:
        return colour
    # White or black: the bands above and below the characters are ground only.
    rows = v.reshape(64, -1)
    band = np.concatenate([rows[:5].ravel(), rows[-5:].ravel()])
    low, high = np.percentile(v, 5), np.percentile(v, 95)
    return "white" if np.median(band) > (low + high) / 2 else "black"


def grown(quad: Quad, dx: float, dy: float) -> Quad:
    """`quad` grown by fractions `dx` of its length on each side and `dy` of its height (negative: shrunk)."""
    pts = quad.as_array()
    across_x = (pts[1] - pts[0] + pts[2] - pts[3]) / 2
    across_y = (pts[3] - pts[0] + pts[2] - pts[1]) / 2
    signs = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], np.float64)
    moved = pts + signs[:, :1] * dx * across_x + signs[:, 1:] * dy * across_y
    return Quad.from_points(moved)


def reading_crop(image: np.ndarray, quad: Quad, colour: str) -> np.ndarray:
    """The plate rectified to CROP_HEIGHT px high, as grey with dark characters on a light ground."""
    width = max(CROP_HEIGHT * 2, int(round(CROP_HEIGHT * quad.length / max(quad.thickness, 1.0))))
    warped, _ = warp_quad(image, quad, (width, CROP_HEIGHT))
    if warped.ndim == 2:
        grey = warped
    elif colour == "white":
        grey = warped.min(axis=2)   # a police plate's red 警 is as dark as its black characters
    else:
        grey = cv2.cvtColor(warped, cv2.COLOR_BGR2GRAY)
    if colour in LIGHT_ON_DARK:
        grey = 255 - grey
    return cv2.normalize(grey, None, 0, 255, cv2.NORM_MINMAX)


def decode_plate(probs: np.ndarray, alphabet: list[str], colour: str) -> tuple[str, float]:
    """The likeliest plate number of `colour` in a recogniser's step-by-step character
    probabilities (CTC, blank first), and its confidence: the mean over its characters of each
    one's best probability. The grammar picks the province among the provinces only, a letter
    where only a letter may stand, a digit where only a digit may, and the colour's length."""
    index = {ch: i for i, ch in enumerate(alphabet)}
    logp = np.log(np.maximum(probs, 1e-12))
    best: tuple[float, str, float] | None = None
    for grammar in GRAMMARS[colour]:
        slots = [np.array([index[ch] for ch in allowed if ch in index]) for allowed in grammar]
        score, text, conf = _best_path(logp, probs, slots, alphabet)
        if best is None or score > best[0]:
            best = (score, text, conf)
    return best[1], best[2]


def _best_path(logp: np.ndarray, probs: np.ndarray, slots: list[np.ndarray], alphabet: list[str]
               ) -> tuple[float, str, float]:
    """CTC's best path through blank, slot 1, blank, slot 2, ... blank, each slot taking one of
    its characters (Viterbi over the steps). Returns (log score, text, confidence)."""
    steps, n = logp.shape[0], len(slots)
    neg = -1e18
    blank = np.full(n + 1, neg)                 # blank[k]: in the blank after k characters
    chars = [np.full(len(s), neg) for s in slots]
    # Where each state came from: blank: -1 stayed, else the index of slot k-1's character;
    # character: (0 stayed, 1 from the blank before it, 2 from the slot before's character i).
    back_blank = np.full((steps, n + 1), -1, np.int64)
    back_char = [np.zeros((steps, len(s), 2), np.int64) for s in slots]
    blank[0] = logp[0, 0]
    chars[0] = logp[0, slots[0]].copy()
    for t in range(1, steps):
        new_blank = blank + logp[t, 0]
        for k in range(1, n + 1):
            i = int(chars[k - 1].argmax())
            if chars[k - 1][i] > blank[k]:
                new_blank[k] = chars[k - 1][i] + logp[t, 0]
                back_blank[t, k] = i
        new_chars = []
        for k, s in enumerate(slots):
            if k > 0:
                prev, prev_slot = chars[k - 1], slots[k - 1]
                order = np.argsort(prev)[::-1][:2]
                top, second = int(order[0]), int(order[-1])
                # CTC merges repeats: the same character twice needs a blank between.
                same = s == prev_slot[top]
                from_idx = np.where(same, second, top)
                from_char = np.where(same, prev[second] if second != top else neg, prev[top])
            else:
                from_idx, from_char = np.zeros(len(s), np.int64), np.full(len(s), neg)
            options = np.stack([chars[k], np.full(len(s), blank[k]), from_char])
            back_char[k][t, :, 0] = options.argmax(axis=0)
            back_char[k][t, :, 1] = from_idx
            new_chars.append(options.max(axis=0) + logp[t, s])
        blank, chars = new_blank, new_chars
    last = int(chars[n - 1].argmax())
    if blank[n] >= chars[n - 1][last]:
        score, state = blank[n], (True, n, 0)
    else:
        score, state = chars[n - 1][last], (False, n - 1, last)
    picked, peak = [0] * n, [0.0] * n
    for t in range(steps - 1, -1, -1):
        is_blank, k, i = state
        if not is_blank:
            picked[k] = i
            peak[k] = max(peak[k], float(probs[t, slots[k][i]]))
            how, from_idx = back_char[k][t, i]
            state = (False, k, i) if how == 0 else (True, k, 0) if how == 1 else (False, k - 1, int(from_idx))
        elif back_blank[t, k] >= 0:
            state = (False, k - 1, int(back_blank[t, k]))
    text = "".join(alphabet[slots[k][picked[k]]] for k in range(n))
    return float(score), text, float(np.mean(peak))


def free_reading(probs: np.ndarray, alphabet: list[str]) -> str:
    """The recogniser's own reading of the same probabilities: the likeliest character at each
    step, repeats merged and blanks dropped (CTC's greedy decoding)."""
    best = probs.argmax(axis=1)
    return "".join(alphabet[i] for n, i in enumerate(best) if i != 0 and (n == 0 or best[n - 1] != i))


def close_to(reading: str, plate: str, edits: int = 2) -> bool:
    """Whether a free reading is the plate number but for at most `edits` characters (a province
    or an ending read as something else or not at all): what a sign's text forced into the plate
    grammar is not. The separator dot and spaces do not count."""
    return edit_distance("".join(ch for ch in reading.upper() if ch.isalnum()), plate) <= edits
