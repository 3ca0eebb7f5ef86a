"""General text pages: a notice, letter or contract extract of 6-10 lines on
an A5-like sheet, optionally photographed or scanned."""
from __future__ import annotations

import random
from dataclasses import dataclass

from PIL import Image, ImageDraw

from bench.synth import corpus
from bench.synth.distort import apply
from bench.synth.render import FAMILIES, draw_line, load_font, text_width, to_bgr, wrap
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
