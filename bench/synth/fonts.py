"""Fonts found by fontconfig, never by a literal path.

    font_file("DejaVu Sans Condensed", "Bold")  -> FontFile(path, index)
    truetype("DejaVu Sans Mono", "Book", 32)     -> a PIL font at 32 px

Every font the generator opens goes through here (or through fc-list, for
render.py's choice among the Chinese faces), so that a machine without it
fails with the Debian package to install rather than PIL's "cannot open
resource". The Makefile installs every package named in PACKAGES.

A document's Chinese type is one of TYPEFACES: render.py draws in the one
set by `with typeface(face):` (bench/accuracy.py sets it from each seed),
and in Noto CJK, the generator's face before there were several, outside.
"""
from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

from PIL import ImageFont

# The Debian package that ships each family the generator asks for.
PACKAGES = {
    "DejaVu Sans": "fonts-dejavu-core",
    "DejaVu Sans Mono": "fonts-dejavu-core",
    "DejaVu Sans Condensed": "fonts-dejavu-extra",
    "Noto Sans CJK SC": "fonts-noto-cjk",
    "Noto Sans Mono CJK SC": "fonts-noto-cjk",
    "Noto Serif CJK SC": "fonts-noto-cjk",
    "WenQuanYi Zen Hei": "fonts-wqy-zenhei",
    "WenQuanYi Micro Hei": "fonts-wqy-microhei",
    "AR PL UKai CN": "fonts-arphic-ukai",
    "AR PL UMing CN": "fonts-arphic-uming",
}
# fontconfig's names for a family's upright, normal-weight face (AR PL UMing's only face is "Light").
_REGULAR = {"regular", "book", "normal", "roman", "light"}


@dataclass(frozen=True)
class Typeface:
    """The Chinese type of a document: the fontconfig family render.py draws its "sans" and
    its "serif" text in. A family of one face draws both, and its bold text in that face."""
    name: str
    sans: str
    serif: str


# Debian's CJK families, as printers use them: Hei (黑体) faces, Kai (楷体) and Ming/Song (明体, 宋体).
TYPEFACES = (
    Typeface("Noto CJK", "Noto Sans CJK SC", "Noto Serif CJK SC"),
    Typeface("WenQuanYi Zen Hei", "WenQuanYi Zen Hei", "WenQuanYi Zen Hei"),
    Typeface("WenQuanYi Micro Hei", "WenQuanYi Micro Hei", "WenQuanYi Micro Hei"),
    Typeface("AR PL UKai", "AR PL UKai CN", "AR PL UKai CN"),
    Typeface("AR PL UMing", "AR PL UMing CN", "AR PL UMing CN"),
)
# None: render.py's own choice among the installed faces (Noto Sans/Serif CJK SC).
_TYPEFACE: ContextVar[Typeface | None] = ContextVar("typeface", default=None)


def current_typeface() -> Typeface | None:
    """The typeface set by the innermost `typeface(...)` block, None outside any."""
    return _TYPEFACE.get()


@contextmanager
def typeface(face: Typeface | None) -> Iterator[Typeface | None]:
    """Draw the documents made inside the block in `face` (None: render.py's default)."""
    token = _TYPEFACE.set(face)
    try:
        yield face
    finally:
        _TYPEFACE.reset(token)


def typeface_of_seed(seed: int) -> Typeface:
    """The typeface a benchmark seed's document is drawn in: the families in turn, so that
    any run of len(TYPEFACES) consecutive seeds draws each once."""
    return TYPEFACES[seed % len(TYPEFACES)]


def typeface_named(name: str) -> Typeface:
    """The member of TYPEFACES called `name` (case and spaces ignored: "ar-pl-ukai" works too)."""
    key = "".join(c for c in name.lower() if c.isalnum())
    for face in TYPEFACES:
        if "".join(c for c in face.name.lower() if c.isalnum()) == key:
            return face
    raise ValueError(f"no typeface {name!r}; one of {', '.join(f.name for f in TYPEFACES)}")


class FontNotFoundError(RuntimeError):
    """fontconfig finds no installed font of the family asked for."""


@dataclass(frozen=True)
class FontFile:
    path: str
    index: int     # face inside a .ttc collection


def fontconfig(command: str, *args: str) -> str:
    """The output of fontconfig's `fc-match` or `fc-list` with these arguments."""
    try:
        return subprocess.run([command, *args], capture_output=True, text=True, check=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise FontNotFoundError(f"cannot look fonts up with {command} ({exc}); install fontconfig") from exc


def _escape(name: str) -> str:
    """A family name as a fontconfig pattern writes it (`-`, `:` and `,` are syntax there)."""
    return "".join("\\" + c if c in "\\-:," else c for c in name)


def _names(listed: str) -> set[str]:
    return {name.strip().lower() for name in listed.split(",") if name.strip()}


@lru_cache(maxsize=64)
def font_file(family: str, style: str = "Regular") -> FontFile:
    """The installed file of `family` in `style` (fontconfig's style name: "Bold", "Book", ...).

    fc-match always answers with some font, the nearest it has; a face of
    another family or style would silently change every picture drawn with
    it, so that is refused with the package to install.
    """
    out = fontconfig("fc-match", "--format", "%{file}|%{index}|%{family}|%{style}",
                     f"{_escape(family)}:style={style}")
    parts = out.split("|")
    wanted = _REGULAR if style.lower() in _REGULAR else {style.lower()}
    if (len(parts) == 4 and parts[0] and parts[1].isdigit() and family.lower() in _names(parts[2])
            and wanted & _names(parts[3])):
        return FontFile(parts[0], int(parts[1]))
    package = PACKAGES.get(family, "the package that ships it")
    found = f"its nearest is {parts[2]} {parts[3]}" if len(parts) == 4 and parts[0] else "it has no font at all"
    raise FontNotFoundError(f"fontconfig finds no {family} {style} font ({found}); install {package}")


def font_path(family: str, style: str = "Regular") -> str:
    return font_file(family, style).path


@lru_cache(maxsize=256)
def truetype(family: str, style: str, size: int) -> ImageFont.FreeTypeFont:
    """`family` in `style` at `size` pixels per em, loaded once."""
    face = font_file(family, style)
    return ImageFont.truetype(face.path, size, index=face.index)
