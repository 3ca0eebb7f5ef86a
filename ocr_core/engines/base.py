"""The OCR engine interface: text-line detection and line reading, separately callable so
that a pipeline may mix engines (Tesseract now, PP-OCR later)."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from ocr_core.geometry import Quad


@dataclass(frozen=True)
class Reading:
    """The text of one line and the engine's confidence in it (0..1)."""

    text: str
    prob: float


@dataclass(frozen=True)
class TextLine:
    """One line of text, its corners in the picture it was read from, and its confidence."""

    text: str
    quad: Quad
    prob: float


class Engine(ABC):
    """An OCR engine. Pictures are numpy arrays, BGR or grey. An instance is not thread-safe
    unless it says so: callers get engines from `ocr_core.engines.get_engine`."""

    name: str = "engine"

    @abstractmethod
    def detect_lines(self, image: np.ndarray) -> list[Quad]:
        """Boxes of the text lines of a page, in reading order."""

    @abstractmethod
    def read_line(self, image: np.ndarray) -> Reading:
        """The text of a picture cropped around a single line."""

    def read_page(self, image: np.ndarray) -> list[TextLine]:
        """Detect and read every line. Engines that do both in one pass override this."""
        lines = []
        for quad in self.detect_lines(image):
            left, top, right, bottom = (int(round(v)) for v in quad.bounds())
            crop = image[max(top, 0):max(bottom, 0), max(left, 0):max(right, 0)]
            if crop.size == 0:
                continue
            reading = self.read_line(crop)
            if reading.text:
                lines.append(TextLine(reading.text, quad, reading.prob))
        return lines

    def detect_orientation(self, image: np.ndarray) -> tuple[int, float] | None:
        """(clockwise rotation applied to the page: 0/90/180/270, confidence), or None when the
        engine has no orientation detector."""
        return None
