"""The vehicle identification number (ISO 3779; check digit as in 49 CFR 565 and GB 16735), and its correction."""
from __future__ import annotations

import re

from ocr_core.checks.readings import AS_DIGIT, compact_ascii, only_one, single_substitutions

_VIN_VALUES = {**{str(d): d for d in range(10)},
               **dict(zip("ABCDEFGH", range(1, 9))), **dict(zip("JKLMN", range(1, 6))),
               "P": 7, "R": 9, **dict(zip("STUVWXYZ", range(2, 10)))}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VIN_CHARS = re.compile(r"[0-9A-HJ-NPR-Z]{17}")
# Letters and digits engines take for each other on stamped and printed VINs.
_VIN_LOOKALIKES = {
    "0": "D", "D": "0", "1": "L7T", "L": "1", "T": "17", "7": "1T",
    "2": "Z", "Z": "2", "5": "S", "S": "5", "6": "G", "G": "6", "8": "B3", "B": "8",
    "3": "8", "U": "V", "V": "UY", "Y": "V", "M": "N", "N": "M", "X": "K", "K": "X",
}
# Regions that require the check digit: North America (1-5) and China (L, GB 16735).
_VIN_CHECKED_REGIONS = "12345L"


def vin_check_digit(vin: str) -> str:
    """The check digit a 17-character VIN should carry in position 9 ('X' for 10)."""
    if not _VIN_CHARS.fullmatch(vin):
        raise ValueError(f"not a VIN: {vin!r}")
    remainder = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS)) % 11
    return "X" if remainder == 10 else str(remainder)


def vin_check_digit_ok(vin: str) -> bool:
    """Whether position 9 holds the VIN's check digit."""
    return bool(_VIN_CHARS.fullmatch(vin)) and vin_check_digit(vin) == vin[8]


def vin_requires_check_digit(vin: str) -> bool:
    """Whether the VIN's region makes the check digit mandatory (North America, China)."""
    return bool(vin) and vin[0] in _VIN_CHECKED_REGIONS


def correct_vin(text: str, require_check_digit: bool = False) -> str | None:
    """The VIN an OCR reading stands for, or None when it is not 17 VIN characters.

    When the check digit fails and the VIN comes from a region that uses it (or
    require_check_digit), a single look-alike substitution that makes it hold is applied if
    it is the only one; otherwise the reading is returned as is (or None if required).
    """
    vin = compact_ascii(text).upper()
    # I, O and Q are never used, precisely because they look like 1 and 0.
    vin = vin.replace("I", "1").replace("O", "0").replace("Q", "0")
    # ISO 3779 makes the last four characters numeric.
    vin = vin[:-4] + "".join(AS_DIGIT.get(c, c) for c in vin[-4:])
    if not _VIN_CHARS.fullmatch(vin):
        return None
    if vin_check_digit_ok(vin):
        return vin
    uses_check = require_check_digit or vin[0] in _VIN_CHECKED_REGIONS
    if not uses_check:
        return vin
    fixed = only_one(c for c in single_substitutions(vin, _VIN_LOOKALIKES, range(13))
                  if vin_check_digit_ok(c))
    if fixed:
        return fixed
    return None if require_check_digit else vin
