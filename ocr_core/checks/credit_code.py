"""The unified social credit code (GB 32100-2015), the organization code inside it and the old registration number (GS 15-2006)."""
from __future__ import annotations

import re

from ocr_core.checks.readings import AS_DIGIT, DIGIT_LOOKALIKES, compact_ascii, only_one, single_substitutions

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3^i mod 31
# Registration authorities (first character): 1 staffing, 2 foreign affairs, 3 justice,
# 4 culture, 5 civil affairs, 6 tourism, 7 religion, 8 trade unions, 9 market regulation
# (business licences), A military staffing, N agriculture, Y others.
_CREDIT_AUTHORITIES = "123456789ANY"
_CREDIT_FORMAT = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")
# Where a letter outside the alphabet or a look-alike was read.
_CREDIT_AS_CHAR = {"O": "0", "I": "1", "Z": "2", "S": "5"}
_CREDIT_LOOKALIKES = {**DIGIT_LOOKALIKES, "0": "689DQ", "8": "03569B", "6": "058G", "1": "7T",
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


def organization_code_check_char(first8: str) -> str:
    """The check character of an organisation code (GB 11714): mod 11, 10 written X."""
    check = (11 - sum(int(c, 36) * w for c, w in zip(first8, _ORG_WEIGHTS)) % 11) % 11
    return "X" if check == 10 else str(check)


def organization_code_valid(code: str) -> bool:
    """A 9-character organisation code (GB 11714): 8 characters and a mod-11 check."""
    if len(code) != 9 or not re.fullmatch(r"[0-9A-Z]{8}[0-9X]", code):
        return False
    return code[8] == organization_code_check_char(code[:8])


def correct_credit_code(text: str) -> str | None:
    """The valid credit code an OCR reading stands for, or None (ambiguity gives None)."""
    raw = compact_ascii(text).upper()
    if len(raw) != 18:
        return None
    code = "".join(_CREDIT_AS_CHAR.get(c, c) for c in raw)
    # Places 3-8 are the region code: digits only.
    code = code[:2] + "".join(AS_DIGIT.get(c, c) for c in code[2:8]) + code[8:]
    if any(c not in CREDIT_CODE_ALPHABET for c in code):
        return None
    if credit_code_valid(code):
        return code
    candidates = [c for c in single_substitutions(code, _CREDIT_LOOKALIKES)
                  if credit_code_valid(c)]
    found = only_one(candidates)
    if found or not candidates:
        return found
    # Several look-alikes pass mod 31; the organisation code's own check breaks the tie.
    return only_one(c for c in candidates if organization_code_valid(c[8:17]))


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
