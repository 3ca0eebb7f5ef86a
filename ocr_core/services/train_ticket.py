"""ocr_train_ticket: a China Railway ticket, blue or red: origin and destination (the stations
either side of the train number), train number, departure date and time, car and seat, class
and price, each found by its form on the ticket."""
from __future__ import annotations

import re

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


def ocr_train_ticket(image: np.ndarray, configure: dict, pipeline: Pipeline) -> Findings:
    page = read_page_text(image, pipeline)
    upright = page.upright_lines()
    texts = [line.text.replace(" ", "") for line in upright]
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
    left of it and right of it. A row the line finder kept whole reads 杭州东站G7512上海虹桥站."""
    index, match = number
    own = texts[index]
    before, after = STATION.findall(own[:match.start()]), STATION.findall(own[match.end():])
    if before and after:
        return (index, before[-1]), (index, after[0])
    _, top, _, bottom = lines[index].quad.bounds()
    middle, height = (top + bottom) / 2, bottom - top
    centre_x = lines[index].quad.center[0]
    row = []
    for i, (line, text) in enumerate(zip(lines, texts)):
        if i == index or abs(line.quad.center[1] - middle) > 1.5 * height:
            continue
        names = STATION.findall(text) or ([text] if re.fullmatch(f"[{CJK}]{{2,6}}", text) and "售" not in text else [])
        if names:
            row.append((line.quad.center[0], i, names[0]))
    left = [(x, i, name) for x, i, name in row if x < centre_x]
    right = [(x, i, name) for x, i, name in row if x > centre_x]
    origin = (index, before[-1]) if before else (max(left)[1:] if left else None)
    destination = (index, after[0]) if after else (min(right)[1:] if right else None)
    # The 站 after a name, in smaller type, may read as another character (贵阳北关): the
    # pinyin printed under each station says how many characters its name has.
    below = sorted((line.quad.center[0], syllables(text)) for line, text in zip(lines, texts)
                   if PINYIN.fullmatch(text) and 0 < line.quad.center[1] - middle < 2.5 * height)
    counts = {"origin": [n for x, n in below if x < centre_x], "destination": [n for x, n in below if x > centre_x]}
    if origin and counts["origin"] and counts["origin"][0]:
        origin = (origin[0], origin[1][:counts["origin"][0]])
    if destination and counts["destination"] and counts["destination"][-1]:
        destination = (destination[0], destination[1][:counts["destination"][-1]])
    return origin, destination


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
