"""Synthetic document pictures with ground truth, for the tests and the benchmarks.

    sample = text_page(7, distortion=photographed(7))
    sample.image, sample.lines, sample.encode("jpg")
"""
from bench.synth import corpus
from bench.synth.distort import apply, photographed, scanned
from bench.synth.pages import text_page
from bench.synth.render import FontNotFoundError, draw_line, font_path, load_font
from bench.synth.truth import Distortion, LineTruth, Sample

__all__ = [
    "Distortion", "FontNotFoundError", "LineTruth", "Sample", "apply", "corpus", "draw_line",
    "font_path", "load_font", "photographed", "scanned", "text_page",
]
