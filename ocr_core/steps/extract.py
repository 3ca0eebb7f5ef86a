"""The extract step for labelled documents: each field found by its printed label, never by offsets.

A card's lines, in reading order, are one stream of text. A value runs from the end of its
label to the next label, on the same line (性别男民族汉) or on the lines that follow (an address
that wraps), so a layout that shifts or merges lines differently still reads the same.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from ocr_core.engines.base import TextLine
from ocr_core.geometry import Quad, enclosing_quad


@dataclass(frozen=True)
class Field:
    """A value read after its label: its text, the boxes of the lines it came from, their least confidence."""

    text: str
    quads: tuple[Quad, ...]
    prob: float


@dataclass(frozen=True)
class _Hit:
    label: str
    line: int
    start: int
    end: int


def _find(text: str, label: str) -> tuple[int, int] | None:
    """Where `label` stands in `text`: exactly, or (for labels of three characters or more)
    with one character misread, since OCR slips on labels too (公民身份号码 → 公民身价号码), or
    (five or more) with one of its inner characters lost."""
    at = text.find(label)
    if at >= 0:
        return at, at + len(label)
    # On bilingual cards letters of the English label below may fall between the characters
    # (住址 read as 住d址s): allow a few Latin letters or spaces between them.
    spaced = re.search(r"[A-Za-z\s]{0,3}".join(map(re.escape, label)), text)
    if spaced:
        return spaced.span()
    if len(label) < 3:
        return None
    for i in range(len(text) - len(label) + 1):
        if sum(a != b for a, b in zip(text[i:i + len(label)], label)) == 1:
            return i, i + len(label)
    if len(label) >= 5:
        # A long label with one character lost (法定代人 under a seal): its other four or more
        # in order are still no word of a value.
        for drop in range(1, len(label) - 1):
            at = text.find(label[:drop] + label[drop + 1:])
            if at >= 0:
                return at, at + len(label) - 1
    return None


def find_labels(lines: list[TextLine], labels: list[str]) -> list[_Hit]:
    """Each label's first place in the stream, in stream order; labels not found are left out.
    Longer labels are placed first so that one containing another (出生 in 出生地) wins its text."""
    taken: dict[int, list[tuple[int, int]]] = {}
    hits = []
    for label in sorted(labels, key=len, reverse=True):
        for index, line in enumerate(lines):
            text = line.text
            span = _find(text, label)
            # A place already taken by a longer label is not this one.
            while span and any(s < span[1] and span[0] < e for s, e in taken.get(index, [])):
                rest = _find(text[span[1]:], label)
                span = (span[1] + rest[0], span[1] + rest[1]) if rest else None
            if span:
                taken.setdefault(index, []).append(span)
                hits.append(_Hit(label, index, *span))
                break
    return sorted(hits, key=lambda h: (h.line, h.start))


@dataclass(frozen=True)
class PlacedLabel:
    """A label found on the upright page: its line, where in that line, and the box of the label itself."""

    label: str
    line: int
    start: int
    end: int
    box: tuple[float, float, float, float]     # left, top, right, bottom

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    @property
    def middle(self) -> float:
        return (self.box[1] + self.box[3]) / 2


def span_quad(quad: Quad, text: str, start: int, end: int) -> Quad:
    """The part of a line's box that holds text[start:end], by the characters' widths (a
    Chinese character is full width, a letter or a digit about half)."""
    widths = [1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text]
    total = sum(widths) or 1.0
    a, b = sum(widths[:start]) / total, sum(widths[:end]) / total
    tl, tr, br, bl = (np.array(p, dtype=float) for p in quad.points)
    return Quad.from_points([tl + a * (tr - tl), tl + b * (tr - tl), bl + b * (br - bl), bl + a * (br - bl)])


def place_labels(lines: list[TextLine], labels: list[str]) -> list[PlacedLabel]:
    """The labels found (as `find_labels` finds them), each with its own box: a line may hold a
    label after other text (a title character, a value), so the line's box is cut to the label."""
    return [PlacedLabel(hit.label, hit.line, hit.start, hit.end,
                        span_quad(lines[hit.line].quad, lines[hit.line].text, hit.start, hit.end).bounds())
            for hit in find_labels(lines, labels)]


def extract_fields(lines: list[TextLine], labels: list[str], *, max_lines: dict[str, int] | None = None
                   ) -> dict[str, Field]:
    """The value of each label found: the text after it up to the next label. A value that is
    empty on the label's own line continues on the next lines, at most `max_lines[label]` of
    them (default 1), stopping at a line that holds another label."""
    max_lines = max_lines or {}
    hits = find_labels(lines, labels)
    fields = {}
    for n, hit in enumerate(hits):
        following = hits[n + 1] if n + 1 < len(hits) else None
        limit = max_lines.get(hit.label, 1)
        parts, quads, probs = [], [], []
        end = following.start if following and following.line == hit.line else None
        own = lines[hit.line].text[hit.end:end].strip(" :：")
        if own:
            parts.append(own)
            quads.append(lines[hit.line].quad)
            probs.append(lines[hit.line].prob)
        index = hit.line + 1
        # Continue on the next lines while the field may wrap and no label has started.
        while len(parts) < limit and index < len(lines) and (end is None):
            if following and following.line == index:
                head = lines[index].text[:following.start].strip()
                if head:
                    parts.append(head)
                    quads.append(lines[index].quad)
                    probs.append(lines[index].prob)
                break
            parts.append(lines[index].text.strip())
            quads.append(lines[index].quad)
            probs.append(lines[index].prob)
            index += 1
        if parts:
            fields[hit.label] = Field("".join(parts), tuple(quads), min(probs))
    return fields


def value_below(lines: list[TextLine], label: str) -> TextLine | None:
    """The line printed under `label` and starting below it, for documents that set each label
    above its value in columns (a passport's data page). `lines` must be on the upright page."""
    for line in lines:
        span = _find(line.text, label)
        if span is None:
            continue
        left, top, right, bottom = line.quad.bounds()
        height = bottom - top
        # Where the label starts: its line may begin with another label of the same row.
        start = left + (right - left) * span[0] / max(1, len(line.text))
        below = [other for other in lines if other is not line
                 and 0 <= other.quad.bounds()[1] - bottom + 0.3 * height < 2.5 * height
                 and abs(other.quad.bounds()[0] - start) < 1.5 * height]
        if below:
            return min(below, key=lambda other: other.quad.bounds()[1])
    return None


def without_latin_lines(lines: list[TextLine]) -> list[TextLine]:
    """The lines that can hold a value of a bilingual card: those with a Chinese character or a
    digit. The English labels printed under the Chinese ones (Address, Valid Period) and the
    specks of the background read as L or T would otherwise join a value that wraps."""
    return [line for line in lines if any(ch.isdigit() or "\u4e00" <= ch <= "\u9fff" for ch in line.text)
            and not (len(line.text.strip()) == 1 and line.prob < 0.6)]


def field_evidence(field: Field | None, valid: bool | None = None) -> dict:
    """The `evidence` of one field (API.md): its box (around all its lines), its confidence, whether a check held."""
    if field is None:
        return {"box": None, "prob": 0.0, "valid": valid}
    quad = field.quads[0] if len(field.quads) == 1 else enclosing_quad(field.quads)  # a value over several lines
    return {"box": quad.to_list(), "prob": round(field.prob, 5), "valid": valid}


def row_between(lines: list[TextLine], label: str, next_label: str) -> str | None:
    """The text of the table row that `label` heads, up to the row of `next_label` below it, for
    a value that wraps inside its cell (an address in two lines) and that the line finder cut
    into pieces or merged with the English label beside it. Pieces of one character are specks.
    `lines` must be on the upright page; the label itself is taken out of the text."""
    head = next((line for line in lines if _find(line.text, label)), None)
    below = next((line for line in lines if _find(line.text, next_label)), None)
    if head is None or below is None:
        return None
    top, bottom = head.quad.center[1], below.quad.center[1]
    if bottom <= top:
        return None
    half = (bottom - top) / 2
    pieces = sorted((line for line in lines if top - half <= line.quad.center[1] < bottom - half
                     and len(line.text.strip()) > 1), key=lambda line: line.quad.center[1])
    rows: list[list[TextLine]] = []
    for line in pieces:
        _, line_top, _, line_bottom = line.quad.bounds()
        if rows and line.quad.center[1] - rows[-1][0].quad.center[1] < 0.5 * (line_bottom - line_top):
            rows[-1].append(line)
        else:
            rows.append([line])
    text = "".join(line.text for row in rows for line in sorted(row, key=lambda line: line.quad.center[0]))
    return text.replace(label, "")


# 18 characters of an ID number, with the letters OCR puts for digits (the validator corrects them).
ID_NUMBER_LIKE = re.compile(r"[0-9OoDIlZSBG]{17}[0-9Xx]")


def first_match(lines: list[TextLine], pattern: re.Pattern) -> Field | None:
    """What `pattern` matches on the first line that holds it (spaces ignored): a value found
    by its form when its label was not read."""
    for line in lines:
        match = pattern.search(line.text.replace(" ", ""))
        if match:
            return Field(match.group(0), (line.quad,), line.prob)
    return None


# English words of a bilingual card's labels (Name, Address, Class): two Latin letters or more.
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# What stands before an address's province: pieces of its label (no province starts with 住 or 址).
_BEFORE_PROVINCE = re.compile(r"^(?:[^\u4e00-\u9fff]|住|址)+")


def chinese_value(text: str) -> str:
    """The Chinese of a value on a bilingual card: Latin letters are the English labels the
    line finder joined to it."""
    return "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff" or ch in "（）()·")


def address_value(text: str) -> str:
    """An address on a bilingual card: its Chinese, digits and building letters (B座, A栋), without
    the English label words joined to it. It starts with its province: what stands before it
    is left of its label."""
    text = _LATIN_WORD.sub("", text)
    kept = "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff" or ch.isdigit() or ch in "-—（）()·"
                   or ("A" <= ch <= "Z"))
    return _BEFORE_PROVINCE.sub("", kept)


# Traditional and Japanese forms the recogniser answers for the simplified glyphs a mainland
# card prints (粵 for 粤 in a plate, 別 for 别 in a brand, 黃 for 黄 in a name).
_SIMPLIFIED_FORMS = str.maketrans("粵別黃廣東門遼寧蘇滬陝貴魯閩贛瓊隴區縣鄉鎮華葉陽慶濱車號長張劉陳楊趙吳孫鄭馬龍興開廈",
                                  "粤别黄广东门辽宁苏沪陕贵鲁闽赣琼陇区县乡镇华叶阳庆滨车号长张刘陈杨赵吴孙郑马龙兴开厦")


def simplified(text: str) -> str:
    """`text` with the traditional or Japanese forms of simplified characters replaced."""
    return text.translate(_SIMPLIFIED_FORMS)
