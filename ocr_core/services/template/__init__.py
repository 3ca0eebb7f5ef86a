"""ocr_template (alias ocr_sdt): a page read with a user's template, named by `template_id` or
chosen from a `template_list` by the first `cond` that holds on the page's text."""
from __future__ import annotations

import numpy as np

from ocr_core.engines import Pipeline, get_engine
from ocr_core.errors import InvalidOption, NoTemplateMatched, TemplateNotSet, TooFewAnchors, UnknownTemplate
from ocr_core.services.template.matching import (
    check_condition,
    condition_holds,
    evidence_of,
    page_homography,
    page_text,
    parse_template,
    quarter_turn_back,
    read_template,
)
from ocr_core.steps.answer import Findings
from ocr_core.steps.read import read_page_text

OPTIONS = {"template_id": str, "template_list": list}
# The templates' definitions, {template_id: definition}. ocr_core knows no store: the API looks
# the app's published templates up when it accepts the request and passes them under this key,
# which `check_configure` refuses from clients (it is accepted only with internal=True, as the
# worker's `recognize` passes).
DEFINITIONS = "_template_definitions"
INTERNAL_OPTIONS = {DEFINITIONS: dict}
# The orientation step takes the grid of some ruled forms, photographed at a slant, for text
# running down the page (a 费用报销单 then reads one character a line). When neither the template
# nor enough of its anchors are found, the page is read again a quarter turn either way.
_QUARTER_TURNS = (0, 1, 3)


def requested_ids(configure: dict) -> list[str]:
    """The template ids a configure names, checked: 452 when it names none, 461 when malformed."""
    if "template_id" in configure:
        if not configure["template_id"]:
            raise TemplateNotSet("template_id is empty")
        return [configure["template_id"]]
    entries = configure.get("template_list")
    if entries is None:
        raise TemplateNotSet("configure names no template_id nor template_list")
    if not entries:
        raise TemplateNotSet("template_list is empty")
    if not all(isinstance(e, dict) and isinstance(e.get("template_id"), str) for e in entries):
        raise InvalidOption(detail="each template_list entry needs a template_id string (and may have a cond)")
    for entry in entries:
        check_condition(entry.get("cond"))
    return [e["template_id"] for e in entries]


def _chosen(configure: dict, lines: list) -> str:
    """The template named, or the first of the list whose cond holds on the page's text."""
    if "template_id" in configure:
        return configure["template_id"]
    text = page_text(lines)
    for entry in configure["template_list"]:
        if condition_holds(entry.get("cond"), text):
            return entry["template_id"]
    raise NoTemplateMatched()


def ocr_template(image: np.ndarray, configure: dict, pipeline: Pipeline) -> Findings:
    ids = requested_ids(configure)
    definitions = configure.get(DEFINITIONS) or {}
    for template_id in ids:
        if template_id not in definitions:
            raise UnknownTemplate(template_id)
    failure = None
    for turns in _QUARTER_TURNS:
        turned = np.ascontiguousarray(np.rot90(image, turns)) if turns else image
        page = read_page_text(turned, pipeline)
        try:
            chosen = _chosen(configure, page.lines)
            template = parse_template(definitions[chosen])
            h = quarter_turn_back(turns, image.shape) @ page_homography(page.lines, template)
            break
        except (NoTemplateMatched, TooFewAnchors) as exc:
            failure = failure or exc
    else:
        raise failure
    regions = read_template(image, h, template, get_engine(pipeline.reader))
    items = {name: (region.text if not isinstance(region, dict) else
                    {"labels": region["labels"], "values": region["values"]})
             for name, region in regions.items()}
    # The answer echoes the template chosen, not the definitions the API passed.
    return Findings({"items": items}, {name: evidence_of(region) for name, region in regions.items()}, page.warnings,
                    page.engine, echo={"template_id": chosen})
