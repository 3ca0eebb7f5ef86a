"""ocr_business_card: a business card's name and its arrays of companies, departments, titles,
mobile and work phones, addresses and e-mails, each line placed by its form (a phone's digits,
an e-mail's @, an address's places), its type size (the name is the largest) and its place
(a title beside or under the name): cards have no fixed labels or layout. Light type on a
dark card or band is read turned over."""
from __future__ import annotations

import cv2
import numpy as np

from ocr_core.engines import Pipeline, get_engine
from ocr_core.engines.base import TextLine
from ocr_core.errors import WrongCategory
from ocr_core.geometry import scale_image
from ocr_core.services.business_card.contact_lines import (
    SURNAMES,
    ContactItem,
    classify_lines,
    classify_segment,
    pick_name,
    titles_by_place,
)
from ocr_core.steps.answer import Findings
from ocr_core.steps.extract import Field, field_evidence
from ocr_core.steps.locate import character_size, even_light, find_text_lines, grey_of, ink_mask, smear, without_rules
from ocr_core.steps.orient import find_page
from ocr_core.steps.polarity import dark_type_on_light
from ocr_core.steps.read import PageText, read_page_text
from ocr_core.steps.specks import without_specks

OPTIONS: dict = {}
ARRAYS = ("company", "department", "title", "tel_cell", "tel_work", "addr", "email")
# A card holds a dozen lines or so; a page of text with a phone number in it is not a card.
_MAX_LINES = 30
# Line-shaped blots before reading: a card's lines, its logo, pieces of spaced names and what
# specks are left stay well under this; a page of text is refused here,
# before a line of it is read.
_MAX_BLOBS = 60
# Fields whose form is checked as they are found (a phone's digits, an e-mail's @ and domain).
_FORMED = {"tel_cell", "tel_work", "email"}
# A name set in type this many times the body text's is found again at a scale of its own.
_LARGE = 3.0


def ocr_business_card(image: np.ndarray, configure: dict, pipeline: Pipeline) -> Findings:
    image, _ = without_specks(dark_type_on_light(image))
    if _line_blobs(image) > _MAX_BLOBS:
        raise WrongCategory()
    page = read_page_text(image, pipeline)
    upright = page.upright_lines()
    items = classify_lines(upright)
    name = pick_name(items, [line.quad.thickness for line in upright])
    if name is None:
        # The line finder passes over type well above the body text's size (it looks like a
        # picture there): a name in 6 mm type over 2.5 mm contact lines is read again alone.
        large = _large_type(page, pipeline)
        # Small lines run together at that scale and read as nonsense: only a surname starts a name.
        names = [ContactItem("name", value, len(page.lines) + i) for i, line in enumerate(large)
                 for kind, value in classify_segment(line.text) if kind == "name" and value[0] in SURNAMES]
        if names:
            page.lines.extend(large)
            upright = page.upright_lines()
            name = pick_name(names, [line.quad.thickness for line in upright])
    if name is not None and not any(item.kind == "title" for item in items):
        items += titles_by_place(upright, items, name)
    found = {kind: [item for item in items if item.kind == kind] for kind in ARRAYS}
    contacts = found["tel_cell"] or found["tel_work"] or found["email"]
    if len(page.lines) > _MAX_LINES or not ((contacts and (name or found["company"]))
                                            or (name and found["company"] and found["title"])):
        raise WrongCategory()
    answer = {"name": name.text if name else "", **{kind: _unique(found[kind]) for kind in ARRAYS}}

    def evidence(kind: str, chosen: list[ContactItem]) -> dict:
        if not chosen:
            return field_evidence(None)
        lines = [page.lines[item.line] for item in chosen]
        field = Field(chosen[0].text, tuple(line.quad for line in lines), min(line.prob for line in lines))
        return field_evidence(field, True if kind in _FORMED else None)

    evidence_of = {"name": evidence("name", [name] if name else []),
                   **{kind: evidence(kind, found[kind]) for kind in ARRAYS}}
    # The reference's business card answer has no config_str.
    return Findings(answer, evidence_of, page.warnings, page.engine)


def _line_blobs(image: np.ndarray) -> int:
    """How many line-shaped blots the card holds (on the sheet, when it lies on a desk): the
    characters smeared into lines, counted before anything is read. Lines of any direction
    count alike, so the picture need not be turned upright first."""
    sheet = find_page(image)
    if sheet is not None:
        left, top, right, bottom = (int(v) for v in sheet.bounds())
        image = image[max(0, top):max(0, bottom), max(0, left):max(0, right)]
    grey = grey_of(image)
    factor = min(1.0, 1000 / max(grey.shape))
    grey = cv2.resize(grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA) if factor < 1 else grey
    ink = ink_mask(grey)
    size = character_size(ink)
    if not size:
        return 0
    blobs = smear(without_rules(ink, size), size)
    _, _, stats, _ = cv2.connectedComponentsWithStats(blobs, connectivity=8)
    w, h, area = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT], stats[1:, cv2.CC_STAT_AREA]
    # The line finder's own floor for what may be a line (a lone character or more).
    return int(np.count_nonzero((np.minimum(w, h) >= 0.3 * size) & (np.maximum(w, h) >= 0.5 * size)
                                & (area >= 0.08 * size * size)))


def _unique(items: list[ContactItem]) -> list[str]:
    """The values in reading order, each once (a phone printed twice is one phone)."""
    return list(dict.fromkeys(item.text for item in items))


def _large_type(page: PageText, pipeline: Pipeline) -> list[TextLine]:
    """The lines of type much larger than the body text, found and read on the upright page
    scaled so that type reads at the engine's size; boxes in the picture sent."""
    body = character_size(ink_mask(grey_of(page.upright)))
    if not body:
        return []
    size = 30.0
    factor = min(1.0, size / (_LARGE * body))
    scaled, to_upright = scale_image(page.upright, factor)
    grey = even_light(grey_of(scaled), size)
    engine = get_engine(pipeline.reader)
    to_original = to_upright.then(page.to_original)
    lines = []
    for quad in find_text_lines(grey, size):
        left, top, right, bottom = quad.bounds()
        if bottom - top < 0.6 * size:
            continue  # body text, read already
        margin = 0.2 * (bottom - top)
        crop = grey[max(0, int(top - margin)):int(bottom + margin), max(0, int(left - margin)):int(right + margin)]
        reading = engine.read_line(crop)
        lines.append(TextLine(reading.text, to_original.apply_quad(quad), reading.prob))
    return lines
