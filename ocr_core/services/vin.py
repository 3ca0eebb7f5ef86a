"""ocr_vin: the vehicle identification number of a VIN plate or of a printed document, picked
among the page's lines by its form (17 characters, no I/O/Q), its label and the ISO 3779 check
digit where its region carries one (as the reference, `vin` only)."""
from __future__ import annotations

import re
from dataclasses import dataclass

import cv2
import numpy as np

from ocr_core.checks.vin import correct_vin, vin_check_digit_ok, vin_requires_check_digit
from ocr_core.engines import Pipeline, get_engine
from ocr_core.engines.base import TextLine
from ocr_core.errors import WrongCategory
from ocr_core.finders.cards import crop_line, detect_lines_on
from ocr_core.geometry import Quad
from ocr_core.steps.answer import Findings
from ocr_core.steps.extract import Field, field_evidence
from ocr_core.steps.read import PageText, read_page_text

OPTIONS: dict = {}
# What a VIN is labelled with on plates and forms.
_LABELS = ("车辆识别代号", "识别代号", "车架号", "车架号码", "VIN")
# A run of letters and digits; a VIN is one of exactly 17 (spaces or hyphens may split it).
_RUN = re.compile(r"[0-9A-Za-z]+")
# Lines with this many Latin letters and digits may be a VIN, however misread.
_CODE_LIKE = 10
# A line of 17 characters is at least this many times longer than high; so many of the
# longest are tried when the page's own reading found no VIN.
_LONG = 4
_MAX_LONG_LINES = 8
# The detector may end a line of stamped characters early, where a gap between them is wide:
# the line is read as found and longer at each end by these shares of its length.
_STRETCH = (0.0, 0.2, 0.45)


@dataclass(frozen=True)
class _Candidate:
    vin: str
    field: Field
    checked: bool      # the check digit holds
    labelled: bool     # a VIN label stands on its line or the line before

    @property
    def rank(self) -> tuple:
        # A check digit that holds is strong evidence; a label says which of several codes is
        # the VIN; a region that requires a check digit and fails it is a misreading.
        return (self.checked, self.labelled, not vin_requires_check_digit(self.vin), self.field.prob)


def ocr_vin(image: np.ndarray, configure: dict, pipeline: Pipeline) -> Findings:
    page = read_page_text(image, pipeline)
    candidates = vin_candidates(page.lines, _latin_readings(page) if pipeline.reader == "tesseract" else None)
    if not candidates:
        # A plate with one spaced-out line can be taken for a page turned by a quarter (each
        # stamped character stands taller than wide, and is read alone), and a phone screenshot
        # is upright by its bars and captions while the photo of the plate within it is turned
        # its own way: read the picture's long lines every way up.
        candidates = vin_candidates(_long_lines_any_way_up(image, pipeline))
    if not candidates:
        raise WrongCategory()
    best = max(candidates, key=lambda c: c.rank)
    valid = True if best.checked else (False if vin_requires_check_digit(best.vin) else None)
    return Findings({"vin": best.vin}, {"vin": field_evidence(best.field, valid)}, page.warnings, page.engine)


def vin_candidates(lines: list[TextLine], again: dict[int, str] | None = None) -> list[_Candidate]:
    """Every VIN the lines may hold, read as a VIN and corrected by its check digit; `again`
    gives other readings of some lines, by their index."""
    found = []
    for n, line in enumerate(lines):
        labelled = any(label in line.text.upper() for label in _LABELS) or (
            n > 0 and any(label in lines[n - 1].text.upper() for label in _LABELS))
        # The other reading first: among candidates of equal rank the first found is kept.
        texts = ([again[n]] if again and n in again else []) + [line.text]
        for piece in (piece for text in texts for piece in _vin_like(text)):
            vin = correct_vin(piece)
            # ISO 3779 makes the last four characters digits; a string of digits alone is another number.
            if vin and vin[-4:].isdigit() and any(ch.isalpha() for ch in vin):
                found.append(_Candidate(vin, Field(vin, (line.quad,), line.prob), vin_check_digit_ok(vin), labelled))
    return found


def _vin_like(text: str) -> list[str]:
    """The strings of 17 letters and digits on a line: runs of exactly 17, a run that starts
    with the label VIN run into it, or the last groups of a VIN printed in groups."""
    runs = [m.group(0) for m in _RUN.finditer(text)]
    pieces = [run for run in runs if len(run) == 17]
    pieces += [run[3:] for run in runs if len(run) == 20 and run[:3].upper() == "VIN"]
    if not pieces:
        tail = ""
        for run in reversed(runs):
            tail = run + tail
            if len(tail) >= 17:
                if len(tail) == 17 and len(run) < 17:
                    pieces.append(tail)
                break
    return pieces


def _latin_readings(page: PageText) -> dict[int, str]:
    """Lines that look like codes read again by Tesseract's English model: the Chinese one
    reads Latin codes worse (S as 3, 0 as O, a letter too many), and a VIN is all Latin."""
    engine = get_engine("tesseract", lang="eng")
    readings = {}
    for n, line in enumerate(page.upright_lines()):
        if sum(ch.isascii() and ch.isalnum() for ch in line.text) >= _CODE_LIKE:
            crop = crop_line(page.upright, line.quad)
            if crop is not None:
                readings[n] = engine.read_line(crop).text
    return readings


def _long_lines_any_way_up(image: np.ndarray, pipeline: Pipeline) -> list[TextLine]:
    """The longest lines of the picture, each read the way up it reads best (of the two ways
    along its long side), longest first."""
    reader = get_engine(pipeline.reader, lang="eng" if pipeline.reader == "tesseract" else None)
    quads = [q for q in detect_lines_on(image, pipeline) if max(q.length, q.thickness) >= _LONG * min(q.length, q.thickness)]
    lines = []
    for quad in sorted(quads, key=lambda q: -max(q.length, q.thickness))[:_MAX_LONG_LINES]:
        turns = (cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_90_COUNTERCLOCKWISE) if quad.thickness > quad.length else (None, cv2.ROTATE_180)
        for share in _STRETCH:
            crop = crop_line(image, _stretched(quad, share))
            if crop is None:
                continue
            readings = [reader.read_line(crop if turn is None else cv2.rotate(crop, turn)) for turn in turns]
            best = max(readings, key=lambda r: r.prob)
            lines.append(TextLine(best.text, quad, best.prob))
            # Only a code (Latin letters among digits) is worth reading longer.
            code = [ch for ch in best.text if ch.isascii() and ch.isalnum()]
            if len(code) < _CODE_LIKE or not any(ch.isalpha() for ch in code):
                break
    return lines


def _stretched(quad: Quad, share: float) -> Quad:
    """`quad` lengthened by `share` of its length at each end of its long axis."""
    points = quad.as_array()
    centre = points.mean(axis=0)
    long_side = points[1] - points[0] if quad.length >= quad.thickness else points[3] - points[0]
    axis = long_side / max(float(np.linalg.norm(long_side)), 1e-6)
    offsets = points - centre
    stretched = centre + offsets + 2 * share * np.outer(offsets @ axis, axis)
    return Quad.from_points(stretched)
