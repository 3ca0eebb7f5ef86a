"""OCR engines by name, created once per process and language set and then reused."""
from __future__ import annotations

import os
import threading
from typing import Callable

from ocr_core.engines.base import Engine, Reading, TextLine
from ocr_core.errors import InvalidOption
from ocr_core.settings import get_settings

__all__ = ["Engine", "Reading", "TextLine", "ENGINE_NAMES", "get_engine", "warm_up"]


def _tesseract(lang: str) -> Engine:
    from ocr_core.engines.tesseract import TesseractEngine

    return TesseractEngine(lang=lang, tessdata=get_settings().tessdata)


def _ppocr(lang: str) -> Engine:
    from ocr_core.engines.ppocr import PPOCREngine

    return PPOCREngine()


_FACTORIES: dict[str, Callable[[str], Engine]] = {"tesseract": _tesseract, "ppocr": _ppocr}
ENGINE_NAMES = frozenset(_FACTORIES)
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


def warm_up() -> None:
    """Create the default engines now (once per worker process, at its start), so that the
    first job does not pay for loading the language data."""
    get_engine()
