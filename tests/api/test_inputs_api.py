"""What users send, through the API and a real worker: PDFs and multi-page TIFFs page by page within the page
bound, WebP and HEIC, and multipart/form-data uploads."""
from __future__ import annotations

import io
import json
from dataclasses import replace

import pytest
from PIL import Image

from api.app import create_app
from bench.synth import text_page
from tests.ocr_core.test_images import pixel_tiff
from tests.servers import b64, poll

pytestmark = pytest.mark.usefixtures("worker")


def auth(code: str) -> dict:
    return {"Authorization": f"APPCODE {code}"}


def words(answer: dict) -> str:
    return "\n".join(line["word"] for line in answer["ret"])


@pytest.fixture(scope="module")
def samples():
    """Two pages of text."""
    return [text_page(seed, n_lines=2) for seed in (21, 22)]


def picture(sample) -> Image.Image:
    return Image.open(io.BytesIO(sample.encode("png"))).convert("RGB")


def document(fmt: str, *pages: Image.Image) -> bytes:
    out = io.BytesIO()
    extra = {"resolution": 200} if fmt == "PDF" else {"compression": "tiff_deflate"}
    pages[0].save(out, fmt, save_all=True, append_images=list(pages[1:]), **extra)
    return out.getvalue()


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def upload(client, path: str, code: str, data: bytes, filename: str = "scan.png", **fields):
    """`curl -F image=@scan.png -F configure=...`: the file's raw bytes as the part `image`."""
    return client.post(path, headers=auth(code), content_type="multipart/form-data",
                       data={"image": (io.BytesIO(data), filename), **fields})


def assert_refused(r, code: int, *message_parts: str) -> None:
    assert r.status_code == code, r.json
    assert r.json["success"] is False and r.json["error_code"] == code
    assert r.json["request_id"] == r.headers["X-Ca-Request-Id"]
    for part in message_parts:
        assert part in r.json["error_msg"]


# -- pages ---------------------------------------------------------------------------

def test_pdf_of_two_pages_answers_each_page(client, appcode, samples):
    r = client.post("/api/predict/ocr_general", headers=auth(appcode),
                    data=json.dumps({"image": b64(document("PDF", *map(picture, samples)))}))
    assert r.status_code == 200, r.json
    answer = r.json
    assert set(answer) == {"pages", "request_id", "success"} and answer["success"] is True
    assert answer["request_id"] == r.headers["X-Ca-Request-Id"]
    assert len(answer["pages"]) == 2
    for page, sample in zip(answer["pages"], samples):
        assert set(page) == {"ret"}  # the service's fields; the envelope is the document's
        assert sample.lines[0].text[:4] in words(page) and sample.lines[-1].text[-4:] in words(page)


def test_tiff_of_three_pages_as_a_job_with_a_page_that_failed(client, appcode, samples):
    # Page 2 is over the worker's pixel bound (only page 1 is checked at submission): 462 in its place.
    huge = Image.new("1", (7000, 7000), 1)
    data = document("TIFF", picture(samples[0]), huge, picture(samples[1]))
    r = client.post("/v1/jobs/ocr_general", headers=auth(appcode), data=json.dumps({"image": b64(data)}))
    assert r.status_code == 202, r.json
    job = poll(client, appcode, r.json["request_id"])
    assert job["status"] == "succeeded" and job["error"] is None
    result = job["result"]
    assert result["success"] is True and result["request_id"] == r.json["request_id"]
    first, failed, third = result["pages"]
    assert samples[0].lines[0].text[:4] in words(first)
    assert failed == {"success": False, "error_code": 462,
                      "error_msg": "Invalid Input - image data error - image too large: 7000x7000"}
    assert samples[1].lines[0].text[:4] in words(third)


def test_a_pdf_of_one_page_answers_as_a_picture_does(client, appcode, samples):
    r = client.post("/api/predict/ocr_general", headers=auth(appcode),
                    data=json.dumps({"image": b64(document("PDF", picture(samples[0])))}))
    assert r.status_code == 200, r.json
    assert set(r.json) == {"ret", "request_id", "success"}
    assert samples[0].lines[0].text[:4] in words(r.json)


def test_old_format_carries_the_pages_in_its_output(client, appcode, samples):
    body = {"inputs": [{"image": {"dataType": 50, "dataValue": b64(document("TIFF", *map(picture, samples)))}}]}
    r = client.post("/api/predict/ocr_general", headers=auth(appcode), data=json.dumps(body))
    assert r.status_code == 200, r.json
    result = json.loads(r.json["outputs"][0]["outputValue"]["dataValue"])
    assert [samples[i].lines[0].text[:4] in words(page) for i, page in enumerate(result["pages"])] == [True, True]


@pytest.mark.parametrize("fmt", ["TIFF", "PDF"])
def test_over_the_page_bound_refused_at_submission(settings, appcode, fmt):
    client = create_app(replace(settings, max_pages=3)).test_client()
    blank = Image.new("L", (64, 64), 255)
    r = client.post("/v1/jobs/ocr_general", headers=auth(appcode), data=json.dumps({"image": b64(document(fmt, *[blank] * 4))}))
    assert_refused(r, 462, "image too large", "3 pages", "OCR_MAX_PAGES")
    assert client.get(f"/v1/jobs/{r.json['request_id']}", headers=auth(appcode)).status_code == 404
    r = client.post("/v1/jobs/ocr_general", headers=auth(appcode), data=json.dumps({"image": b64(document(fmt, *[blank] * 3))}))
    assert r.status_code == 202, r.json


def test_tiff_of_60000_pages_refused_at_submission(client, appcode):
    data = pixel_tiff(60_000)  # 6 MB of one-pixel pages
    r = upload(client, "/v1/jobs/ocr_general", appcode, data, "pages.tif")
    assert_refused(r, 462, "more than 50 pages", "OCR_MAX_PAGES")
    r = client.post("/api/predict/ocr_general", headers=auth(appcode), data=json.dumps({"image": b64(data)}))
    assert_refused(r, 462, "more than 50 pages")


# -- WebP, HEIC ----------------------------------------------------------------------

@pytest.mark.parametrize("fmt, options", [("WEBP", {"lossless": True}), ("HEIF", {"quality": 95})],
                         ids=["webp", "heic"])
def test_webp_and_heic_are_read(client, appcode, samples, fmt, options):
    data = encode(picture(samples[0]), fmt, **options)
    r = client.post("/api/predict/ocr_general", headers=auth(appcode), data=json.dumps({"image": b64(data)}))
    assert r.status_code == 200, r.json
    assert samples[0].lines[0].text[:4] in words(r.json)


def test_heic_over_the_pixel_bound_refused_from_its_header(settings, appcode):
    client = create_app(replace(settings, max_pixels=10_000)).test_client()
    data = encode(Image.new("RGB", (200, 100), "white"), "HEIF")
    r = client.post("/api/predict/ocr_general", headers=auth(appcode), data=json.dumps({"image": b64(data)}))
    assert_refused(r, 462, "image too large: 200x100")


# -- multipart/form-data -------------------------------------------------------------

def test_multipart_upload_without_configure(client, appcode, samples):
    r = upload(client, "/v1/jobs/ocr_general", appcode, samples[0].encode("png"))
    assert r.status_code == 202, r.json
    job = poll(client, appcode, r.json["request_id"])
    assert job["status"] == "succeeded" and samples[0].lines[0].text[:4] in words(job["result"])
    assert "prob" not in job["result"]["ret"][0]


def test_multipart_upload_with_configure_and_queue(client, appcode, samples):
    r = upload(client, "/v1/jobs/ocr_general", appcode, samples[0].encode("jpg"), "scan.jpg",
               configure='{"output_prob": true}', queue="bulk")
    assert r.status_code == 202, r.json
    job = poll(client, appcode, r.json["request_id"])
    assert job["status"] == "succeeded" and "prob" in job["result"]["ret"][0]


def test_multipart_upload_on_the_synchronous_call_and_of_a_pdf(client, appcode, samples):
    r = upload(client, "/api/predict/ocr_general", appcode, document("PDF", *map(picture, samples)), "scan.pdf",
               configure='{"output_prob": true}')
    assert r.status_code == 200, r.json
    assert len(r.json["pages"]) == 2 and "prob" in r.json["pages"][1]["ret"][0]


def test_multipart_refusals_are_the_contracts(client, appcode):
    assert_refused(upload(client, "/v1/jobs/ocr_general", appcode, b"this is not a picture", "scan.jpg"), 462,
                   "image decode failed")
    assert_refused(upload(client, "/v1/jobs/ocr_general", appcode, b"", "scan.jpg"), 462, "input image empty")
    assert_refused(upload(client, "/v1/jobs/ocr_general", appcode, encode(Image.new("L", (8, 8)), "PNG"),
                          configure="{oops"), 461, "failed to parse config str: {oops")
    assert_refused(upload(client, "/v1/jobs/ocr_general", appcode, encode(Image.new("L", (8, 8)), "PNG"),
                          queue="nowhere"), 461, "queue must be")
    r = client.post("/v1/jobs/ocr_general", headers=auth(appcode), content_type="multipart/form-data",
                    data={"configure": "{}"})
    assert_refused(r, 461, "missing key: image")


def test_multipart_body_over_the_size_bound_is_413(settings, appcode):
    client = create_app(replace(settings, max_body_bytes=2000)).test_client()
    r = upload(client, "/v1/jobs/ocr_general", appcode, bytes(4000), "scan.png")
    assert_refused(r, 413)


def test_json_body_with_a_multipart_content_type_is_still_json(client, appcode):
    body = json.dumps({"image": b64(encode(Image.new("RGB", (40, 20), "white"), "PNG"))})
    r = client.post("/api/predict/ocr_general", data=body,
                    headers={**auth(appcode), "Content-Type": "multipart/form-data; boundary=xyz"})
    assert r.status_code == 200, r.json
    assert r.json["ret"] == []
