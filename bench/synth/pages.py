"""General text pages: a notice, letter or contract extract of 6-10 lines on
an A5-like sheet, optionally photographed or scanned."""
from __future__ import annotations

import random
from dataclasses import dataclass

from PIL import Image, ImageDraw

from bench.synth import corpus
from bench.synth.distort import apply
from bench.synth.render import FAMILIES, draw_column, draw_line, load_font, text_width, to_bgr, wrap
from bench.synth.truth import Distortion, LineTruth, Sample

PAGE_WIDTH = 1200
MIN_PAGE_HEIGHT = 900
MAX_LINE_CHARS = 30


@dataclass(frozen=True)
class PlacedLine:
    """A line of the layout before drawing: its text, left edge, and weight."""
    text: str
    x: int
    bold: bool = False


def text_page(seed: int, *, distortion: Distortion | None = None, n_lines: int | None = None,
              font: str | None = None, size: int | None = None) -> Sample:
    """A page of realistic mixed text, drawn and then distorted, from its seed alone.

    `font` is "sans" or "serif", `size` the font's pixels per em (about the
    height of a Chinese character); both are drawn from the seed when None.
    """
    rng = random.Random(seed)
    family = font or rng.choice(FAMILIES)
    size = size or rng.randint(24, 40)
    count = n_lines if n_lines is not None else rng.randint(6, 10)
    if count < 1:
        raise ValueError("a page needs at least one line")
    if not 8 <= size <= 120:
        raise ValueError(f"size must be within 8..120 px, not {size}")

    margin = rng.randint(60, 110)
    width = min(PAGE_WIDTH - 2 * margin, MAX_LINE_CHARS * size)
    layout = _layout(rng, count, family, size, margin, width)

    pitch = round(size * rng.uniform(1.6, 2.0))
    top = rng.randint(60, 100)
    height = max(MIN_PAGE_HEIGHT, top + size + (count - 1) * pitch + top)
    paper = rng.randint(244, 255)
    ink = rng.randint(0, 60)
    page = Image.new("L", (PAGE_WIDTH, height), paper)
    draw = ImageDraw.Draw(page)
    lines: list[LineTruth] = []
    for i, placed in enumerate(layout):
        baseline = top + size + i * pitch
        lines.append(draw_line(draw, (placed.x, baseline), placed.text,
                               load_font(family, size, placed.bold), ink))

    d = distortion or Distortion()
    image, lines = apply(to_bgr(page), lines, d, seed)
    return Sample(image=image, lines=lines, distortion=d, seed=seed)


def _layout(rng: random.Random, count: int, family: str, size: int, margin: int,
            width: int) -> list[PlacedLine]:
    """Choose the page's lines: perhaps a centred bold title, then paragraphs
    (first line indented by two characters) and groups of "label：value" lines."""
    regular = load_font(family, size)
    max_chars = max(8, min(MAX_LINE_CHARS, width // size))
    placed: list[PlacedLine] = []

    if count >= 6 and rng.random() < 0.35:
        bold = load_font(family, size, bold=True)
        heading = corpus.title(rng)
        if text_width(bold, heading) <= width:
            x = margin + int((width - text_width(bold, heading)) // 2)
            placed.append(PlacedLine(heading, x, bold=True))

    while len(placed) < count:
        if rng.random() < 0.55:
            indent = 2 * size
            for text in wrap(corpus.paragraph(rng), regular, width, first_indent=indent):
                placed.append(PlacedLine(text, margin + indent))
                indent = 0
        else:
            for _ in range(rng.randint(2, 4)):
                text = corpus.random_line(rng, max_chars)
                # Latin-heavy lines count fewer characters than they are wide; measure.
                while text_width(regular, text) > width:
                    text = corpus.random_line(rng, max_chars)
                placed.append(PlacedLine(text, margin))
    # The page shows the first `count` lines, like a crop of a longer document.
    return placed[:count]


# Kinds of `family_page`: the real pictures' families the plain pages do not cover.
FAMILY_KINDS = ("light_on_dark", "vertical", "watermark", "display")


def family_page(seed: int, kind: str, *, distortion: Distortion | None = None) -> Sample:
    """A page of one family of real pictures, from its seed alone (text_page's pictures are
    not changed by it):

    - ``light_on_dark``: a few lines of light text on dark or coloured bands (a banner, a caption);
    - ``vertical``: two to four vertical columns (竖排), read right to left;
    - ``watermark``: lines of text over a large light word repeated across the page;
    - ``display``: a headline of large display type above lines of small print.
    """
    if kind not in FAMILY_KINDS:
        raise ValueError(f"kind must be one of {FAMILY_KINDS}, not {kind!r}")
    rng = random.Random(f"{kind}-{seed}")
    family = rng.choice(FAMILIES)
    width = 1000
    lines: list[LineTruth] = []
    if kind == "vertical":
        size = rng.randint(36, 52)
        count = rng.randint(2, 4)
        texts = [_hanzi(corpus.random_line(rng, 16))[:rng.randint(4, 8)] or "春风又绿江南" for _ in range(count)]
        height = int(max(len(t) for t in texts) * size * 1.1 + 2 * size + 80)
        page = Image.new("L", (width if count > 2 else 700, max(height, 600)), rng.randint(236, 255))
        draw = ImageDraw.Draw(page)
        font = load_font(family, size)
        x = page.width - 120 - size
        for text in texts:
            lines.append(draw_column(draw, (x, 60), text, font, rng.randint(0, 50)))
            x -= int(size * rng.uniform(1.8, 2.4))
    else:
        size = rng.randint(26, 34)
        count = rng.randint(3, 5)
        texts = [corpus.random_line(rng, rng.randint(10, 16)) for _ in range(count)]
        pitch = int(size * 2.2)
        head = 0
        if kind == "display":
            big = rng.randint(90, 120)
            head = int(big * 1.6)
        height = max(500, 80 + head + count * pitch + 60)
        paper = rng.randint(236, 255)
        page = Image.new("RGB", (width, height), (paper, paper, paper))
        draw = ImageDraw.Draw(page)
        font = load_font(family, size)
        if kind == "watermark":
            mark = load_font(family, rng.randint(110, 150), bold=True)
            shade = rng.randint(200, 225)
            word = rng.choice(["样本", "副本", "机密", "仅供参考"])
            for y in range(40, height, 170):
                draw.text((rng.randint(-40, 60), y), word * 3, font=mark, fill=(shade, shade, shade))
        y = 60
        if kind == "display":
            title = _hanzi(corpus.title(rng))[:rng.randint(3, 6)] or "限时特惠"
            lines.append(draw_line(draw, (80, y + big), title, load_font(family, big, bold=True), (20, 20, 20)))
            y += head
        for text in texts:
            baseline = y + size + 10
            if kind == "light_on_dark":
                band = tuple(rng.randint(0, 90) for _ in range(3))
                draw.rectangle((0, y - 4, width, y + pitch - 8), fill=band)
                ink = tuple(rng.randint(225, 255) for _ in range(3))
            else:
                ink = (rng.randint(0, 50),) * 3
            lines.append(draw_line(draw, (80, baseline), text, font, ink))
            y += pitch
    d = distortion or Distortion()
    image, lines = apply(to_bgr(page), lines, d, seed)
    return Sample(image=image, lines=lines, distortion=d, seed=seed)


def _hanzi(text: str) -> str:
    """The Chinese characters of a text (a vertical column holds no Latin words)."""
    return "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff")
