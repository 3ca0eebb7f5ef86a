"""Dates and validity periods as Chinese documents print them, as YYYYMMDD."""
from __future__ import annotations

import re
import unicodedata

from ocr_core.checks.readings import real_date

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
            ok = 1800 <= year <= 2199 and real_date(f"{year:04d}{month:02d}{day:02d}")
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
