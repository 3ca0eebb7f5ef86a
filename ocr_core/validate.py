"""Check digits and formats of the numbers Chinese documents print (ID, bank card, VIN, credit
code, passport MRZ, dates), used to pick and correct OCR candidates, not only to report."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Literal

# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------

# Where only a digit may stand, these are what engines read instead of it.
_AS_DIGIT = {
    "O": "0", "o": "0", "D": "0", "Q": "0", "U": "0", "〇": "0",
    "I": "1", "l": "1", "|": "1", "i": "1", "!": "1",
    "Z": "2", "z": "2",
    "S": "5", "s": "5",
    "G": "6", "b": "6",
    "B": "8",
}
# Digits engines confuse with each other (similar glyphs); tried one at a time when a check fails.
_DIGIT_LOOKALIKES = {
    "0": "689", "1": "7", "2": "7", "3": "58", "4": "9", "5": "368",
    "6": "058", "7": "12", "8": "03569", "9": "048",
}


def _ascii(text: str) -> str:
    """Full-width digits and letters as ASCII, without spaces, hyphens or dots between them."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\-_.·]", "", text)


def _only(candidates: Iterable[str]) -> str | None:
    """The one distinct candidate, or None when there is none or several (ambiguous)."""
    distinct = set(candidates)
    return distinct.pop() if len(distinct) == 1 else None


def _single_substitutions(text: str, alternatives: dict[str, str],
                          positions: Iterable[int] | None = None) -> Iterator[str]:
    """Every string that differs from text in one position, by one of that character's
    alternatives."""
    for i in positions if positions is not None else range(len(text)):
        for alt in alternatives.get(text[i], ""):
            yield text[:i] + alt + text[i + 1:]


def _real_date(yyyymmdd: str) -> date | None:
    if len(yyyymmdd) != 8 or not yyyymmdd.isdigit():
        return None
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------
# Resident ID number, GB 11643-1999
# --------------------------------------------------------------------------------------------

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
_ID_LOOKALIKES = {**_DIGIT_LOOKALIKES, "X": "4", "4": _DIGIT_LOOKALIKES["4"] + "X"}


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
    born = _real_date(num[6:14])
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
    raw = _ascii(text)
    if len(raw) != 18:
        return None
    # Letters cannot stand in the first 17 places, so reading them as digits is not a guess.
    last = "X" if raw[17] in "xX×Kk" else _AS_DIGIT.get(raw[17], raw[17])
    num = "".join(_AS_DIGIT.get(c, c) for c in raw[:17]) + last
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
    first_try = list(_single_substitutions(num, _ID_LOOKALIKES))
    found = _only(c for c in first_try if fits(c))
    if found or any(fits(c) for c in first_try):
        return found
    # MOD 11-2 catches every single wrong digit but cannot say which one: for a wrong sum there
    # is one fix (two at most) in almost every position, and places 3-6 and 15-17 take any
    # digit. A free substitution is therefore kept only when date, region and the printed
    # birth/sex leave a single candidate; in practice that means only when the hints do the
    # work, and otherwise we answer None rather than invent a number.
    any_digit = {d: "0123456789".replace(d, "") for d in "0123456789"}
    free = [c + num[17] for c in _single_substitutions(num[:17], any_digit)]
    free += [num[:17] + d for d in "0123456789X" if d != num[17]]
    return _only(c for c in free if fits(c))


# --------------------------------------------------------------------------------------------
# Luhn (bank cards)
# --------------------------------------------------------------------------------------------

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
    return "".join(_AS_DIGIT.get(c, c) for c in _ascii(text))


def correct_card_number(text: str) -> str | None:
    """The bank card number (16-19 digits) an OCR reading stands for, when Luhn holds or a
    single look-alike digit makes it hold and no other does; None otherwise. Spaces between
    the printed groups and letters read for digits (O, I, S, B) are taken out first."""
    num = as_digits(text)
    if not re.fullmatch(r"[0-9]{16,19}", num):
        return None
    if luhn_valid(num):
        return num
    return _only(c for c in _single_substitutions(num, _DIGIT_LOOKALIKES) if luhn_valid(c))


# --------------------------------------------------------------------------------------------
# VIN, ISO 3779 (check digit as in 49 CFR 565 and GB 16735)
# --------------------------------------------------------------------------------------------

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


def vin_valid(vin: str, require_check_digit: bool = False) -> bool:
    """A well-formed VIN: 17 characters without I, O, Q.

    The check digit is mandatory in North America and China but not in Europe, so it is
    only required when asked; vin_check_digit_ok says whether it holds.
    """
    if not _VIN_CHARS.fullmatch(vin):
        return False
    return vin_check_digit_ok(vin) or not require_check_digit


def correct_vin(text: str, require_check_digit: bool = False) -> str | None:
    """The VIN an OCR reading stands for, or None when it is not 17 VIN characters.

    When the check digit fails and the VIN comes from a region that uses it (or
    require_check_digit), a single look-alike substitution that makes it hold is applied if
    it is the only one; otherwise the reading is returned as is (or None if required).
    """
    vin = _ascii(text).upper()
    # I, O and Q are never used, precisely because they look like 1 and 0.
    vin = vin.replace("I", "1").replace("O", "0").replace("Q", "0")
    # ISO 3779 makes the last four characters numeric.
    vin = vin[:-4] + "".join(_AS_DIGIT.get(c, c) for c in vin[-4:])
    if not _VIN_CHARS.fullmatch(vin):
        return None
    if vin_check_digit_ok(vin):
        return vin
    uses_check = require_check_digit or vin[0] in _VIN_CHECKED_REGIONS
    if not uses_check:
        return vin
    fixed = _only(c for c in _single_substitutions(vin, _VIN_LOOKALIKES, range(13))
                  if vin_check_digit_ok(c))
    if fixed:
        return fixed
    return None if require_check_digit else vin


# --------------------------------------------------------------------------------------------
# Unified social credit code, GB 32100-2015; registration number, GS 15-2006
# --------------------------------------------------------------------------------------------

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3^i mod 31
# Registration authorities (first character): 1 staffing, 2 foreign affairs, 3 justice,
# 4 culture, 5 civil affairs, 6 tourism, 7 religion, 8 trade unions, 9 market regulation
# (business licences), A military staffing, N agriculture, Y others.
_CREDIT_AUTHORITIES = "123456789ANY"
_CREDIT_FORMAT = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")
# Where a letter outside the alphabet or a look-alike was read.
_CREDIT_AS_CHAR = {"O": "0", "I": "1", "Z": "2", "S": "5"}
_CREDIT_LOOKALIKES = {**_DIGIT_LOOKALIKES, "0": "689DQ", "8": "03569B", "6": "058G", "1": "7T",
                      "B": "8", "D": "0", "Q": "0", "G": "6", "T": "1", "U": "Y", "Y": "U",
                      "M": "N", "N": "M", "K": "X", "X": "K"}


def credit_code_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code (GB 32100, mod 31)."""
    if len(first17) != 17 or any(c not in CREDIT_CODE_ALPHABET for c in first17):
        raise ValueError(f"need 17 credit-code characters, got {first17!r}")
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def credit_code_valid(code: str) -> bool:
    """An 18-character credit code: known authority, numeric region, right check character.

    The 9-character organisation code inside (GB 11714, own check) is not required to hold:
    see organization_code_valid.
    """
    return (bool(_CREDIT_FORMAT.fullmatch(code)) and code[0] in _CREDIT_AUTHORITIES
            and credit_code_check_char(code[:17]) == code[17])


_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def organization_code_valid(code: str) -> bool:
    """A 9-character organisation code (GB 11714): 8 characters and a mod-11 check."""
    if len(code) != 9 or not re.fullmatch(r"[0-9A-Z]{8}[0-9X]", code):
        return False
    total = sum(int(c, 36) * w for c, w in zip(code, _ORG_WEIGHTS))
    check = (11 - total % 11) % 11
    return code[8] == ("X" if check == 10 else str(check))


def correct_credit_code(text: str) -> str | None:
    """The valid credit code an OCR reading stands for, or None (ambiguity gives None)."""
    raw = _ascii(text).upper()
    if len(raw) != 18:
        return None
    code = "".join(_CREDIT_AS_CHAR.get(c, c) for c in raw)
    # Places 3-8 are the region code: digits only.
    code = code[:2] + "".join(_AS_DIGIT.get(c, c) for c in code[2:8]) + code[8:]
    if any(c not in CREDIT_CODE_ALPHABET for c in code):
        return None
    if credit_code_valid(code):
        return code
    candidates = [c for c in _single_substitutions(code, _CREDIT_LOOKALIKES)
                  if credit_code_valid(c)]
    found = _only(candidates)
    if found or not candidates:
        return found
    # Several look-alikes pass mod 31; the organisation code's own check breaks the tie.
    return _only(c for c in candidates if organization_code_valid(c[8:17]))


def registration_number_check_digit(first14: str) -> str:
    """The 15th digit of a registration number (GS 15-2006: GB/T 17710 / ISO 7064 MOD 11,10)."""
    if not re.fullmatch(r"[0-9]{14}", first14):
        raise ValueError(f"need 14 digits, got {first14!r}")
    product = 10
    for d in first14:
        product = (((product + int(d)) % 10 or 10) * 2) % 11
    return str((11 - product) % 10)


def registration_number_valid(num: str) -> bool:
    """A 15-digit business registration number (before credit codes) with its check digit."""
    return (bool(re.fullmatch(r"[0-9]{15}", num))
            and registration_number_check_digit(num[:14]) == num[14])


# --------------------------------------------------------------------------------------------
# Passport machine-readable zone, ICAO 9303 TD3
# --------------------------------------------------------------------------------------------

_MRZ_WEIGHTS = (7, 3, 1)
TD3_LENGTH = 44
# Where only a letter (or '<') may stand.
_MRZ_AS_LETTER = {"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z", "6": "G", "4": "A", "7": "T"}
# Where only a digit (or '<') may stand.
_MRZ_AS_DIGIT = {"O": "0", "D": "0", "Q": "0", "U": "0", "I": "1", "L": "1", "T": "7",
                 "S": "5", "B": "8", "Z": "2", "G": "6", "A": "4"}
# Both letters and digits stand in document and personal numbers: try swapping look-alikes.
_MRZ_LOOKALIKES = {"0": "OD", "O": "0", "D": "0", "Q": "0", "1": "I", "I": "1", "L": "1",
                   "5": "S", "S": "5", "8": "B", "B": "8", "2": "Z", "Z": "2", "6": "G", "G": "6"}
# What engines make of the filler '<'.
_FILLER_READINGS = {"«": "<<", "‹": "<", "〈": "<", "く": "<", "(": "<", "{": "<", "[": "<"}


def mrz_check_digit(field: str) -> str:
    """ICAO 9303 check digit: weights 7,3,1; '<' is 0, digits their value, A=10 .. Z=35."""
    total = 0
    for i, c in enumerate(field):
        if c == "<":
            value = 0
        elif c.isdigit() or ("A" <= c <= "Z"):
            value = int(c, 36)
        else:
            raise ValueError(f"not an MRZ character: {c!r}")
        total += value * _MRZ_WEIGHTS[i % 3]
    return str(total % 10)


def _check_ok(field: str, check: str) -> bool:
    # An empty optional field may carry '<' instead of 0 as its check digit.
    if check == "<":
        return set(field) <= {"<"}
    return mrz_check_digit(field) == check


@dataclass(frozen=True)
class PassportMrz:
    """The fields of a passport's two MRZ lines, after correction, and which checks hold."""

    line0: str
    line1: str
    type: str  # 'P' and the issuer's letter or '<', e.g. 'PO' on Chinese ordinary passports
    country: str
    surname: str
    given_names: str  # words separated by spaces
    passport_no: str  # without the trailing filler
    nationality: str
    birth_date: str  # YYMMDD
    sex: str  # 'M', 'F' or '<'
    expiry_date: str  # YYMMDD
    personal_number: str  # without the trailing filler
    passport_no_ok: bool
    birth_date_ok: bool
    expiry_date_ok: bool
    personal_number_ok: bool
    composite_ok: bool
    personal_number_read: str = ""  # the 14 characters as read, before any correction

    @property
    def all_checks_ok(self) -> bool:
        return (self.passport_no_ok and self.birth_date_ok and self.expiry_date_ok
                and self.personal_number_ok and self.composite_ok)


def _mrz_text(line: str) -> str:
    """Upper-case ASCII with the filler's misreadings as '<'; spaces kept."""
    line = unicodedata.normalize("NFKC", line).strip().upper()
    for seen, filler in _FILLER_READINGS.items():
        line = line.replace(seen, filler)
    return line


def _fit_top(line: str) -> str | None:
    """Line 1 at 44. Its end is filler, so the trailing run of '<' (with 'K' misreadings among
    them) can be cut or padded; K's that open the run end a name (JACK<<<) and stay."""
    line = re.sub(r"\s", "<", line)
    body = line[:re.search(r"K*([<K]*)$", line).start(1)]
    if len(body) > TD3_LENGTH:
        return None
    return body + "<" * (TD3_LENGTH - len(body))


def _fit_bottom(line: str) -> str | None:
    """Line 2 at 44: spaces are fillers if that makes 44, else breaks between groups. Any other
    difference must sit in the personal number's trailing filler (before the two final check
    digits), whose length is then adjusted; the composite check confirms."""
    with_fillers = re.sub(r"\s", "<", line)
    if len(with_fillers) == TD3_LENGTH:
        return with_fillers
    compact = re.sub(r"\s", "", line)
    if len(compact) == TD3_LENGTH:
        return compact
    filler = re.search(r"<+$", compact[:-2])
    missing = TD3_LENGTH - len(compact)
    if filler is None or filler.start() < 28 or filler.end() - filler.start() + missing < 0:
        return None
    run = filler.end() - filler.start() + missing
    return compact[:filler.start()] + "<" * run + compact[filler.end():]


def _letters(field: str) -> str:
    return "".join(_MRZ_AS_LETTER.get(c, c) for c in field)


def _digits(field: str) -> str:
    return "".join(_MRZ_AS_DIGIT.get(c, c) for c in field)


def _check_char(c: str) -> str:
    return "<" if c == "K" else _MRZ_AS_DIGIT.get(c, c)


def _letter_prefix_shape(number: str) -> str:
    """The number with look-alikes read as digits after its first digit: passport numbers
    (China's 'E' + 8 digits, 'EA' + 7, most states') are letters then digits."""
    first_digit = next((i for i, c in enumerate(number) if c.isdigit()), len(number))
    return number[:first_digit] + _digits(number[first_digit:]).replace("K", "<")


def _choose_document_number(number: str, check: str) -> str:
    """The reading of an alphanumeric number that its check digit confirms.

    One look-alike swap changes the check sum except for G/6 and L/1 (values 16/6 and 21/1
    differ by a multiple of 10), so: the letters-then-digits reading if its check holds, else
    the reading as is if it holds, else the one single swap that makes it hold, else as read.
    """
    shaped = _letter_prefix_shape(number)
    if _check_ok(shaped, check):
        return shaped
    if _check_ok(number, check):
        return number
    fixed = _only(c for c in _single_substitutions(number, _MRZ_LOOKALIKES)
                  if _check_ok(c, check))
    return fixed or number


def parse_td3(line0: str, line1: str) -> PassportMrz | None:
    """A passport's two MRZ lines, corrected by position and checked; None if not TD3.

    The second type character on Chinese passports is the letter O ('PO', ordinary); ICAO
    allows only a letter or '<' there, so a '0' read there is corrected. The reference's
    sample answers 'P0', copying the misreading; the service decides what it prints.
    """
    top = _fit_top(_mrz_text(line0))
    bottom = _fit_bottom(_mrz_text(line1))
    if top is None or bottom is None or not top.startswith("P"):
        return None
    top = "P" + _letters(top[1:5]) + _letters(top[5:])
    if not re.fullmatch(r"P[A-Z<]{43}", top):
        return None

    number = _choose_document_number(bottom[0:9], _check_char(bottom[9]))
    nationality = _letters(bottom[10:13])
    birth, birth_check = _digits(bottom[13:19]), _check_char(bottom[19])
    sex = "<" if bottom[20] == "K" else bottom[20]
    expiry, expiry_check = _digits(bottom[21:27]), _check_char(bottom[27])
    personal_check = _check_char(bottom[42])
    personal = personal_read = bottom[28:42]
    if not _check_ok(personal, personal_check):
        personal = _choose_document_number(personal, personal_check)
    composite_check = _check_char(bottom[43])
    bottom = (number + _check_char(bottom[9]) + nationality + birth + birth_check + sex + expiry
              + expiry_check + personal + personal_check + composite_check)
    if not re.fullmatch(r"[0-9A-Z<]{44}", bottom) or sex not in ("M", "F", "<"):
        return None

    names = top[5:].rstrip("<")
    surname, _, given = names.partition("<<")
    composite = bottom[0:10] + bottom[13:20] + bottom[21:43]
    return PassportMrz(
        line0=top,
        line1=bottom,
        type=top[0:2],
        country=top[2:5],
        surname=surname.replace("<", " "),
        given_names=given.replace("<", " ").strip(),
        passport_no=number.rstrip("<"),
        nationality=nationality,
        birth_date=birth,
        sex=sex,
        expiry_date=expiry,
        personal_number=personal.rstrip("<"),
        passport_no_ok=_check_ok(number, bottom[9]),
        birth_date_ok=_check_ok(birth, birth_check),
        expiry_date_ok=_check_ok(expiry, expiry_check),
        personal_number_ok=_check_ok(personal, personal_check),
        composite_ok=composite_check.isdigit() and mrz_check_digit(composite) == composite_check,
        personal_number_read=personal_read,
    )


def expand_mrz_date(yymmdd: str, kind: Literal["birth", "expiry"],
                    today: date | None = None) -> str | None:
    """YYYYMMDD for an MRZ date, None if not a date.

    Birth: the latest century that puts it in the past. Expiry: the latest century that puts
    it no more than 20 years ahead (passports run 10 years; a slack for long validities).
    """
    if len(yymmdd) != 6 or not yymmdd.isdigit():
        return None
    today = today or date.today()
    limit = today if kind == "birth" else date(today.year + 20, today.month, min(today.day, 28))
    century = today.year // 100 * 100
    for base in (century + 100, century, century - 100, century - 200):
        full = _real_date(f"{base + int(yymmdd[:2]):04d}{yymmdd[2:]}")
        if full is not None and full <= limit:
            return full.strftime("%Y%m%d")
    return None


# --------------------------------------------------------------------------------------------
# Dates and validity periods as Chinese documents print them
# --------------------------------------------------------------------------------------------

_DATE_SLIPS = str.maketrans({"O": "0", "o": "0", "〇": "0", "D": "0", "I": "1", "l": "1",
                             "|": "1", "S": "5", "B": "8"})
_SEPARATED_DATE = re.compile(
    r"(?<!\d)(\d{4})\s*[年.\-/,，、]\s*(\d{1,2})\s*[月.\-/,，、]\s*(\d{1,2})(?!\d)\s*日?")
_COMPACT_DATE = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")
_LONG_TERM = "长期"


def _date_text(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_DATE_SLIPS)


def _dates_in(text: str) -> list[tuple[int, str | None]]:
    """(position, YYYYMMDD or None if impossible) of each date written in text."""
    found = []
    taken: list[range] = []
    for pattern in (_SEPARATED_DATE, _COMPACT_DATE):
        for m in pattern.finditer(text):
            if any(m.start() in r for r in taken):
                continue
            taken.append(range(m.start(), m.end()))
            year, month, day = (int(g) for g in m.groups())
            ok = 1800 <= year <= 2199 and _real_date(f"{year:04d}{month:02d}{day:02d}")
            found.append((m.start(), f"{year:04d}{month:02d}{day:02d}" if ok else None))
    return sorted(found)


def normalize_date(text: str) -> str | None:
    """The first date written in text as YYYYMMDD; None if there is none or it is impossible.

    Reads 2019年05月12日, 2019年5月2日, 2019.05.12, 2019-05-12, 2019/5/12 and 20190512,
    with spaces, full-width digits and O for 0.
    """
    dates = _dates_in(re.sub(r"\s+", " ", _date_text(text)))
    return dates[0][1] if dates else None


def normalize_period(text: str) -> tuple[str | None, str | None]:
    """(start, end) of a validity period as YYYYMMDD; end may be '长期' (no expiry)."""
    clean = _date_text(text)
    dates = _dates_in(clean)
    start = dates[0][1] if dates else None
    if len(dates) >= 2:
        return start, dates[1][1]
    if _LONG_TERM in clean and (not dates or clean.index(_LONG_TERM) > dates[0][0]):
        return start, _LONG_TERM
    return start, None
