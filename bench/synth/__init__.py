"""Synthetic document pictures with ground truth, for the tests and the benchmarks.

    sample = text_page(7, distortion=photographed(7))
    sample.image, sample.lines, sample.encode("jpg")

Identity documents, with their fields' truth in the reference's format:

    card = id_card(7, "face", distortion=photographed_card(7))
    card.fields["num"], card.boxes["num"]
"""
from bench.synth import corpus
from bench.synth.distort import apply, photographed, scanned
from bench.synth.pages import text_page
from bench.synth.render import FontNotFoundError, draw_line, font_path, load_font
from bench.synth.truth import Distortion, LineTruth, Sample
from bench.synth.documents import (
    DocumentSample, driver_license, household_register, id_card, passport, photographed_card, vehicle_license,
)

__all__ = [
    "DocumentSample", "driver_license", "household_register", "id_card", "passport", "photographed_card",
    "vehicle_license",
    "Distortion", "FontNotFoundError", "LineTruth", "Sample", "apply", "corpus", "draw_line",
    "font_path", "load_font", "photographed", "scanned", "text_page",
]
