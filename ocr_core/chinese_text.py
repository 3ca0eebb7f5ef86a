"""Text as Chinese documents print it: the clean-up every engine's reading goes through, and the edit
distance readings are compared by."""
from __future__ import annotations

import re

# Ideographs, CJK punctuation and full-width forms: characters set solid, without spaces.
_CJK = "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_CJK_CHAR = re.compile(f"[{_CJK}]")
# Chinese is set solid: Tesseract's word breaks next to a Chinese character are not spaces.
_SPACE_NEXT_TO_CJK = re.compile(f" +(?=[{_CJK}])|(?<=[{_CJK}]) +")
# Engines answer ASCII punctuation for the full-width marks Chinese is set with (Tesseract's
# chi_sim often, PP-OCR on blurred photos); next to a Chinese character it is the full-width one.
_FULL_WIDTH_NEXT_TO_CJK = {":": "：", ";": "；", ",": "，", "!": "！", "?": "？"}
_FULL_WIDTH_AFTER_CJK = {")": "）"}
_FULL_WIDTH_BEFORE_CJK = {"(": "（"}


def tidy_text(text: str) -> str:
    """An engine's reading as Chinese is printed: no space next to a Chinese character,
    full-width punctuation next to one, single spaces between Latin words."""
    text = " ".join(text.split())
    chars = list(text)
    for i, ch in enumerate(chars):
        before = _neighbour(chars, i, -1)
        after = _neighbour(chars, i, +1)
        if ch in _FULL_WIDTH_NEXT_TO_CJK and any(c and _CJK_CHAR.match(c) for c in (before, after)):
            chars[i] = _FULL_WIDTH_NEXT_TO_CJK[ch]
        elif ch in _FULL_WIDTH_AFTER_CJK and before and _CJK_CHAR.match(before):
            chars[i] = _FULL_WIDTH_AFTER_CJK[ch]
        elif ch in _FULL_WIDTH_BEFORE_CJK and after and _CJK_CHAR.match(after):
            chars[i] = _FULL_WIDTH_BEFORE_CJK[ch]
    return _SPACE_NEXT_TO_CJK.sub("", "".join(chars))


def _neighbour(chars: list[str], i: int, step: int) -> str | None:
    j = i + step
    while 0 <= j < len(chars) and chars[j] == " ":
        j += step
    return chars[j] if 0 <= j < len(chars) else None


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions of one character each)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
