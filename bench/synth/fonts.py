"""Fonts found by fontconfig, never by a literal path.

    font_file("DejaVu Sans Condensed", "Bold")  -> FontFile(path, index)
    truetype("DejaVu Sans Mono", "Book", 32)     -> a PIL font at 32 px

Every font the generator opens goes through here (or through fc-list, for
render.py's choice among the Chinese faces), so that a machine without it
fails with the Debian package to install rather than PIL's "cannot open
resource". The Makefile installs every package named in PACKAGES.
"""
from __future__ import annotations

import subprocess
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
}
# fontconfig's names for a family's upright, normal-weight face.
_REGULAR = {"regular", "book", "normal", "roman"}


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
