"""The passport's machine-readable zone (ICAO 9303 TD3): check digits, the two lines fitted and parsed."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

from ocr_core.checks.readings import only_one, real_date, single_substitutions

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
    fixed = only_one(c for c in single_substitutions(number, _MRZ_LOOKALIKES)
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
        full = real_date(f"{base + int(yymmdd[:2]):04d}{yymmdd[2:]}")
        if full is not None and full <= limit:
            return full.strftime("%Y%m%d")
    return None
