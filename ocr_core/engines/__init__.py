"""OCR engines by name, created once per process and language set and then reused, and the
pipelines a request may choose (`configure: {"engine": ...}`): which engine finds lines, which reads them."""
from __future__ import annotations

import importlib.util
import os
import threading
from dataclasses import dataclass
from typing import Callable

from ocr_core.engines.base import Engine, Reading, TextLine
from ocr_core.errors import InvalidOption
from ocr_core.settings import get_settings

__all__ = ["Engine", "Reading", "TextLine", "PIPELINES", "Pipeline", "get_engine",
           "engine_installed", "warm_up"]


def _tesseract(lang: str) -> Engine:
    from ocr_core.engines.tesseract import TesseractEngine

    return TesseractEngine(lang=lang, tessdata=get_settings().tessdata)


def _ppocr(lang: str) -> Engine:
    from ocr_core.engines.ppocr import PPOCREngine

    return PPOCREngine()


_FACTORIES: dict[str, Callable[[str], Engine]] = {"tesseract": _tesseract, "ppocr": _ppocr}
# The package each engine needs beyond the base install (its extra).
_PACKAGES = {"tesseract": "tesserocr", "ppocr": "rapidocr"}


@dataclass(frozen=True)
class Pipeline:
    """Which engine finds the text lines of a page (None: the engine-free line finder of
    `ocr_core.steps.locate`) and which reads each line."""

    name: str
    detector: str | None
    reader: str

    @property
    def engines(self) -> set[str]:
        return {self.reader} | ({self.detector} if self.detector else set())


PIPELINES: dict[str, Pipeline] = {p.name: p for p in (
    Pipeline("tesseract", None, "tesseract"),
    Pipeline("ppocr", "ppocr", "ppocr"),
    # PP-OCR's recogniser alone costs a few tens of ms a line; its detector most of a second a page.
    Pipeline("mixed", None, "ppocr"),
)}


def engine_installed(name: str) -> bool:
    """Whether this deployment has the packages of engine or pipeline `name`."""
    pipeline = PIPELINES.get(name)
    names = pipeline.engines if pipeline else {name}
    try:
        return all(importlib.util.find_spec(_PACKAGES[n]) is not None for n in names)
    except (ValueError, KeyError):
        return False  # a module blocked in sys.modules, or no such engine
# Engines with one model for Chinese and Latin, which take no language list.
_ONE_MODEL = {"ppocr"}

_engines: dict[tuple[str, str], Engine] = {}
_owner_pid = os.getpid()
_lock = threading.Lock()


def get_engine(name: str = "tesseract", lang: str | None = None) -> Engine:
    """The process's engine `name` for languages `lang` (default: the `lang` setting),
    created on first use. The instance serialises its own calls."""
    global _owner_pid
    lang = "" if name in _ONE_MODEL else lang or get_settings().lang
    factory = _FACTORIES.get(name)
    if factory is None:
        raise InvalidOption(detail=f"unknown engine {name!r}")
    with _lock:
        # A forked child must not drive its parent's native engine objects.
        if os.getpid() != _owner_pid:
            _engines.clear()
            _owner_pid = os.getpid()
        engine = _engines.get((name, lang))
        if engine is None:
            engine = _engines[(name, lang)] = factory(lang)
        return engine


def warm_up(pipelines: set[str] | None = None) -> None:
    """Create the engines of `pipelines` now (once per worker process, at its start), so that
    the first job does not pay for loading models; those not installed are left out."""
    names = {"tesseract"}
    for name in pipelines or ():
        if engine_installed(name):
            names |= PIPELINES[name].engines
    for name in sorted(names):
        get_engine(name)
