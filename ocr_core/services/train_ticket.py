"""ocr_train_ticket: a China Railway ticket, blue or red: origin and destination (the stations
either side of the train number), train number, departure date and time, car and seat, class
and price, each found by its form on the ticket.

Tickets are printed over a security pattern, 中国铁路 repeated in a pale tint of the ground.
Print that is paler, smaller or repeated is background, not a field: the tinted print is taken
out before the ticket is read, and what of it is still read is left out of the fields."""
from __future__ import annotations

import re
from collections import Counter

import cv2
import numpy as np

from ocr_core.engines import Pipeline
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
    page = read_page_text(without_tinted_print(image), pipeline)
    upright = page.upright_lines()
    texts = [line.text.replace(" ", "") for line in upright]
    texts = without_pattern(texts, pattern_word(texts))
    number = _first(texts, TRAIN_NUMBER)
    date, place, price = _first(texts, DATE), _first(texts, PLACE), _first(texts, PRICE)
    level = _first([PLACE.sub("", text) for text in texts], LEVEL)
    if number is None or sum(found is not None for found in (date, place, price, level)) < 2:
        raise WrongCategory()
    origin, destination = _stations(upright, texts, number)
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


def without_tinted_print(image: np.ndarray) -> np.ndarray:
    """The picture with coloured print turned to ground, as grey BGR: each pixel's lightest
    channel. The fields are printed in black, dark in every channel; the pattern, the guilloche
    and the red serial number are dark in one or two channels only, light in the third."""
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    return cv2.cvtColor(image.max(axis=2), cv2.COLOR_GRAY2BGR)


def pattern_word(texts: list[str]) -> str | None:
    """The word the ticket is printed over and over with (中国铁路 on China Railway's), found
    as the run of 3 to 6 characters its lines hold most often, PATTERN_REPEATS times or more;
    None on a ticket without a pattern."""
    counts: Counter[str] = Counter()
    for text in texts:
        for run in re.findall(f"[{CJK}]{{3,}}", text):
            counts.update({run[i:i + n] for n in range(3, 7) for i in range(len(run) - n + 1)})
    repeated = [(count, len(word), word) for word, count in counts.items() if count >= PATTERN_REPEATS]
    if not repeated:
        return None
    # The longest of the most repeated: 中国铁路 rather than 中国铁, which it holds.
    top = max(count for count, _, _ in repeated)
    return max((length, word) for count, length, word in repeated if count >= 0.8 * top)[1]


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


def _stations(lines: list[TextLine], texts: list[str], number: tuple[int, re.Match]
              ) -> tuple[tuple[int, str] | None, tuple[int, str] | None]:
    """Origin and destination: the station names (printed with 站) on the train number's row,
    left of it and right of it. A row the line finder kept whole reads 杭州东站G7512上海虹桥站.

    A name read without its 站 counts only when no name with 站 is on its side and its type is
    station-sized: the background pattern's words are smaller than the fields' type."""
    index, match = number
    own = texts[index]
    before, after = STATION.findall(own[:match.start()]), STATION.findall(own[match.end():])
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
    return (_cut(origin, counts["origin"][0] if counts["origin"] else None),
            _cut(destination, counts["destination"][-1] if counts["destination"] else None))


# A name without 站 is a station only in type this much taller than the ticket's typical line
# (stations print at 4.6-5.2 mm, values at 3.1-3.5 mm, the background pattern at 2.8 mm or less).
_STATION_TYPE = 1.15


def _cut(found: tuple[int, str, bool] | None, characters: int | None) -> tuple[int, str] | None:
    if found is None:
        return None
    index, name, named = found
    if characters and len(name) > characters:
        name = name[-characters:] if named else name[:characters]
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
