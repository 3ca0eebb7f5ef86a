"""What engines read in place of a digit or a letter, and the candidate search every check shares."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date

# Where only a digit may stand, these are what engines read instead of it.
AS_DIGIT = {
    "O": "0", "o": "0", "D": "0", "Q": "0", "U": "0", "〇": "0",
    "I": "1", "l": "1", "|": "1", "i": "1", "!": "1",
    "Z": "2", "z": "2",
    "S": "5", "s": "5",
    "G": "6", "b": "6",
    "B": "8",
}
# Digits engines confuse with each other (similar glyphs); tried one at a time when a check fails.
DIGIT_LOOKALIKES = {
    "0": "689", "1": "7", "2": "7", "3": "58", "4": "9", "5": "368",
    "6": "058", "7": "12", "8": "03569", "9": "048",
}


def compact_ascii(text: str) -> str:
    """Full-width digits and letters as ASCII, without spaces, hyphens or dots between them."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\-_.·]", "", text)


def only_one(candidates: Iterable[str]) -> str | None:
    """The one distinct candidate, or None when there is none or several (ambiguous)."""
    distinct = set(candidates)
    return distinct.pop() if len(distinct) == 1 else None


def single_substitutions(text: str, alternatives: dict[str, str],
                          positions: Iterable[int] | None = None) -> Iterator[str]:
    """Every string that differs from text in one position, by one of that character's
    alternatives."""
    for i in positions if positions is not None else range(len(text)):
        for alt in alternatives.get(text[i], ""):
            yield text[:i] + alt + text[i + 1:]


def real_date(yyyymmdd: str) -> date | None:
    if len(yyyymmdd) != 8 or not yyyymmdd.isdigit():
        return None
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return None
