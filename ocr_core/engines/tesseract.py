"""Tesseract (LSTM) through tesserocr: one `PyTessBaseAPI` per engine, created once and reused,
with its quirks on Chinese pages (spaces between characters, split lines) cleaned up here."""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import cv2
import numpy as np

from ocr_core.chinese_text import tidy_text
from ocr_core.engines.base import Engine, Reading, TextLine
from ocr_core.errors import EngineUnavailable
from ocr_core.geometry import Quad, reading_order

# Without this each Tesseract call spreads over every core through OpenMP, and N worker
# processes fight over them (measured tens of times slower); it must be set before the import.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
import tesserocr  # noqa: E402
from tesserocr import OEM, PSM, RIL, PyTessBaseAPI  # noqa: E402

@dataclass
class _Fragment:
    """A run of words Tesseract grouped as one line (it may be part of a visual line)."""

    words: list[tuple[str, float]]  # (text, confidence 0..100)
    left: int
    top: int
    right: int
    bottom: int
    baseline: float

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def text(self) -> str:
        return tidy_text(" ".join(w for w, _ in self.words))

    @property
    def prob(self) -> float:
        weights = [max(len(w.strip()), 1) for w, _ in self.words]
        return sum(c * n for (_, c), n in zip(self.words, weights)) / (100.0 * sum(weights))

    def same_line(self, other: "_Fragment") -> bool:
        """Whether `other`, to the right, continues this fragment's visual line."""
        overlap = min(self.bottom, other.bottom) - max(self.top, other.top)
        low, high = sorted((self.height, other.height))
        if low <= 0 or overlap < 0.6 * low or high > 1.8 * low:
            return False
        if abs(self.baseline - other.baseline) > 0.35 * high:
            return False
        gap = other.left - self.right
        # Beyond a few character widths it is another column or a form's separate field.
        return -0.5 * low <= gap <= 2.5 * high

    def join(self, other: "_Fragment") -> "_Fragment":
        words = self.words + other.words
        if self.words and other.words and other.left - self.right < 0.3 * min(self.height, other.height):
            # No visible space at the seam: one word that Tesseract cut in two.
            (a, ca), (b, cb) = self.words[-1], other.words[0]
            words = self.words[:-1] + [(a + b, min(ca, cb))] + other.words[1:]
        return _Fragment(
            words,
            min(self.left, other.left), min(self.top, other.top),
            max(self.right, other.right), max(self.bottom, other.bottom),
            (self.baseline + other.baseline) / 2,
        )


def merge_fragments(fragments: list[_Fragment]) -> list[_Fragment]:
    """Join fragments that sit on one baseline, left to right (Tesseract's layout analysis
    splits a line where the script or the spacing changes)."""
    pending = sorted(fragments, key=lambda f: f.left)
    merged: list[_Fragment] = []
    for fragment in pending:
        for i, line in enumerate(merged):
            if line.same_line(fragment):
                merged[i] = line.join(fragment)
                break
        else:
            merged.append(fragment)
    return merged


class TesseractEngine(Engine):
    """Tesseract 5 LSTM. One instance holds one `PyTessBaseAPI`; calls are serialised by a
    lock because the API keeps per-page state and must not be used by two threads at once."""

    name = "tesseract"

    def __init__(self, lang: str, tessdata: str):
        self.lang = lang
        self.tessdata = tessdata
        self._lock = threading.Lock()
        self._api = self._open(lang, PSM.AUTO)
        self._osd: PyTessBaseAPI | None = None

    def _open(self, lang: str, psm: int) -> PyTessBaseAPI:
        try:
            oem = OEM.LSTM_ONLY if lang != "osd" else OEM.TESSERACT_ONLY
            api = PyTessBaseAPI(path=self.tessdata, lang=lang, oem=oem, psm=psm)
        except RuntimeError as exc:
            raise EngineUnavailable(detail=f"tesseract {lang!r} in {self.tessdata!r}: {exc}") from exc
        # Pictures carry no trustworthy resolution; 300 dpi keeps Tesseract's size heuristics sane.
        api.SetVariable("user_defined_dpi", "300")
        # Its noise-row filter takes some lines of large or bold Chinese for specks and
        # answers nothing for them (measured: 3 lines in 120 pages read as empty).
        api.SetVariable("textord_noise_rejrows", "0")
        return api

    def _set_image(self, api: PyTessBaseAPI, image: np.ndarray) -> None:
        grey = _grey(image)
        h, w = grey.shape
        api.SetImageBytes(grey.tobytes(), w, h, 1, w)

    def read_page(self, image: np.ndarray) -> list[TextLine]:
        with self._lock:
            api = self._api
            api.SetPageSegMode(PSM.AUTO)
            self._set_image(api, image)
            api.Recognize()
            fragments = self._fragments(api)
            api.Clear()
        lines = []
        for fragment in merge_fragments(fragments):
            text = fragment.text
            if text:
                quad = Quad.from_box(fragment.left, fragment.top, fragment.right, fragment.bottom)
                lines.append(TextLine(text, quad, round(fragment.prob, 4)))
        return [lines[i] for i in reading_order([line.quad for line in lines])]

    def detect_lines(self, image: np.ndarray) -> list[Quad]:
        with self._lock:
            api = self._api
            api.SetPageSegMode(PSM.AUTO)
            self._set_image(api, image)
            boxes = []
            layout = api.AnalyseLayout()
            if layout is not None:
                for item in tesserocr.iterate_level(layout, RIL.TEXTLINE):
                    box = item.BoundingBox(RIL.TEXTLINE)
                    if box is not None:
                        boxes.append(box)
            api.Clear()
        quads = [Quad.from_box(*box) for box in boxes]
        return [quads[i] for i in reading_order(quads)]

    def read_line(self, image: np.ndarray) -> Reading:
        grey = _pad(_grey(image))
        with self._lock:
            api = self._api
            api.SetPageSegMode(PSM.SINGLE_LINE)
            self._set_image(api, grey)
            text = api.GetUTF8Text()
            confidence = api.MeanTextConf()
            api.Clear()
        text = tidy_text(text)
        return Reading(text, confidence / 100.0 if text else 0.0)

    def detect_orientation(self, image: np.ndarray) -> tuple[int, float] | None:
        """Tesseract's OSD (osd.traineddata). Slow (~0.3 s a page) and weak on Chinese: the
        orientation step does not rely on it."""
        with self._lock:
            if self._osd is None:
                self._osd = self._open("osd", PSM.OSD_ONLY)
            self._set_image(self._osd, image)
            try:
                found = self._osd.DetectOrientationScript()
            except RuntimeError:
                found = None
            self._osd.Clear()
        if not found:
            return None
        return int(found["orient_deg"]) % 360, float(found["orient_conf"])

    @staticmethod
    def _fragments(api: PyTessBaseAPI) -> list[_Fragment]:
        fragments: list[_Fragment] = []
        iterator = api.GetIterator()
        if iterator is None:
            return fragments
        current: _Fragment | None = None
        for item in tesserocr.iterate_level(iterator, RIL.WORD):
            if current is None or item.IsAtBeginningOf(RIL.TEXTLINE):
                box = item.BoundingBox(RIL.TEXTLINE)
                if box is None:
                    current = None
                    continue
                baseline = item.Baseline(RIL.TEXTLINE)
                base_y = (baseline[0][1] + baseline[1][1]) / 2 if baseline else float(box[3])
                current = _Fragment([], *box, base_y)
                fragments.append(current)
            word = item.GetUTF8Text(RIL.WORD)
            if word and word.strip():
                current.words.append((word.strip(), item.Confidence(RIL.WORD)))
        return [f for f in fragments if f.words]


def _grey(image: np.ndarray) -> np.ndarray:
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    return np.ascontiguousarray(image, dtype=np.uint8)


def _pad(grey: np.ndarray) -> np.ndarray:
    """Surround a line crop with its own background: Tesseract reads lines touching the
    border badly."""
    h = grey.shape[0]
    margin = max(4, h // 4)
    edge = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    return cv2.copyMakeBorder(grey, margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=int(np.median(edge)))
