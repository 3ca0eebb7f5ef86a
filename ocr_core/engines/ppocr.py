"""PP-OCR (PaddleOCR's detector and recogniser) through RapidOCR on onnxruntime, the `ppocr` extra.

The models ship inside the `rapidocr` wheel and are loaded once per process from there;
nothing is downloaded at run time.
"""
from __future__ import annotations

import threading

import cv2
import numpy as np

from ocr_core.chinese_text import tidy_text
from ocr_core.engines.base import Engine, Reading, TextLine
from ocr_core.errors import EngineUnavailable
from ocr_core.geometry import Quad, reading_order

# Pictures are reduced to this side at most before lines are detected.
_DET_SIDE = 1280
# The short side rapidocr's detector brings a picture to (its `limit_side_len`, type "min").
DETECTOR_SIDE = 736
# Pictures this many times longer than high (or high than long) are padded to a square with `square`.
_SQUARE_ASPECT = 2.0


def _rapidocr(threads: int):
    try:
        from rapidocr import RapidOCR
    except ImportError as exc:
        raise EngineUnavailable(detail="ppocr is not installed (pip install 'ocrq[ppocr]')") from exc
    return RapidOCR(params={
        "Global.log_level": "error",
        # Like Tesseract's OMP_THREAD_LIMIT: N worker processes should use N cores, not N×N threads.
        "EngineConfig.onnxruntime.intra_op_num_threads": threads,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    })


class PPOCREngine(Engine):
    """Thread-safe by a lock: RapidOCR keeps the steps of the last call as state."""

    name = "ppocr"

    def __init__(self, threads: int = 1):
        self._ocr = _rapidocr(threads)
        self._lock = threading.Lock()

    def _run(self, image: np.ndarray, *, det: bool, cls: bool, rec: bool):
        with self._lock:
            return self._ocr(image, use_det=det, use_cls=cls, use_rec=rec)

    def detect_lines(self, image: np.ndarray, square: bool = False) -> list[Quad]:
        """The line boxes PP-OCR's detector finds, in reading order. With `square`, a long
        picture smaller than the detector's own scale is padded to a square first: it costs
        the least there (a 25 x 323 line: 4 s padded to a third, 0.6 s to a square). Pictures
        near square are left as they are: padding moved a box or two (realdev, a label)."""
        # The detector scales a picture's short side up to 736 px: a long thin strip would
        # become a vast one (a 25 x 323 line took 4 s). Padded to a squarer canvas, it does not;
        # a huge picture is reduced to `_DET_SIDE` first (its lines are boxes, not readings).
        h, w = image.shape[:2]
        scale = min(1.0, _DET_SIDE / max(h, w))
        if scale < 1.0:
            image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            h, w = image.shape[:2]
        if square and h * w <= DETECTOR_SIDE ** 2 and max(h, w) >= _SQUARE_ASPECT * min(h, w):
            # Its short side brought to 736 px, a picture covers 736² × its aspect ratio; a
            # square canvas of its long side, no more than the larger of that side² and 736².
            pad_y, pad_x = max(h, w) - h, max(h, w) - w
        else:
            pad_y, pad_x = max(0, w // 3 - h), max(0, h // 3 - w)
        top, left = pad_y // 2, pad_x // 2
        if pad_x or pad_y:
            edge = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
            fill = np.median(edge.reshape(len(edge), -1), axis=0)
            value = int(fill[0]) if image.ndim == 2 else tuple(int(v) for v in fill)
            image = cv2.copyMakeBorder(image, top, pad_y - top, left, pad_x - left, cv2.BORDER_CONSTANT, value=value)
        boxes = self._run(image, det=True, cls=False, rec=False).boxes
        quads = [Quad.from_points([((x - left) / scale, (y - top) / scale) for x, y in box])
                 for box in ([] if boxes is None else boxes)]
        return [quads[i] for i in reading_order(quads)]

    def read_line(self, image: np.ndarray) -> Reading:
        out = self._run(image, det=False, cls=False, rec=True)
        if not out.txts:
            return Reading("", 0.0)
        return Reading(tidy_text(out.txts[0]), float(out.scores[0]))

    def line_probabilities(self, image: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """The recogniser's character probabilities at each step of a picture of one line
        (steps × alphabet; index 0 is CTC's blank) and its alphabet, for a caller that decodes
        under a grammar of its own (a number plate) rather than taking the likeliest text."""
        if image.ndim == 2:
            image = np.repeat(image[..., None], 3, axis=2)
        with self._lock:
            # RapidOCR 3 creates its recogniser on first use (older 3.x releases at start).
            rec = self._ocr.text_rec if getattr(self._ocr, "text_rec", None) is not None else self._ocr._load_rec_model()
            _, height, width = rec.rec_image_shape
            norm = rec.resize_norm_img(image, max(width / height, image.shape[1] / image.shape[0]))
            probs = rec.session(norm[np.newaxis].astype(np.float32))[0]
        return probs, rec.postprocess_op.character

    def read_page(self, image: np.ndarray) -> list[TextLine]:
        # The line classifier turns lines read upside down; the page's own rotation is the orient step's.
        out = self._run(image, det=True, cls=True, rec=True)
        if out.boxes is None or not out.txts:
            return []
        lines = [TextLine(tidy_text(text), Quad.from_points(box), float(score))
                 for box, text, score in zip(out.boxes, out.txts, out.scores) if text.strip()]
        return [lines[i] for i in reading_order([line.quad for line in lines])]
