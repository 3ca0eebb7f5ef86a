"""`recognize` on files of several pages: each page answered in its place, failures in theirs, the bound first."""
from __future__ import annotations

import io

import pytest
from PIL import Image

import ocr_core
from ocr_core.steps import decode
from ocr_core.errors import ImageTooLarge, WrongCategory
from ocr_core.services import SERVICES, Service
from ocr_core.settings import RecognitionSettings
from ocr_core.steps.answer import Findings

COLORS = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]  # RGB; page 2 (green) is "not a document"


class TimeUp(Exception):
    """Stands for Celery's SoftTimeLimitExceeded (an ordinary Exception)."""


def pages(fmt: str, count: int = 3) -> bytes:
    out = io.BytesIO()
    frames = [Image.new("RGB", (30 + 10 * i, 20), COLORS[i % 3]) for i in range(count)]
    frames[0].save(out, fmt, save_all=True, append_images=frames[1:], **({"resolution": 200} if fmt == "PDF" else {}))
    return out.getvalue()


def read_colour(picture, configure, pipeline):
    """A stand-in service: the page's width and main colour; green pages are the wrong category."""
    b, g, r = (255 if v > 200 else 0 for v in picture.reshape(-1, 3).mean(axis=0))  # (a PDF's pages are JPEG)
    if g > 200:
        raise WrongCategory()
    if configure.get("raise") and r > 200:
        raise ValueError("a bug in the service")
    if configure.get("time_up") and b > 200:
        raise RuntimeError("decode failed") from TimeUp()
    return Findings({"width": picture.shape[1], "rgb": [r, g, b]})


@pytest.fixture()
def fake_service(monkeypatch):
    options = {"raise": bool, "time_up": bool}
    monkeypatch.setitem(SERVICES, "fake_pages", Service("fake_pages", read_colour, options, engine="tesseract"))
    seen = []

    def whole(picture, configure, pipeline):
        seen.append([p.shape for p in picture])
        return Findings({"pages_read": len(picture)})

    monkeypatch.setitem(SERVICES, "fake_multipage", Service("fake_multipage", whole, multipage=True, engine="tesseract"))
    return seen


@pytest.mark.parametrize("fmt", ["PDF", "TIFF"])
def test_each_page_answered_in_its_place(fake_service, fmt):
    answer = ocr_core.recognize("fake_pages", pages(fmt))
    assert answer == {"pages": [
        {"width": 30, "rgb": [255, 0, 0]},
        {"success": False, "error_code": 463, "error_msg": "Invalid Input - wrong category"},
        {"width": 50, "rgb": [0, 0, 255]},
    ]}


@pytest.mark.parametrize("fmt", ["PDF", "TIFF", "PNG"])
def test_a_file_of_one_page_answers_as_the_service_does(fake_service, fmt):
    assert ocr_core.recognize("fake_pages", pages(fmt, 1)) == {"width": 30, "rgb": [255, 0, 0], "success": True}
    with pytest.raises(WrongCategory):
        out = io.BytesIO()
        Image.new("RGB", (8, 8), (0, 255, 0)).save(out, fmt)
        ocr_core.recognize("fake_pages", out.getvalue())


def test_an_unexpected_failure_is_464_for_that_page_only(fake_service):
    answer = ocr_core.recognize("fake_pages", pages("PDF"), {"raise": True})
    assert [p.get("error_code") for p in answer["pages"]] == [464, 463, None]
    assert answer["pages"][0]["error_msg"] == "Invalid Result - algorithm runtime exception"


def test_time_up_ends_the_document_keeping_the_pages_read(fake_service):
    data = pages("TIFF", 5)  # red, green, blue (time is up here), red, green
    answer = ocr_core.recognize("fake_pages", data, {"time_up": True}, time_up=(TimeUp,))
    timeout = {"success": False, "error_code": 464, "error_msg": "Invalid Result - algorithm time limit exceeded"}
    assert answer["pages"][:2] == [{"width": 30, "rgb": [255, 0, 0]},
                                   {"success": False, "error_code": 463, "error_msg": "Invalid Input - wrong category"}]
    assert answer["pages"][2:] == [timeout] * 3
    # Without `time_up` the same exception is only that page's failure.
    assert ocr_core.recognize("fake_pages", data, {"time_up": True})["pages"][3] == {"width": 60, "rgb": [255, 0, 0]}


def test_a_page_that_cannot_be_decoded_is_462_in_its_place(fake_service, monkeypatch):
    # Page 2 over the pixel bound (Pillow checks only the first page of a TIFF when it opens it).
    out = io.BytesIO()
    Image.new("RGB", (10, 10), COLORS[0]).save(out, "TIFF", save_all=True,
                                               append_images=[Image.new("RGB", (100, 100)), Image.new("RGB", (10, 10))])
    monkeypatch.setattr(decode, "get_settings", lambda: RecognitionSettings(max_pixels=5000))
    answer = ocr_core.recognize("fake_pages", out.getvalue())
    assert answer["pages"][1] == {"success": False, "error_code": 462,
                                  "error_msg": "Invalid Input - image data error - image too large: 100x100"}
    assert answer["pages"][0]["rgb"] == [255, 0, 0] and answer["pages"][2]["rgb"] == [0, 0, 0]


def test_the_page_bound_before_any_page(fake_service, monkeypatch):
    monkeypatch.setattr(decode, "get_settings", lambda: RecognitionSettings(max_pages=2))
    decoded = []
    monkeypatch.setattr(decode.Document, "picture", lambda self, i: decoded.append(i))
    with pytest.raises(ImageTooLarge, match="OCR_MAX_PAGES"):
        ocr_core.recognize("fake_pages", pages("PDF", 3))
    assert decoded == []


def test_a_multipage_service_is_given_every_page(fake_service):
    assert ocr_core.recognize("fake_multipage", pages("PDF")) == {"pages_read": 3, "success": True}
    assert fake_service == [[(20, 30, 3), (20, 40, 3), (20, 50, 3)]]
    assert ocr_core.recognize("fake_multipage", pages("PNG", 1)) == {"pages_read": 1, "success": True}


def test_no_real_service_reads_pages_itself():
    # Every service reads one page; a document of several is answered page by page (README, Images).
    assert [name for name, s in SERVICES.items() if s.multipage] == []


def two_page_pdf(*samples) -> bytes:
    """A PDF of pages of text, as a scanner writes one (a picture per page, 200 dpi)."""
    pictures = [Image.open(io.BytesIO(sample.encode("png"))).convert("RGB") for sample in samples]
    out = io.BytesIO()
    pictures[0].save(out, "PDF", save_all=True, append_images=pictures[1:], resolution=200)
    return out.getvalue()


def test_a_real_service_on_a_two_page_pdf(page_sample):
    from bench.synth import text_page
    samples = (page_sample, text_page(8, n_lines=3))
    answer = ocr_core.recognize("ocr_general", two_page_pdf(*samples))
    assert list(answer) == ["pages"] and len(answer["pages"]) == 2
    for page, sample in zip(answer["pages"], samples):
        assert "success" not in page and "request_id" not in page
        text = "\n".join(line["word"] for line in page["ret"])
        assert sample.lines[0].text[:4] in text and sample.lines[-1].text[-4:] in text
