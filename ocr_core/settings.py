"""Recognition's settings in one typed object read from the environment, and the way every layer's
settings are read: each layer's object extends the one below it (workers', then the API's), so
`ocrq settings` and the README's table show them all, from one list of fields.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from typing import TypeVar

MiB = 1024 * 1024
S = TypeVar("S", bound="RecognitionSettings")


def env_name(name: str) -> str:
    """The environment variable of a setting: OCR_ + its name, but REDIS_URL."""
    return name.upper() if name.startswith("redis") else "OCR_" + name.upper()


@dataclass(frozen=True)
class RecognitionSettings:
    tessdata: str = field(default="/usr/share/tesseract-ocr/5/tessdata", metadata={"doc": "Tesseract language data folder (chi_sim, eng, osd)"})
    lang: str = field(default="chi_sim", metadata={"doc": "Tesseract languages for text (chi_sim reads Latin lines too; +eng doubled the error rate)"})
    engine: str = field(default="", metadata={"doc": "pipeline for every service unless a request names one: tesseract, ppocr or mixed; unset: each service's default"})
    max_pixels: int = field(default=40_000_000, metadata={"doc": "largest picture accepted, in pixels, checked from the header (462 past it)"})
    max_pages: int = field(default=50, metadata={"doc": "most pages of a PDF or multi-page TIFF, counted from its header at submission (462 past it); each page is answered apart"})

    @classmethod
    def from_env(cls: type[S], environ: dict[str, str] | None = None, **overrides) -> S:
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = environ.get(env_name(f.name))
            if raw is None or raw == "":
                continue
            kind = type(f.default)
            try:
                values[f.name] = kind(raw)
            except ValueError as exc:
                raise ValueError(f"{env_name(f.name)}={raw!r} is not a valid {kind.__name__}") from exc
        return replace(cls(**values), **overrides)

    def to_env(self) -> dict[str, str]:
        """The environment that makes `from_env` give back these settings (for child processes)."""
        return {env_name(f.name): str(getattr(self, f.name)) for f in fields(self)}


def settings_table(cls: type[RecognitionSettings]) -> str:
    """A Markdown table of `cls`'s settings, their defaults and meanings (the README's)."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for f in fields(cls):
        default = f.default if f.default != "" else "(unset)"
        rows.append(f"| `{env_name(f.name)}` | `{default}` | {f.metadata['doc']} |")
    return "\n".join(rows)


@lru_cache(maxsize=1)
def get_settings() -> RecognitionSettings:
    return RecognitionSettings.from_env()
