"""The resident ID number (GB 11643-1999): its check digit, region, birth date and sex, and its correction."""
from __future__ import annotations

import re
from datetime import date

from ocr_core.checks.dates import normalize_date
from ocr_core.checks.readings import (
    AS_DIGIT,
    DIGIT_LOOKALIKES,
    compact_ascii,
    only_one,
    real_date,
    single_substitutions,
)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # 2^(17-i) mod 11
_ID_CHECK = "10X98765432"  # indexed by sum mod 11: ISO 7064 MOD 11-2
# Province-level codes of GB/T 2260. 71 (Taiwan) is in the table though the mainland issues no
# cards there; 81/82/83 are the residence permits of Hong Kong, Macao and Taiwan residents
# (same format and check digit, 2018 rules).
PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83",
})
_ID_FORMAT = re.compile(r"[0-9]{17}[0-9X]")
_EARLIEST_BIRTH = date(1880, 1, 1)
# The check character X is misread as K or as a digit with crossing strokes.
_ID_LOOKALIKES = {**DIGIT_LOOKALIKES, "X": "4", "4": DIGIT_LOOKALIKES["4"] + "X"}


def id_check_digit(first17: str) -> str:
    """The 18th character of a resident ID number (ISO 7064 MOD 11-2, 'X' for 10)."""
    if not re.fullmatch(r"[0-9]{17}", first17):
        raise ValueError(f"need 17 digits, got {first17!r}")
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS)) % 11]


def _id_region_ok(num: str) -> bool:
    # The 2023 foreign permanent resident ID card puts a 9 first, then the province code of the
    # issuing office, then a nationality code; birth date and check digit stay where they were.
    if num[0] == "9":
        return num[1:3] in PROVINCE_CODES
    return num[:2] in PROVINCE_CODES


def id_number_valid(num: str, today: date | None = None) -> bool:
    """An 18-character resident ID number with a real region, birth date and check digit."""
    if not _ID_FORMAT.fullmatch(num):
        return False
    if not _id_region_ok(num):
        return False
    born = real_date(num[6:14])
    if born is None or not _EARLIEST_BIRTH <= born <= (today or date.today()):
        return False
    return id_check_digit(num[:17]) == num[17]


def id_birth(num: str) -> str:
    """Birth date of an 18-character ID number, YYYYMMDD."""
    return num[6:14]


def id_sex(num: str) -> str:
    """'男' for an odd 17th digit, '女' for an even one."""
    return "男" if int(num[16]) % 2 else "女"


def _sex_hint(sex: str | None) -> str | None:
    return {"M": "男", "F": "女", "男": "男", "女": "女"}.get((sex or "").strip().upper())


def correct_id_number(text: str, birth: str | None = None, sex: str | None = None,
                      today: date | None = None) -> str | None:
    """The valid ID number an OCR reading stands for, or None.

    birth (any form normalize_date reads) and sex ('男'/'女' or 'M'/'F'), when printed
    elsewhere on the card, break ties between candidates and reject a number that disagrees.
    """
    raw = compact_ascii(text)
    if len(raw) != 18:
        return None
    # Letters cannot stand in the first 17 places, so reading them as digits is not a guess.
    last = "X" if raw[17] in "xX×Kk" else AS_DIGIT.get(raw[17], raw[17])
    num = "".join(AS_DIGIT.get(c, c) for c in raw[:17]) + last
    if not num[:17].isdigit():
        return None

    want_birth = normalize_date(birth) if birth else None
    want_sex = _sex_hint(sex)

    def fits(candidate: str) -> bool:
        return (id_number_valid(candidate, today)
                and (want_birth is None or id_birth(candidate) == want_birth)
                and (want_sex is None or id_sex(candidate) == want_sex))

    if id_number_valid(num, today):
        # A reading whose check digit holds is taken as read; if it contradicts the card's
        # printed birth date or sex, two characters would have to be wrong: give up.
        return num if fits(num) else None

    # First the look-alike digits, one place at a time; several fits are ambiguous.
    first_try = list(single_substitutions(num, _ID_LOOKALIKES))
    found = only_one(c for c in first_try if fits(c))
    if found or any(fits(c) for c in first_try):
        return found
    # MOD 11-2 catches every single wrong digit but cannot say which one: for a wrong sum there
    # is one fix (two at most) in almost every position, and places 3-6 and 15-17 take any
    # digit. A free substitution is therefore kept only when date, region and the printed
    # birth/sex leave a single candidate; in practice that means only when the hints do the
    # work, and otherwise we answer None rather than invent a number.
    any_digit = {d: "0123456789".replace(d, "") for d in "0123456789"}
    free = [c + num[17] for c in single_substitutions(num[:17], any_digit)]
    free += [num[:17] + d for d in "0123456789X" if d != num[17]]
    return only_one(c for c in free if fits(c))
