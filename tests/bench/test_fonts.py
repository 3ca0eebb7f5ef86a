"""The generator's fonts are found by fontconfig, and installed by the Makefile."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import ImageFont

from bench.synth import fonts, render

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fresh_lookups():
    fonts.font_file.cache_clear()
    fonts.truetype.cache_clear()
    yield
    fonts.font_file.cache_clear()
    fonts.truetype.cache_clear()


def _fontconfig_with(tmp_path: Path, files: list[str]) -> Path:
    """A fontconfig configuration that knows only these font files."""
    folder = tmp_path / "fonts"
    folder.mkdir()
    for f in files:
        shutil.copy(f, folder)
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
                    f"<fontconfig><dir>{folder}</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>\n")
    return conf


@pytest.mark.parametrize("family", sorted(fonts.PACKAGES))
def test_every_family_the_generator_asks_for_is_found(family, fresh_lookups):
    style = "Bold" if family.startswith("DejaVu") else "Regular"
    face = fonts.font_file(family, style)
    assert Path(face.path).is_file()
    font = fonts.truetype(family, style, 40)
    assert isinstance(font, ImageFont.FreeTypeFont) and font.getbbox("8")[2] > 0
    assert fonts.truetype(family, style, 40) is font      # loaded once


def test_regular_matches_fontconfig_names_book_and_regular(fresh_lookups):
    assert fonts.font_path("DejaVu Sans", "Regular") == fonts.font_path("DejaVu Sans", "Book")
    assert fonts.font_path("DejaVu Sans", "Bold") != fonts.font_path("DejaVu Sans", "Book")
    # A condensed face is asked for by its family, not passed off as the plain one.
    assert fonts.font_path("DejaVu Sans Condensed", "Bold") != fonts.font_path("DejaVu Sans", "Bold")


def test_the_nearest_font_of_another_family_is_refused_with_the_package(tmp_path, monkeypatch, fresh_lookups):
    # A machine with fonts-dejavu-core's bold face and nothing else: fc-match answers with it
    # for anything asked, which must not be taken for the condensed face.
    bold = fonts.font_path("DejaVu Sans", "Bold")
    monkeypatch.setenv("FONTCONFIG_FILE", str(_fontconfig_with(tmp_path, [bold])))
    fonts.font_file.cache_clear()
    assert Path(fonts.font_path("DejaVu Sans", "Bold")).name == Path(bold).name
    with pytest.raises(fonts.FontNotFoundError, match="DejaVu Sans Condensed Bold.*install fonts-dejavu-extra"):
        fonts.font_file("DejaVu Sans Condensed", "Bold")
    with pytest.raises(fonts.FontNotFoundError, match="install fonts-dejavu-core"):
        fonts.font_file("DejaVu Sans Mono", "Book")
    with pytest.raises(fonts.FontNotFoundError, match="install fonts-dejavu-core"):
        fonts.font_file("DejaVu Sans", "Book")      # the family is there, the style is not


def test_no_font_at_all_names_the_package(tmp_path, monkeypatch, fresh_lookups):
    monkeypatch.setenv("FONTCONFIG_FILE", str(_fontconfig_with(tmp_path, [])))
    with pytest.raises(fonts.FontNotFoundError, match="no font at all.*install fonts-noto-cjk"):
        fonts.truetype("Noto Sans Mono CJK SC", "Regular", 20)


def test_no_fontconfig_says_to_install_it(monkeypatch, fresh_lookups):
    def no_fc_match(*args, **kwargs):
        raise FileNotFoundError("fc-match")

    monkeypatch.setattr(fonts.subprocess, "run", no_fc_match)
    with pytest.raises(fonts.FontNotFoundError, match="install fontconfig"):
        fonts.font_file("DejaVu Sans", "Bold")


def test_chinese_faces_come_from_the_same_lookup(monkeypatch):
    calls = []
    real = fonts.fontconfig

    def spy(*args):
        calls.append(args[0])
        return real(*args)

    monkeypatch.setattr(render, "fontconfig", spy)
    render.chinese_faces.cache_clear()
    try:
        assert render.chinese_faces()
    finally:
        render.chinese_faces.cache_clear()
    assert calls == ["fc-list"]
    assert render.FontNotFoundError is fonts.FontNotFoundError


@pytest.mark.skipif(shutil.which("dpkg") is None, reason="not a Debian machine")
@pytest.mark.parametrize("family", sorted(fonts.PACKAGES))
def test_the_makefile_installs_the_package_of_every_family(family, fresh_lookups):
    line = next(l for l in (ROOT / "Makefile").read_text().splitlines() if l.startswith("APT_PACKAGES :="))
    installed = set(line.split(":=", 1)[1].split())
    package = fonts.PACKAGES[family]
    assert package in installed
    for style in (("Bold", "Book") if family.startswith("DejaVu") else ("Regular",)):
        path = fonts.font_path(family, style)
        owner = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True).stdout
        assert re.match(rf"{re.escape(package)}(:\S+)?: ", owner), (path, owner)


def _characters_the_generator_prints() -> list[str]:
    """Every character outside ASCII in the generator's sources: its word lists, labels and
    templates, so also every character any of its documents can print."""
    chars = set()
    for source in (ROOT / "bench" / "synth").rglob("*.py"):
        chars |= {c for c in source.read_text(encoding="utf-8") if not c.isascii() and not c.isspace()}
    return sorted(chars | {chr(c) for c in range(0x21, 0x7f)})


def _missing_glyphs(font: ImageFont.FreeTypeFont, chars: list[str]) -> list[str]:
    notdef = bytes(font.getmask("\U000F0000"))  # a code point no CJK font has
    assert bytes(font.getmask("\U000F0001")) == notdef, "missing-glyph detection is broken"
    return [c for c in chars if font.getmask(c).getbbox() is None or bytes(font.getmask(c)) == notdef]


def test_there_are_four_cjk_families_or_more():
    assert len({fonts.PACKAGES[face.sans] for face in fonts.TYPEFACES}) >= 4


@pytest.mark.parametrize("face", fonts.TYPEFACES, ids=lambda face: face.name)
def test_every_typeface_draws_every_character_the_documents_print(face):
    chars = _characters_the_generator_prints()
    assert len(chars) > 500   # the sources were read
    with fonts.typeface(face):
        for family in render.FAMILIES:
            for bold in (False, True):
                font = render.load_font(family, 32, bold)
                assert not _missing_glyphs(font, chars), (face.name, family, bold)


@pytest.mark.parametrize("face", fonts.TYPEFACES, ids=lambda face: face.name)
def test_inside_a_typeface_block_the_text_is_drawn_in_it(face):
    default = render.font_face("sans")
    with fonts.typeface(face):
        assert fonts.current_typeface() is face
        assert render.font_face("sans").name == face.sans
        assert render.font_face("serif").name == face.serif
        assert render.font_face("serif", bold=True).name == face.serif
        font = render.load_font("sans", 30)
        assert (font.path, font.index) == (render.font_path("sans"), render.font_face("sans").index)
    assert fonts.current_typeface() is None
    assert render.font_face("sans") == default


def test_outside_any_block_the_faces_are_the_generators_default():
    assert render.font_face("sans").name == "Noto Sans CJK SC"
    assert render.font_face("serif").name == "Noto Serif CJK SC"
    assert render.font_face("sans", bold=True).bold


def test_a_typeface_block_is_left_when_the_document_fails():
    with pytest.raises(ZeroDivisionError):
        with fonts.typeface(fonts.TYPEFACES[3]):
            with fonts.typeface(fonts.TYPEFACES[1]):
                assert fonts.current_typeface() is fonts.TYPEFACES[1]
            assert fonts.current_typeface() is fonts.TYPEFACES[3]
            1 / 0
    assert fonts.current_typeface() is None


def test_a_document_is_drawn_again_the_same_in_its_typeface_and_differently_in_another():
    from bench.synth.documents import id_card
    before = id_card(3, "face").image
    with fonts.typeface(fonts.TYPEFACES[1]):
        zenhei = id_card(3, "face").image
        assert np.array_equal(id_card(3, "face").image, zenhei)
    assert np.array_equal(id_card(3, "face").image, before)
    assert zenhei.shape != before.shape or not np.array_equal(zenhei, before)


def test_seeds_take_the_typefaces_in_turn():
    run = [fonts.typeface_of_seed(seed) for seed in range(1000, 1000 + len(fonts.TYPEFACES))]
    assert sorted(run, key=fonts.TYPEFACES.index) == list(fonts.TYPEFACES)
    assert fonts.typeface_named("ar-pl-ukai").name == "AR PL UKai"
    with pytest.raises(ValueError, match="no typeface"):
        fonts.typeface_named("Comic Sans")


def test_a_missing_typeface_names_its_package(monkeypatch):
    noto_only = tuple(face for face in render.chinese_faces() if face.name.startswith("Noto"))
    monkeypatch.setattr(render, "chinese_faces", lambda: noto_only)
    with fonts.typeface(fonts.typeface_named("AR PL UMing")):
        with pytest.raises(fonts.FontNotFoundError, match="AR PL UMing CN.*install fonts-arphic-uming"):
            render.load_font("serif", 20)
