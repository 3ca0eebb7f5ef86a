"""The plate number grammar of GA 36: which characters may stand where, by the plate's colour, and a
reading held to it."""
from __future__ import annotations

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"          # I and O are never used: they would pass for 1 and 0
DIGITS = "0123456789"
# The last character of some plates: police (white), coach (yellow), trailer, Hong Kong/Macau,
# embassy and consulate (black).
SPECIAL_ENDINGS = "警学挂港澳使领"
# An embassy plate has no province: 使 first, then six digits (the mission's three, the car's three).
EMBASSY = "使"
# What the recogniser reads for a letter where only a letter may stand, and for a digit.
_AS_LETTER = {"0": "D", "O": "D", "2": "Z", "4": "A", "5": "S", "6": "G", "7": "T", "8": "B"}
_AS_DIGIT = {"O": "0", "D": "0", "Q": "0", "U": "0", "I": "1", "L": "1", "J": "1", "T": "7", "Z": "2",
             "S": "5", "B": "8", "G": "6", "A": "4"}


def plate_text(reading: str, colour: str | None = None) -> str | None:
    """`reading` as a plate number, or None when it cannot be one: a province, a letter, then
    five characters (six on a green new-energy plate), with the recogniser's confusions fixed
    where the grammar allows one reading only (a letter in second place, digits where only
    digits stand, never I or O in the serial)."""
    chars = [ch for ch in reading.upper() if ch.isalnum() and (ch.isascii() or ch in PROVINCES + SPECIAL_ENDINGS)]
    # A rim or a screw read before the province is not part of the number.
    while chars and chars[0] not in PROVINCES + EMBASSY and len(chars) > 7:
        chars.pop(0)
    if chars and chars[0] == EMBASSY:
        digits = [_AS_DIGIT.get(ch, ch) for ch in chars[1:]]
        if len(digits) == 6 and colour in (None, "black") and all(ch in DIGITS for ch in digits):
            return EMBASSY + "".join(digits)
        return None
    if not chars or chars[0] not in PROVINCES:
        return None
    length = 8 if colour == "green" else 7 if colour else len(chars)
    if len(chars) != length or length not in (7, 8):
        return None
    chars[1] = _AS_LETTER.get(chars[1], chars[1])
    if chars[1] not in LETTERS:
        return None
    serial = chars[2:]
    if len(serial) == 6:
        serial = _new_energy_serial(serial)
    elif serial[-1] in SPECIAL_ENDINGS:
        serial = [_AS_DIGIT.get(ch, ch) for ch in serial[:-1]] + serial[-1:]
        if not all(ch in DIGITS for ch in serial[:-1]):
            return None
    else:
        serial = [{"O": "0", "I": "1"}.get(ch, ch) for ch in serial]
        if not all(ch in LETTERS + DIGITS for ch in serial):
            return None
    if serial is None:
        return None
    return chars[0] + chars[1] + "".join(serial)


def _new_energy_serial(serial: list[str]) -> list[str] | None:
    """Six characters of a new-energy plate: D or F first then a letter or digit and four digits
    (small car), or five digits then D or F (large car)."""
    last = {"0": "D", "O": "D"}.get(serial[-1], serial[-1])
    digits = [_AS_DIGIT.get(ch, ch) for ch in serial[:5]]
    if last in "DF" and all(ch in DIGITS for ch in digits) and serial[0] not in "DF":
        return digits + [last]
    first = {"0": "D", "O": "D", "P": "F", "E": "F"}.get(serial[0], serial[0])
    tail = [_AS_DIGIT.get(ch, ch) for ch in serial[2:]]
    second = {"O": "0", "I": "1"}.get(serial[1], serial[1])
    if first in "DF" and second in LETTERS + DIGITS and all(ch in DIGITS for ch in tail):
        return [first, second] + tail
    return None


# The plate grammars by colour: one set of allowed characters per position (GA 36).
_SERIAL = LETTERS + DIGITS
GRAMMARS: dict[str, tuple[tuple[str, ...], ...]] = {
    "blue": ((PROVINCES, LETTERS) + (_SERIAL,) * 5,),
    "yellow": ((PROVINCES, LETTERS) + (_SERIAL,) * 5, (PROVINCES, LETTERS) + (DIGITS,) * 4 + ("学挂",)),
    # White civil plates are police plates: four digits and a red 警.
    "white": ((PROVINCES, LETTERS) + (DIGITS,) * 4 + ("警",),),
    # Black: a foreign or Hong Kong/Macau car's (its ending says which), or an embassy's (使 then
    # six digits, no province).
    "black": ((PROVINCES, LETTERS) + (_SERIAL,) * 5, (PROVINCES, LETTERS) + (DIGITS,) * 4 + ("港澳使领",),
              (EMBASSY,) + (DIGITS,) * 6),
    # New energy: D (electric) or F (hybrid) then a letter or digit and four digits on a small
    # car; five digits then D or F on a large one.
    "green": ((PROVINCES, LETTERS, "DF", _SERIAL) + (DIGITS,) * 4, (PROVINCES, LETTERS) + (DIGITS,) * 5 + ("DF",)),
}
