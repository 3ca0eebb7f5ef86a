"""Fonts and text drawing: find the CJK fonts, draw a line of text, record its
tight ink box, and wrap a paragraph to a width the way Chinese typesetting does."""
from __future__ import annotations

import re
import subprocess  # noqa: F401  (tests replace subprocess.run to play a machine without fc-list)
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from bench.synth.fonts import PACKAGES, FontNotFoundError, current_typeface, fontconfig
from bench.synth.truth import LineTruth

FAMILIES = ("sans", "serif")


@dataclass(frozen=True)
class FontFace:
    path: str
    index: int     # face inside a .ttc collection
    name: str      # fontconfig family, e.g. "Noto Sans CJK SC"
    bold: bool


_SERIF = re.compile(r"serif|ming|song|宋|明", re.IGNORECASE)


@lru_cache(maxsize=1)
def chinese_faces() -> tuple[FontFace, ...]:
    """Every installed face that fontconfig says covers Chinese, in a stable order
    (looked up as bench.synth.fonts looks up the others, by fontconfig)."""
    try:
        out = fontconfig("fc-list", "--format", "%{file}|%{index}|%{family[0]}|%{style[0]}\n", ":lang=zh")
    except FontNotFoundError as exc:
        raise FontNotFoundError(f"{exc} and fonts-noto-cjk") from exc
    faces = set()
    for row in out.splitlines():
        parts = row.split("|")
        if len(parts) == 4 and parts[0] and parts[1].isdigit():
            faces.add(FontFace(parts[0], int(parts[1]), parts[2], "bold" in parts[3].lower()))
    if not faces:
        raise FontNotFoundError("no font covering Chinese found by `fc-list :lang=zh`; install fonts-noto-cjk")
    return tuple(sorted(faces, key=lambda f: (f.path, f.index)))


def font_face(family: str = "sans", bold: bool = False) -> FontFace:
    """The best installed face of a family ("sans" or "serif").

    Simplified Chinese faces first: a collection's first face is often the
    Japanese one, whose glyphs for the same code points differ (直, 骨, 角).
    A missing family falls back to the other one rather than failing.
    Inside a `bench.synth.fonts.typeface(...)` block, only that typeface's faces count.
    """
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}, not {family!r}")
    faces = chinese_faces()
    chosen = current_typeface()
    if chosen is not None:
        name = chosen.sans if family == "sans" else chosen.serif
        faces = tuple(face for face in faces if face.name == name)
        if not faces:
            raise FontNotFoundError(f"no {name} font found by `fc-list :lang=zh`; install {PACKAGES[name]}")

    def rank(face: FontFace) -> tuple[int, ...]:
        serif = bool(_SERIF.search(face.name))
        return (
            serif != (family == "serif"),
            "mono" in face.name.lower(),
            not re.search(r"\bSC\b|GB|CN|Hans", face.name),
            face.bold != bold,
        )

    return min(faces, key=rank)  # min is stable: ties keep the sorted order


def font_path(family: str = "sans", bold: bool = False) -> str:
    return font_face(family, bold).path


def load_font(family: str = "sans", size: int = 32, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The font at `size` pixels per em, loaded once per face and size."""
    face = font_face(family, bold)
    return _truetype(face.path, face.index, size)


@lru_cache(maxsize=256)
def _truetype(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=index)


def text_width(font: ImageFont.FreeTypeFont, text: str) -> float:
    """Advance width in pixels: where the next text would start."""
    return font.getlength(text)


def ink_box(font: ImageFont.FreeTypeFont, text: str, origin: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """Tight box (x0, y0, x1, y1) of the pixels `text` inks when drawn with its
    baseline starting at `origin`; None when it inks nothing (blank text)."""
    mask, (dx, dy) = font.getmask2(text, mode="L", anchor="ls")
    box = mask.getbbox()
    if box is None:
        return None
    x, y = origin
    return (x + dx + box[0], y + dy + box[1], x + dx + box[2], y + dy + box[3])


def draw_line(draw: ImageDraw.ImageDraw, origin: tuple[int, int], text: str,
              font: ImageFont.FreeTypeFont, fill: int | tuple[int, ...] = 0) -> LineTruth:
    """Draw `text` with its baseline starting at `origin` (integer pixels) and
    return its truth: the tight box of its ink, as a quad."""
    x, y = int(origin[0]), int(origin[1])
    box = ink_box(font, text, (x, y))
    if box is None:
        raise ValueError(f"line {text!r} has no visible character")
    # Both draw.text and ink_box go through font.getmask2 with the same anchor,
    # so the recorded box is the drawn ink to the pixel.
    draw.text((x, y), text, font=font, fill=fill, anchor="ls")
    x0, y0, x1, y1 = (float(v) for v in box)
    return LineTruth(text, ((x0, y0), (x1, y0), (x1, y1), (x0, y1)))


def to_bgr(image: Image.Image) -> np.ndarray:
    """A PIL picture as the BGR uint8 array OpenCV and the service use."""
    array = np.asarray(image.convert("RGB"))
    return cv2.cvtColor(array, cv2.COLOR_RGB2BGR)


# --- wrapping ----------------------------------------------------------------

# Chinese typesetting (禁则): these never start a line ...
_NO_LINE_START = set("，。、；：？！）》」』】”’%,.;:?!)")
# ... and these never end one.
_NO_LINE_END = set("（《「『【“‘¥$(")
# Runs of Latin letters, digits and their punctuation wrap as one word.
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,:/@%+\-_]*|\s+|.")
_WORD = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.,:/@%+-_")


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    glue_next = False
    for tok in _TOKEN.findall(text):
        if tokens and (glue_next or (tok[0] in _NO_LINE_START and not tok.isspace())):
            tokens[-1] += tok
        else:
            tokens.append(tok)
        glue_next = tok[-1] in _NO_LINE_END
    return tokens


def wrap(text: str, font: ImageFont.FreeTypeFont, width: float, first_indent: float = 0.0,
         min_last_chars: int = 4) -> list[str]:
    """Break a paragraph into lines no wider than `width` px (the first line
    `first_indent` px narrower), never starting a line with closing punctuation
    nor splitting a number or Latin word, unless a word alone is too wide."""
    lines: list[str] = []
    current = ""
    for tok in _tokens(text):
        room = width - (first_indent if not lines else 0.0)
        candidate = (current + tok) if current else tok.lstrip()
        if not candidate:
            continue
        if text_width(font, candidate) <= room:
            current = candidate
            continue
        if current.strip():
            lines.append(current.rstrip())
            current = tok.lstrip()
            room = width
        # A word wider than the whole line is cut by characters.
        while current and text_width(font, current) > room:
            cut = len(current)
            while cut > 1 and text_width(font, current[:cut]) > room:
                cut -= 1
            lines.append(current[:cut].rstrip())
            current = current[cut:].lstrip()
    if current.strip():
        lines.append(current.rstrip())
    # A last line of one or two characters looks wrong; take some from the line above.
    if len(lines) >= 2 and len(lines[-1]) < min_last_chars:
        prev, last = lines[-2], lines[-1]
        keep = len(prev) - (min_last_chars - len(last))
        while keep > 1 and (prev[keep] in _NO_LINE_START or prev[keep - 1] in _NO_LINE_END
                            or (prev[keep - 1] in _WORD and prev[keep] in _WORD)):
            keep -= 1
        moved = (prev[keep:] + last).lstrip()
        if keep > 1 and text_width(font, moved) <= width:
            lines[-2:] = [prev[:keep].rstrip(), moved]
    return lines


def draw_column(draw: ImageDraw.ImageDraw, origin: tuple[int, int], text: str,
                font: ImageFont.FreeTypeFont, fill: int | tuple[int, ...] = 0,
                pitch: float = 1.1) -> LineTruth:
    """Draw `text` as a vertical line (竖排): characters upright, one under another from
    `origin` (the top-left of the first character), `pitch` ems apart; its truth is the tight
    box of the column's ink, read top to bottom."""
    x, y = int(origin[0]), int(origin[1])
    size = font.size
    boxes = []
    for i, ch in enumerate(text):
        baseline = (x, int(round(y + size + i * pitch * size)))
        box = ink_box(font, ch, baseline)
        if box is None:
            continue
        draw.text(baseline, ch, font=font, fill=fill, anchor="ls")
        boxes.append(box)
    if not boxes:
        raise ValueError(f"column {text!r} has no visible character")
    x0, y0 = float(min(b[0] for b in boxes)), float(min(b[1] for b in boxes))
    x1, y1 = float(max(b[2] for b in boxes)), float(max(b[3] for b in boxes))
    return LineTruth(text, ((x0, y0), (x1, y0), (x1, y1), (x0, y1)))
