"""The OpenAPI document: valid, complete (every route, every error code, every service's answer and options),
true to what the code answers, and readable offline at /docs."""
from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from PIL import Image

from api.app import create_app
from api.openapi import ANSWERS, HTTP_ERRORS, error_classes
from ocr_core import SERVICES, check_configure
from ocr_core.errors import InvalidOption
from bench.synth import text_page
from tests.servers import b64, make_settings, wait_for

REQUEST_ID = "20261124215652_" + "0" * 32
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def doc_app():
    return create_app(make_settings("redis://127.0.0.1:1/0"))   # never called: nothing connects


@pytest.fixture(scope="module")
def doc(doc_app) -> dict:
    r = doc_app.test_client().get("/openapi.json")
    assert r.status_code == 200
    return r.json


def schema_validator(doc: dict, name: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": doc["components"]})


def test_the_document_is_valid_openapi_3_1(doc):
    assert doc["openapi"] == "3.1.0"
    validate(doc)


def test_every_route_of_the_app_is_described(doc_app, doc):
    described = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    for rule in doc_app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in described, (rule.rule, method)
    ids = [op["operationId"] for ops in doc["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))


def _raised_anywhere(cls) -> bool:
    """Whether any module but the table itself makes this error."""
    return any(re.search(rf"\b{cls.__name__}\(", path.read_text()) for package in ("api", "workers", "ocr_core")
               for path in (ROOT / package).rglob("*.py") if path.name != "errors.py")


def test_every_error_code_the_code_can_raise_is_described_from_its_classes(doc):
    responses = doc["components"]["responses"]
    used = {ref["$ref"].rsplit("/", 1)[1] for ops in doc["paths"].values() for op in ops.values()
            for ref in op["responses"].values() if "$ref" in ref}
    for code, classes in error_classes().items():
        response = responses[f"Error{code}"]
        for cls in classes:
            # The description is the classes' own messages: one table, the error classes of each layer.
            assert cls.message.split("{detail}")[0] in response["description"], (code, cls)
        if any(map(_raised_anywhere, classes)):
            assert f"Error{code}" in used, code   # an operation answers it
    assert set(HTTP_ERRORS) <= {int(name[5:]) for name in responses}   # Werkzeug's 405, on any path
    assert {400, 403, 404, 413, 429, 450, 452, 453, 454, 455, 460, 461, 462, 463, 464, 469, 503} <= set(
        error_classes())
    throttled = responses["Error429"]["headers"]
    assert {"Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(throttled)
    assert all(throttled[h].get("required") for h in ("Retry-After", "RateLimit-Limit"))


def test_headers_are_described(doc):
    headers = doc["components"]["headers"]
    assert {"Location", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset",
            "X-Ca-Request-Id", "X-Ca-Error-Message"} <= set(headers)
    accepted = doc["paths"]["/v1/jobs/{service}"]["post"]["responses"]["202"]
    assert {"Location", "RateLimit-Limit", "X-Ca-Request-Id"} <= set(accepted["headers"])
    for ops in doc["paths"].values():
        for op in ops.values():
            for status, response in op["responses"].items():
                if "$ref" not in response:
                    assert "X-Ca-Request-Id" in response["headers"], (op["operationId"], status)


def test_each_service_has_its_answer_and_its_configure_options_from_the_code(doc):
    schemas = doc["components"]["schemas"]
    assert set(ANSWERS) == set(SERVICES)
    for name, service in SERVICES.items():
        configure = schemas[f"Configure_{name}"]
        assert set(configure["properties"]) == set(service.all_options()), name
        assert configure["additionalProperties"] is False
        for option, spec in service.all_options().items():
            prop = configure["properties"][option]
            if isinstance(spec, tuple):
                assert prop["enum"] == list(spec)
            good = {bool: True, int: 16, float: 1.5, str: "x", list: [], dict: {}}.get(spec)
            if not isinstance(spec, tuple):
                check_configure(name, {option: good}, internal=True)       # what the document allows passes
                with pytest.raises(InvalidOption):
                    check_configure(name, {option: None if spec is not str else 7})
    for answer in ("OcrIdcardFace", "OcrVehicleLicenseBack", "OcrBusinessLicense", "OcrTaxiInvoice"):
        assert schemas[answer]["additionalProperties"] is False
    assert {"appproved_passenger_capacity", "captial", "recipts"} <= {
        key for name in ("OcrVehicleLicenseBack", "OcrBusinessLicense", "OcrTaxiInvoice")
        for key in schemas[name]["properties"]}


def test_the_bodies_include_the_upload_and_the_multi_page_answer(doc):
    body = doc["paths"]["/v1/jobs/{service}"]["post"]["requestBody"]["content"]
    upload = doc["components"]["schemas"]["Upload"]
    assert "multipart/form-data" in body and "application/json" in body
    assert upload["required"] == ["image"] and {"configure", "callback_url", "queue"} <= set(upload["properties"])
    pages = schema_validator(doc, "RecognitionAnswer")
    page = {"ret": [{"rect": {"angle": 0, "left": 1, "top": 2, "width": 3, "height": 4}, "word": "字"}]}
    error = {"success": False, "error_code": 462, "error_msg": "Invalid Input - image data error"}
    assert pages.is_valid({"pages": [page, error], "request_id": REQUEST_ID, "success": True})
    assert not pages.is_valid({"pages": [{"ret": "not lines"}], "request_id": REQUEST_ID, "success": True})
    assert not schema_validator(doc, "ServiceAnswer").is_valid(page)   # a whole answer has the envelope


def test_a_job_and_an_error_as_the_api_answers_them_fit_the_document(doc):
    job = {"request_id": REQUEST_ID, "service": "ocr_bank_card", "status": "succeeded",
           "result": {"card_num": "6222020200112233445", "request_id": REQUEST_ID, "success": True},
           "error": None, "created_at": "2026-11-24T22:01:02.113+00:00", "finished_at": "2026-11-24T22:01:02.481+00:00"}
    assert schema_validator(doc, "Job").is_valid(job)
    assert not schema_validator(doc, "Job").is_valid({**job, "result": {"card_num": "1", "success": True}})
    assert schema_validator(doc, "Error").is_valid({"success": False, "request_id": REQUEST_ID, "error_code": 461,
                                                   "error_msg": "Invalid Input - json format error"})


@pytest.mark.slow
def test_every_service_answers_as_the_document_says(doc):
    """One generated picture per service (and side), recognised in-process, with evidence."""
    from bench.accuracy import BENCHMARKS
    from bench.synth import Distortion
    from ocr_core import recognize
    answers = schema_validator(doc, "ServiceAnswer")
    seen = set()
    for name, bench in BENCHMARKS.items():
        key = (bench.service, bench.configure.get("side"))
        if key in seen:
            continue
        seen.add(key)
        answer = recognize(bench.service, bench.make(1, Distortion()).encode("png"),
                           {**bench.configure, "evidence": True})
        answer = {**answer, "request_id": REQUEST_ID}
        assert not list(answers.iter_errors(answer)), (name, [e.message[:300] for e in answers.iter_errors(answer)])
    assert {service for service, _ in seen} == set(SERVICES) - {"ocr_sdt"}


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


def test_docs_page_is_served_with_its_assets_from_this_server_without_an_appcode(doc_app):
    client = doc_app.test_client()
    page = client.get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    parser = _Assets()
    parser.feed(html)
    assert any(u.endswith("swagger-ui-bundle.js") for u in parser.urls)
    assert any(u.endswith("swagger-ui.css") for u in parser.urls)
    for url in parser.urls:
        assert "//" not in url and not url.startswith("/"), url   # relative: this server, under any prefix
        asset = client.get("/" + url)
        assert asset.status_code == 200 and len(asset.data) > 100, url
        if url.endswith(".css"):
            text = asset.get_data(as_text=True)
            assert not re.search(r"url\(\s*['\"]?(https?:)?//", text) and "@import" not in text, url
    assert "validatorUrl: null" in html     # else Swagger UI sends the document to validator.swagger.io
    assert 'url: "openapi.json"' in html
    assert client.get("/docs/../api/app.py").status_code == 400   # nothing outside the folder


# -- real answers of a real worker, against the document ----------------------------------

def answers_as_documented(doc: dict, path: str, method: str, response) -> None:
    """The answer fits what the document says of this operation and status: its JSON and required headers."""
    described = doc["paths"][path][method.lower()]["responses"][str(response.status_code)]
    if "$ref" in described:
        described = doc["components"]["responses"][described["$ref"].rsplit("/", 1)[1]]
    for name, header in described.get("headers", {}).items():
        header = doc["components"]["headers"][name] if "$ref" in header else header
        if header.get("required"):
            assert name in response.headers, (path, response.status_code, name)
    schema = described["content"]["application/json"]["schema"]
    errors = list(Draft202012Validator({**schema, "components": doc["components"]}).iter_errors(response.json))
    assert not errors, (path, response.status_code, [e.message[:300] for e in errors])


def tiff(*pages) -> bytes:
    out = io.BytesIO()
    pages[0].save(out, "TIFF", save_all=True, append_images=list(pages[1:]))
    return out.getvalue()


@pytest.mark.usefixtures("worker")
def test_real_answers_fit_the_document(client, appcode, doc):
    auth = {"Authorization": f"APPCODE {appcode}"}
    page = text_page(31, n_lines=2)
    two_pages = tiff(Image.fromarray(page.image), Image.new("RGB", (8, 8), "white"))
    r = client.post("/api/predict/ocr_general", headers=auth, json={"image": b64(two_pages)})
    assert r.status_code == 200 and len(r.json["pages"]) == 2, r.json
    answers_as_documented(doc, "/api/predict/{service}", "POST", r)
    r = client.post("/api/predict/ocr_general", headers=auth, json={"image": b64(page.encode("png")),
                                                                     "configure": {"evidence": True}})
    answers_as_documented(doc, "/api/predict/{service}", "POST", r)
    r = client.post("/rest/160601/ocr/ocr_general.json", headers=auth, json={"inputs": [
        {"image": {"dataType": 50, "dataValue": b64(page.encode("png"))}}]})
    answers_as_documented(doc, "/rest/160601/ocr/{service}.json", "POST", r)

    r = client.post("/v1/jobs/ocr_idcard", headers=auth, json={"image": b64(page.encode("png"))})
    assert r.status_code == 202
    answers_as_documented(doc, "/v1/jobs/{service}", "POST", r)
    request_id = r.json["request_id"]
    ended = wait_for(lambda: (j := client.get(f"/v1/jobs/{request_id}", headers=auth)).json["finished_at"] and j,
                     timeout=120, interval=0.2)
    assert ended.json["error"]["code"] == 463
    answers_as_documented(doc, "/v1/jobs/{request_id}", "GET", ended)
    answers_as_documented(doc, "/v1/jobs", "GET", client.get("/v1/jobs", headers=auth))
    answers_as_documented(doc, "/v1/status", "GET", client.get("/v1/status", headers=auth))
    answers_as_documented(doc, "/readyz", "GET", client.get("/readyz"))
    answers_as_documented(doc, "/healthz", "GET", client.get("/healthz"))

    made = client.post("/v1/templates", headers=auth, json={
        "name": "t", "image": b64(page.encode("png")), "anchors": [{"text": "入库单", "box": [10, 10, 60, 20]}],
        "fields": [{"name": "编号", "box": [10, 40, 80, 20]}]})
    answers_as_documented(doc, "/v1/templates", "POST", made)
    template = f"/v1/templates/{made.json['template_id']}"
    answers_as_documented(doc, "/v1/templates", "GET", client.get("/v1/templates", headers=auth))
    answers_as_documented(doc, "/v1/templates/{template_id}", "GET", client.get(template, headers=auth))
    answers_as_documented(doc, "/v1/templates/{template_id}/publish", "POST",
                          client.post(template + "/publish", headers=auth))
    answers_as_documented(doc, "/v1/templates/{template_id}", "DELETE", client.delete(template, headers=auth))

    for path, method, call in [
            ("/v1/jobs/{service}", "POST", lambda: client.post("/v1/jobs/ocr_general", headers=auth, data=b"{")),
            ("/v1/jobs/{service}", "POST", lambda: client.post("/v1/jobs/ocr_general", json={"image": "x"})),
            ("/v1/jobs/{request_id}", "GET", lambda: client.get("/v1/jobs/nope", headers=auth)),
            ("/v1/templates/{template_id}", "GET", lambda: client.get(template, headers=auth))]:
        r = call()
        assert r.status_code >= 400
        answers_as_documented(doc, path, method, r)
