"""ocr_plate: every number plate in a street picture, found by its colour and shape, rectified,
read and held to the plate grammar; with `multi_crop`, answered only when several crops agree."""
from __future__ import annotations

import cv2
import numpy as np

from ocr_core.checks.plate_number import plate_text
from ocr_core.engines import Pipeline, get_engine
from ocr_core.engines.base import Engine
from ocr_core.geometry import Quad
from ocr_core.services.plate.find import (
    MAX_CANDIDATES,
    PlateCandidate,
    close_to,
    decode_plate,
    find_plates,
    free_reading,
    ground_colour,
    grown,
    reading_crop,
)
from ocr_core.services.plate.detected import (
    detected_rows,
    enclosing,
    province_read,
    two_row_pairs,
    two_row_text,
    whole_picture,
)
from ocr_core.steps.answer import Findings
from ocr_core.steps.locate import detect_lines_within

OPTIONS = {"multi_crop": bool}
# The crops read of each plate, as margins grown (length, height) round the region found: the
# first is the one answered alone; multi_crop reads them all (the reference's detail lists four).
CROPS = ((0.02, 0.05), (0.0, 0.0), (0.05, 0.12), (-0.01, -0.03))
# The reference: only when the crops' results agree "and the confidence is > 0.9" is a plate answered.
AGREEMENT = 0.9
# The least confidence of a grammar-decoded reading that is a plate: plates decode at 0.8 and
# more, signs and panels forced into the grammar at 0.45 and less (bench/synth plate scenes).
MIN_PROB = 0.6


def ocr_plate(image: np.ndarray, configure: dict, pipeline: Pipeline) -> Findings:
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    engine = get_engine(pipeline.reader)
    multi = configure.get("multi_crop", False)
    read = [(candidate.quad, plate) for candidate in find_plates(image)
            if (plate := _read_plate(image, candidate, engine, multi)) is not None]
    # The second source, PP-OCR's detector on the whole picture (and the picture itself when it
    # is a bare plate crop): plates whose colour or rim does not show. Only where the engine
    # gives its probabilities (the grammar's decoding) and the first source found nothing.
    if not read and hasattr(engine, "line_probabilities"):
        read = _detected_plates(image, engine, multi)
    # One plate is often found several ways (its colour, another colour's mask, its row of
    # characters): the most confident reading of it is answered.
    found: list[tuple[Quad, dict]] = []
    for quad, plate in sorted(read, key=lambda item: -item[1]["prob"]):
        if not any(_overlap(quad, other) > 0.3 for other, _ in found):
            found.append((quad, plate))
    # A picture without any plate answers an empty list, not 463: the reference gives no error for
    # it, and a camera frame with no car in it is an ordinary input of this service, not a wrong one.
    found.sort(key=lambda item: item[1]["roi"]["x"])
    answer = {"plates": [plate for _, plate in found]}
    evidence = {f"plates[{i}]": {"box": quad.to_list(), "prob": round(plate["prob"], 5), "valid": True}
                for i, (quad, plate) in enumerate(found)}
    return Findings(answer, evidence, [], pipeline.reader, echo=configure)


def _read_plate(image: np.ndarray, candidate: PlateCandidate, engine: Engine, multi: bool,
                strict: bool = False) -> dict | None:
    """The plate's answer, or None when its reading is not a plate number (a sign, a panel) or,
    with `multi`, when the crops disagree or any of them is unsure."""
    readings = [_read_crop(image, grown(candidate.quad, dx, dy), candidate.colour, engine,
                           strict, edits=1 if candidate.by_row else 2)
                for dx, dy in (CROPS if multi else CROPS[:1])]
    if not agreed(readings, multi):
        return None
    left, top, right, bottom = candidate.quad.bounds()
    return {
        # The reference's detail: each crop's "text,confidence", joined by '#' (its sample shows
        # four, with multi_crop); without multi_crop, the one crop read, in the same form.
        "detail": "#".join(f"{txt},{prob:.6g}" for txt, prob in readings),
        "prob": min(prob for _, prob in readings),
        "roi": {"h": int(round(bottom - top)), "w": int(round(right - left)),
                "x": max(0, int(round(left))), "y": max(0, int(round(top)))},
        "txt": readings[0][0],
    }


def _detected_plates(image: np.ndarray, engine: Engine, multi: bool) -> list[tuple[Quad, dict]]:
    """Plates among the detector's text boxes, two-row plates among pairs of them, and the whole
    picture when it is a bare crop; each reading held to the grammar with its province read."""
    read = []
    for candidate in whole_picture(image):
        if (plate := _read_plate(image, candidate, engine, multi, strict=True)) is not None:
            read.append((candidate.quad, plate))
    if read:
        return read
    detector = engine if engine.name == "ppocr" else get_engine("ppocr")
    boxes = detect_lines_within(detector, image)
    for candidate in detected_rows(image, boxes)[:2 * MAX_CANDIDATES]:
        if (plate := _read_plate(image, candidate, engine, multi, strict=True)) is not None:
            read.append((candidate.quad, plate))
    # Each box read once, however many pairs it is in; and no more pairs than candidates of a kind
    # (a page of text held hundreds of boxes, tens of thousands of pairs).
    free: dict[int, tuple[str, float]] = {}
    for upper, lower in two_row_pairs(boxes)[:MAX_CANDIDATES]:
        for quad in (upper, lower):
            if id(quad) not in free:
                free[id(quad)] = _free(image, quad, engine)
        texts = [free[id(upper)], free[id(lower)]]
        txt = two_row_text(texts[0][0], texts[1][0])
        prob = min(texts[0][1], texts[1][1])
        if txt is None or prob < MIN_PROB:
            continue
        quad = enclosing(upper, lower)
        left, top, right, bottom = quad.bounds()
        read.append((quad, {"detail": f"{txt},{prob:.6g}", "prob": prob,
                            "roi": {"h": int(round(bottom - top)), "w": int(round(right - left)),
                                    "x": max(0, int(round(left))), "y": max(0, int(round(top)))},
                            "txt": txt}))
    return read


def _free(image: np.ndarray, quad: Quad, engine: Engine) -> tuple[str, float]:
    """The recogniser's own reading of one row, and its mean confidence over its characters."""
    colour = ground_colour(image, quad)
    crop = cv2.cvtColor(reading_crop(image, grown(quad, 0.02, 0.05), colour), cv2.COLOR_GRAY2BGR)
    probs, alphabet = engine.line_probabilities(crop)
    best = probs.argmax(axis=1)
    peaks = [float(probs[t, i]) for t, i in enumerate(best) if i != 0]
    return free_reading(probs, alphabet), (float(np.mean(peaks)) if peaks else 0.0)


def agreed(readings: list[tuple[str | None, float]], multi: bool) -> bool:
    """Whether a plate's crops answer it: each read as a plate number, all the same one, and
    with `multi` (the reference's multi_crop) each more confident than AGREEMENT."""
    texts = {txt for txt, _ in readings}
    if not readings or None in texts or len(texts) != 1:
        return False
    return not multi or min(prob for _, prob in readings) > AGREEMENT


def _read_crop(image: np.ndarray, quad: Quad, colour: str, engine: Engine, strict: bool = False,
               edits: int = 2) -> tuple[str | None, float]:
    """The plate number on one crop and its confidence: decoded under the colour's grammar from
    the recogniser's probabilities where the engine gives them (PP-OCR), else its reading
    corrected by the grammar. A grammar always yields a number: one read with little
    confidence, or far from what the recogniser reads freely, is a sign or a panel, not a plate."""
    crop = cv2.cvtColor(reading_crop(image, quad, colour), cv2.COLOR_GRAY2BGR)
    if hasattr(engine, "line_probabilities"):
        probs, alphabet = engine.line_probabilities(crop)
        txt, prob = decode_plate(probs, alphabet, colour)
        free = free_reading(probs, alphabet)
        plausible = prob >= MIN_PROB and close_to(free, txt, edits) and (not strict or province_read(free, txt))
        return (txt if plausible else None), prob
    reading = engine.read_line(crop)
    return plate_text(reading.text, colour), reading.prob


def _overlap(a: Quad, b: Quad) -> float:
    """Area of the two boxes' intersection over the smaller one's."""
    al, at, ar, ab = a.bounds()
    bl, bt, br, bb = b.bounds()
    inter = max(0.0, min(ar, br) - max(al, bl)) * max(0.0, min(ab, bb) - max(at, bt))
    smaller = min((ar - al) * (ab - at), (br - bl) * (bb - bt))
    return inter / smaller if smaller > 0 else 0.0
