"""ocr_train_ticket: a China Railway ticket, blue or red: origin and destination (the stations
either side of the train number), train number, departure date and time, car and seat, class
and price, each found by its form on the ticket.

Tickets are printed over a security pattern, 中国铁路 repeated in a pale tint of the ground.
Print that is paler, smaller or repeated is background, not a field: the tinted and pale print
is taken out before the ticket is read, and what of it is still read is left out of the fields."""
from __future__ import annotations

import re
from collections import Counter

import cv2
import numpy as np

from ocr_core.engines import Pipeline, get_engine
from ocr_core.engines.base import TextLine
from ocr_core.errors import WrongCategory
from ocr_core.steps.answer import Findings
from ocr_core.steps.extract import Field, field_evidence
from ocr_core.steps.read import read_page_text

OPTIONS: dict = {}
CJK = r"\u4e00-\u9fff"
# G/D/C high-speed, Z/T/K express, S/Y/L and plain numbers are rarer; at most four digits.
TRAIN_NUMBER = re.compile(r"(?<![A-Za-z0-9])[GDCZTKSYL]\d{1,4}(?![A-Za-z0-9])")
DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日(\d{1,2})[:：.](\d{2})")
PLACE = re.compile(r"(\d{1,2})车(无座|\d{1,3}[A-F]?号(?:上铺|中铺|下铺)?)")
LEVEL = re.compile(r"(?:新空调)?(?:商务座|特等座|一等座|二等座|高级软卧|动卧|一等卧|二等卧|软卧|硬卧|软座|硬座)|无座")
# ¥73.5元; the yen sign may read as Y, so a Y counts only before a price's decimal.
PRICE = re.compile(r"[¥￥Y]\s*(\d{1,5}\.\d)\s*元?|[¥￥]\s*(\d{1,5})\s*元|(\d{1,5}\.\d)\s*元")
STATION = re.compile(rf"([{CJK}]{{1,6}}?)站")
# A pinyin syllable: an optional initial and a final. The pinyin under a station has one per character.
SYLLABLE = re.compile(r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
                      r"(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ao|ou|an|en|in|un|ia|ie|iu|ua|uo|ui|ue|"
                      r"er|a|o|e|i|u|v)")
PINYIN = re.compile(r"[A-Za-z][A-Za-z']+")
# A word is the ticket's background pattern when its lines hold it this many times: the fields
# print a station at most three times (its row, the 售 office and the code line), the pattern
# fills the ticket with dozens.
PATTERN_REPEATS = 5


def ocr_train_ticket(image: np.ndarray, configure: dict, pipeline: Pipeline) -> Findings:
    page = read_page_text(without_pale_print(image), pipeline)
    upright = page.upright_lines()
    texts = [line.text.replace(" ", "") for line in upright]
    pattern = pattern_word(texts)
    texts = without_pattern(texts, pattern)
    number = _train_number(upright, texts)
    date, place, price = _first(texts, DATE), _first(texts, PLACE), _first(texts, PRICE)
    level = _first([PLACE.sub("", text) for text in texts], LEVEL)
    if level is None:
        level = _level_read_wider(page, upright, texts, get_engine(pipeline.reader))
    if number is None or sum(found is not None for found in (date, place, price, level)) < 2:
        raise WrongCategory()
    origin, destination = _stations(upright, texts, number, pattern)
    answer = {
        "date": _date(date[1]) if date else "",
        "destination": destination[1] if destination else "",
        "level": level[1].group(0) if level else "",
        "number": number[1].group(0),
        "origin": origin[1] if origin else "",
        "place": place[1].group(0) if place else "",
        "price": float(next(g for g in price[1].groups() if g)) if price else 0.0,
    }

    def evidence(found: tuple | None, valid: bool | None = None) -> dict:
        if found is None:
            return field_evidence(None)
        line = page.lines[found[0]]
        return field_evidence(Field(line.text, (line.quad,), line.prob), valid)

    evidence_of = {"date": evidence(date, True if date else None), "destination": evidence(destination),
                   "level": evidence(level), "number": evidence(number, True), "origin": evidence(origin),
                   "place": evidence(place, True if place else None), "price": evidence(price)}
    # The reference's ticket answer has no config_str.
    return Findings(answer, evidence_of, page.warnings, page.engine)


def without_pale_print(image: np.ndarray) -> np.ndarray:
    """The picture with coloured and pale print turned to the ground around it.

    Print is told by each pixel's lightest channel: the fields are printed in black, dark in
    every channel; the pattern, the guilloche and the red serial number are dark in one or
    two channels only. What is darker than its ground there by less than the fields' ink is
    lifted to that ground, the ground being the lightest colour around (a window wider than a
    stroke). The colours stay, so the ticket is still told from the desk it lies on."""
    colour = image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    window = max(15, min(colour.shape[:2]) // 40) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (window, window))
    ground = cv2.blur(cv2.dilate(colour, kernel), (window, window)).astype(np.float32)
    lightest = colour.max(axis=2).astype(np.float32)
    share = lightest / np.maximum(ground.max(axis=2), 1.0)     # 1: as light as the ground, 0: black
    lift = np.clip((share - _INK_SHARE) / (_PALE_SHARE - _INK_SHARE), 0.0, 1.0)[..., None]
    lifted = colour + (ground - colour) * lift
    return np.clip(np.rint(lifted), 0, 255).astype(np.uint8)


# Print at most this share of its ground's lightness is ink and kept as it is; print from
# _PALE_SHARE up is background and lifted to the ground, with a ramp between (soft strokes of
# a blurred photo keep their ink). The pattern's lightest channel sits at 0.85-0.95 of the
# ground's, the fields' at 0.1-0.4.
_INK_SHARE = 0.6
_PALE_SHARE = 0.85


def pattern_word(texts: list[str]) -> str | None:
    """The word the ticket is printed over and over with (中国铁路 on China Railway's), found
    as the run of 3 to 6 characters its lines hold most often, PATTERN_REPEATS times or more;
    None on a ticket without a pattern."""
    counts: Counter[str] = Counter()
    for text in texts:
        for run in re.findall(f"[{CJK}]{{3,}}", text):
            counts.update({run[i:i + n] for n in range(3, 7) for i in range(len(run) - n + 1)})
    top = max(counts.values(), default=0)
    if top < PATTERN_REPEATS:
        return None
    # The longest of the most repeated: 中国铁路 rather than 中国铁, which it holds and which
    # is read more often (the word cut by a field or by the ticket's edge).
    return max((len(word), count, word) for word, count in counts.items() if count >= 0.75 * top)[2]


def without_pattern(texts: list[str], word: str | None) -> list[str]:
    """The lines with the background pattern's print taken out: every piece of two characters
    or more of `word` repeated (中国铁路中国铁路 holds 路中国), and lines of nothing but its
    characters. A single character of it beside a field's print stays: it may be the field's
    own (中山站, 铁岭站); the stations are cut to their pinyin's length for that."""
    if not word:
        return texts
    cycle = word * 3
    pieces = sorted({cycle[i:i + n] for n in range(2, len(word) + 1) for i in range(len(word))}, key=len, reverse=True)
    piece = re.compile("|".join(map(re.escape, pieces)))
    cleaned = []
    for text in texts:
        text = piece.sub("", text)
        cleaned.append("" if set(text) <= set(word) else text)
    return cleaned


# A class read without its first character: 二 and 一 are a stroke or two the line finder may
# leave out of the class's box (等座 for 二等座).
_CLASS_TAIL = re.compile(r"^(?:等座|等卧|座|卧)$")


def _level_read_wider(page, lines: list[TextLine], texts: list[str], engine) -> tuple[int, re.Match] | None:
    """The class read again from a box widened to the left of a line that holds only the end
    of one, on the upright page."""
    for index, (line, text) in enumerate(zip(lines, texts)):
        if not _CLASS_TAIL.match(text):
            continue
        left, top, right, bottom = line.quad.bounds()
        height = bottom - top
        h, w = page.upright.shape[:2]
        crop = page.upright[max(0, int(top - 0.2 * height)):min(h, int(bottom + 0.2 * height)),
                            max(0, int(left - 2.5 * height)):min(w, int(right + 0.2 * height))]
        match = LEVEL.search(engine.read_line(crop).text.replace(" ", ""))
        if match:
            return index, match
    return None


def _train_number(lines: list[TextLine], texts: list[str]) -> tuple[int, re.Match] | None:
    """The train number: of the lines holding one's form, the one in the largest type (the
    number prints at 4.2-4.8 mm; the serial, whose remains S51 may read as one, at 3.6 mm)."""
    found = [(index, match) for index, text in enumerate(texts) if (match := TRAIN_NUMBER.search(text))]
    if not found:
        return None

    def height(item: tuple[int, re.Match]) -> float:
        _, top, _, bottom = lines[item[0]].quad.bounds()
        return bottom - top

    return max(found, key=height)


def _first(texts: list[str], pattern: re.Pattern) -> tuple[int, re.Match] | None:
    """The first line that holds `pattern`, with the match."""
    for index, text in enumerate(texts):
        match = pattern.search(text)
        if match:
            return index, match
    return None


def _date(match: re.Match) -> str:
    """As the reference writes it: 2013年10月07日10:43."""
    year, month, day, hour, minute = match.groups()
    return f"{year}年{int(month):02d}月{int(day):02d}日{int(hour):02d}:{minute}"


def _stations(lines: list[TextLine], texts: list[str], number: tuple[int, re.Match], pattern: str | None = None
              ) -> tuple[tuple[int, str] | None, tuple[int, str] | None]:
    """Origin and destination: the station names (printed with 站) on the train number's row,
    left of it and right of it. A row the line finder kept whole reads 杭州东站G7512上海虹桥站.

    A name read without its 站 counts only when no name with 站 is on its side and its type is
    station-sized: the background pattern's words are smaller than the fields' type. A name
    longer than its pinyin says loses first the characters of the `pattern` word at its ends."""
    index, match = number
    own = texts[index]
    rest = own[match.end():].removeprefix("次")       # K970次: the 次 is the number's
    before, after = STATION.findall(own[:match.start()]), STATION.findall(rest)
    if before and after:
        return (index, before[-1]), (index, after[0])
    left_x, top, right_x, bottom = lines[index].quad.bounds()
    middle, height = (top + bottom) / 2, bottom - top
    # The number's own place on its line: a line may hold a station with it (贵阳北站G1740).
    centre_x = left_x + (right_x - left_x) * (match.start() + match.end()) / 2 / max(1, len(own))
    heights = sorted(line.quad.bounds()[3] - line.quad.bounds()[1] for line, text in zip(lines, texts) if text)
    typical = heights[len(heights) // 2] if heights else 0.0
    row = []
    for i, (line, text) in enumerate(zip(lines, texts)):
        if i == index or abs(line.quad.center[1] - middle) > 1.5 * height:
            continue
        names = STATION.findall(text)
        _, line_top, _, line_bottom = line.quad.bounds()
        if names:
            row.append((True, line.quad.center[0], i, names[0]))
        elif (re.fullmatch(f"[{CJK}]{{2,6}}", text) and "售" not in text
              and line_bottom - line_top >= _STATION_TYPE * typical):
            row.append((False, line.quad.center[0], i, text))
    # A name read with the number, without its 站 (the 站 read apart, or not at all).
    for name, x in ((own[:match.start()], left_x), (rest, right_x)):
        if re.fullmatch(f"[{CJK}]{{2,7}}", name) and "售" not in name:
            row.append((False, x, index, name))
    origin = destination = None
    if before:
        origin = (index, before[-1], True)
    elif left := [c for c in row if c[1] < centre_x]:
        named, _, i, name = max(left)          # with 站 first, then the nearest the number
        origin = (i, name, named)
    if after:
        destination = (index, after[0], True)
    elif right := [c for c in row if c[1] > centre_x]:
        named, _, i, name = max(right, key=lambda c: (c[0], -c[1]))
        destination = (i, name, named)
    # The 站 after a name, in smaller type, may read as another character (贵阳北关), and a
    # pattern character may be read before a name: the pinyin printed under each station says
    # how many characters its name has, the last ones before a 站, the first ones of a name without.
    below = []
    for line, text in zip(lines, texts):
        latin = re.sub(f"[{CJK}]", "", text)
        if PINYIN.fullmatch(latin) and 0 < line.quad.center[1] - middle < 2.5 * height:
            below.append((line.quad.center[0], syllables(latin)))
    below.sort()
    counts = {"origin": [n for x, n in below if x < centre_x], "destination": [n for x, n in below if x > centre_x]}
    return (_cut(origin, counts["origin"][0] if counts["origin"] else None, pattern),
            _cut(destination, counts["destination"][-1] if counts["destination"] else None, pattern))


# A name without 站 is a station only in type this much taller than the ticket's typical line
# (stations print at 4.6-5.2 mm, values at 3.1-3.5 mm, the background pattern at 2.8 mm or less).
_STATION_TYPE = 1.15


def _cut(found: tuple[int, str, bool] | None, characters: int | None, pattern: str | None
         ) -> tuple[int, str] | None:
    """A station name cut to `characters`: the run of that length whose cut-off characters
    are most the pattern's; else the last ones before a 站, the first ones of a name without."""
    if found is None:
        return None
    index, name, named = found
    if characters and len(name) > characters:
        starts = range(len(name) - characters + 1)
        background = set(pattern or "")

        def cut_off_pattern(start: int) -> int:
            return sum(c in background for c in name[:start] + name[start + characters:])

        best = max(cut_off_pattern(start) for start in starts)
        fitting = [start for start in starts if cut_off_pattern(start) == best]
        start = fitting[-1] if named else fitting[0]
        name = name[start:start + characters]
    return index, name


def syllables(pinyin: str) -> int | None:
    """The fewest pinyin syllables that spell `pinyin` (an apostrophe parts two: Xi'an is 2),
    or None when none does (it is not pinyin)."""
    total = 0
    for part in pinyin.lower().split("'"):
        fewest: list[int | None] = [0] + [None] * len(part)
        for end in range(1, len(part) + 1):
            for start in range(max(0, end - 6), end):
                before = fewest[start]
                if before is not None and SYLLABLE.fullmatch(part[start:end]):
                    fewest[end] = before + 1 if fewest[end] is None else min(fewest[end], before + 1)
        if fewest[-1] is None:
            return None
        total += fewest[-1]
    return total
