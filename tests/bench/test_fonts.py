"""The generator's fonts are found by fontconfig, and installed by the Makefile."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

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
    style = "Regular" if "CJK" in family else "Bold"
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
    for style in (("Regular",) if "CJK" in family else ("Bold", "Book")):
        path = fonts.font_path(family, style)
        owner = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True).stdout
        assert re.match(rf"{re.escape(package)}(:\S+)?: ", owner), (path, owner)
