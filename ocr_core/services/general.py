"""ocr_general: every printed line of a picture, in reading order, as the reference's
`ret` list of rotated rectangles in the original picture's coordinates."""
from __future__ import annotations

import numpy as np

from ocr_core.engines import Pipeline
from ocr_core.geometry import Rect
from ocr_core.steps.answer import Findings
from ocr_core.steps.read import read_page_text

OPTIONS = {"min_size": int, "output_prob": bool}
# The reference's `min_size` is the least text height kept ("图片中文字的最小高度"). It gives
# no default; 0 keeps every line, since a small line in a big photo is still real text.
DEFAULT_MIN_SIZE = 0

def ocr_general(image: np.ndarray, configure: dict, pipeline: Pipeline) -> Findings:
    """The reference's general text answer: {"ret": [{"prob"?, "rect", "word"}], "success"}."""
    page = read_page_text(image, pipeline, free_layout=True)
    min_size = configure.get("min_size", DEFAULT_MIN_SIZE)
    output_prob = configure.get("output_prob", False)
    ret, evidence = [], {}
    for line in page.lines:
        rect = Rect.from_quad(line.quad)
        if rect.height < min_size:
            continue
        item: dict = {}
        if output_prob:
            item["prob"] = round(line.prob, 5)
        item["rect"] = rect.to_dict()
        item["word"] = line.text
        evidence[str(len(ret))] = {"box": line.quad.to_list(), "prob": round(line.prob, 5), "valid": None}
        ret.append(item)
    return Findings({"ret": ret}, evidence, page.warnings, page.engine)
