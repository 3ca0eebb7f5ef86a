"""Bank card numbers: the Luhn check (ISO/IEC 7812) and the correction of a misread digit."""
from __future__ import annotations

import re

from ocr_core.checks.readings import AS_DIGIT, DIGIT_LOOKALIKES, compact_ascii, only_one, single_substitutions


def _luhn_sum(digits: str) -> int:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total


def luhn_valid(digits: str) -> bool:
    """Whether a digit string (two or more digits) passes the Luhn check."""
    return bool(re.fullmatch(r"[0-9]{2,}", digits)) and _luhn_sum(digits) % 10 == 0


def luhn_check_digit(payload: str) -> str:
    """The digit to append to payload so that the whole passes Luhn."""
    if not re.fullmatch(r"[0-9]+", payload):
        raise ValueError(f"need digits, got {payload!r}")
    return str(-_luhn_sum(payload + "0") % 10)


def as_digits(text: str) -> str:
    """A reading of a number with the letters engines read for digits as those digits, and
    without spaces or hyphens between its groups."""
    return "".join(AS_DIGIT.get(c, c) for c in compact_ascii(text))


def correct_card_number(text: str) -> str | None:
    """The bank card number (16-19 digits) an OCR reading stands for, when Luhn holds or a
    single look-alike digit makes it hold and no other does; None otherwise. Spaces between
    the printed groups and letters read for digits (O, I, S, B) are taken out first."""
    num = as_digits(text)
    if not re.fullmatch(r"[0-9]{16,19}", num):
        return None
    if luhn_valid(num):
        return num
    return only_one(c for c in single_substitutions(num, DIGIT_LOOKALIKES) if luhn_valid(c))
