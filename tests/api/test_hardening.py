"""Issue 17's findings, one test each: idempotency bound to the call, inputs per call, Content-MD5 required,
the timestamp's forms, lone surrogates, deep JSON, a picture too small to hold text, the console's headers."""
from __future__ import annotations

import base64
import hashlib
import io
import json
import subprocess
import sys
from dataclasses import replace

import pytest
import redis
from PIL import Image

from api.app import create_app
from api.apps import AppStore
from tests.api.test_signature import get_job, signed_headers
from tests.servers import ROOT, b64, wait_for


def auth(code: str, **more) -> dict:
    return {"Authorization": f"APPCODE {code}", **more}


def png(width: int = 40, height: int = 20, shade: int = 255) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (shade, shade, shade)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture()
def roomy(settings):
    """A client whose bucket does not empty: these tests are about answers, not throttling."""
    return create_app(replace(settings, rate_burst=1000, rate_limit=1000.0)).test_client()


def finished(client, code: str, request_id: str) -> dict:
    job = {}

    def done():
        nonlocal job
        job = client.get(f"/v1/jobs/{request_id}", headers=auth(code)).json
        return job["status"] in ("succeeded", "failed")
    assert wait_for(done, 60), job
    return job


# -- Idempotency-Key ----------------------------------------------------------------------

def post(client, path: str, body, code: str, key: str, **headers):
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(path, data=data, headers=auth(code, **{"Idempotency-Key": key}, **headers))


@pytest.mark.parametrize("second_path, second_body", [
    ("/v1/jobs/ocr_general", {"image": b64(png(40, 20, 200))}),                        # another picture
    ("/v1/jobs/ocr_general", {"image": b64(png()), "configure": {"evidence": True}}),  # another configure
    ("/v1/jobs/ocr_bank_card", {"image": b64(png())}),                                 # another service
    ("/api/predict/ocr_general", {"image": b64(png())}),                               # another endpoint
    ("/v1/jobs/ocr_general?queue=bulk", {"image": b64(png())}),                        # another query
], ids=["body", "configure", "service", "path", "query"])
def test_a_key_reused_with_another_call_is_refused_422(roomy, appcode, worker, second_path, second_body):
    first = post(roomy, "/v1/jobs/ocr_general", {"image": b64(png())}, appcode, "k-1")
    assert first.status_code == 202, first.json
    again = post(roomy, second_path, second_body, appcode, "k-1")
    assert again.status_code == 422, again.json
    assert again.json["error_code"] == 422 and again.json["success"] is False
    assert "same path and body" in again.json["error_msg"]
    assert again.headers["X-Ca-Error-Message"] == "Idempotency Key In Use"
    # The first call's job is untouched, and the key still answers it.
    same = post(roomy, "/v1/jobs/ocr_general", {"image": b64(png())}, appcode, "k-1")
    assert same.json["request_id"] == first.json["request_id"]


def test_a_replay_after_the_job_ended_answers_its_current_state(roomy, appcode, worker):
    body = {"image": b64(png())}
    first = post(roomy, "/v1/jobs/ocr_general", body, appcode, "done-1")
    assert first.status_code == 202 and first.json["status"] == "queued"
    job = finished(roomy, appcode, first.json["request_id"])
    replay = post(roomy, "/v1/jobs/ocr_general", body, appcode, "done-1")
    assert replay.status_code == 200, replay.json
    assert replay.json["request_id"] == first.json["request_id"]
    assert replay.json["status"] == job["status"] == "succeeded" and replay.json["result"] == job["result"]
    assert AppStore(redis.Redis.from_url(roomy.application.config["SETTINGS"].broker_url)) \
        .authenticate(f"APPCODE {appcode}").used == 1
    # The synchronous call replayed is answered the job's result, made once.
    sync = post(roomy, "/api/predict/ocr_general", body, appcode, "sync-1")
    assert post(roomy, "/api/predict/ocr_general", body, appcode, "sync-1").json == sync.json


def test_a_key_whose_jobs_were_never_stored_is_taken_over_by_the_retry(roomy, appcode, worker):
    """Redis gone between binding the key and storing the job (the call answered 503): the key is left bound
    to a job that does not exist, and the client's retry with it must make the job, not answer that id."""
    body = {"image": b64(png())}
    first = post(roomy, "/v1/jobs/ocr_general", body, appcode, "lost-1")
    assert first.status_code == 202
    store = redis.Redis.from_url(roomy.application.config["SETTINGS"].broker_url)
    store.delete(f"ocr:job:{first.json['request_id']}")       # as if it had never been stored
    retry = post(roomy, "/v1/jobs/ocr_general", body, appcode, "lost-1")
    assert retry.status_code == 202, retry.json
    assert retry.json["request_id"] != first.json["request_id"]
    assert finished(roomy, appcode, retry.json["request_id"])["status"] == "succeeded"
    # And from then on the key answers that job.
    assert post(roomy, "/v1/jobs/ocr_general", body, appcode, "lost-1").json["request_id"] == retry.json["request_id"]


def test_an_old_format_replay_gets_every_id(roomy, appcode, worker):
    item = {"image": {"dataType": 50, "dataValue": b64(png())}}
    body = {"inputs": [item, item, item]}
    first = post(roomy, "/v1/jobs/ocr_general", body, appcode, "three")
    assert first.status_code == 202 and len(first.json["request_ids"]) == 3
    for request_id in first.json["request_ids"]:
        finished(roomy, appcode, request_id)
    replay = post(roomy, "/v1/jobs/ocr_general", body, appcode, "three")
    assert replay.json["request_ids"] == first.json["request_ids"]
    assert replay.json["status"] == "succeeded" and [j["status"] for j in replay.json["jobs"]] == ["succeeded"] * 3
    # The same key with the first input alone is another body.
    assert post(roomy, "/v1/jobs/ocr_general", {"inputs": [item]}, appcode, "three").status_code == 422


def test_an_upload_replayed_is_the_same_call_whatever_its_boundary(roomy, appcode):
    def upload(boundary_seed: str, data: bytes):
        return roomy.post("/v1/jobs/ocr_general", data={"image": (io.BytesIO(data), f"{boundary_seed}.png")},
                          content_type="multipart/form-data", headers=auth(appcode, **{"Idempotency-Key": "up"}))
    first = upload("a", png())
    assert first.status_code == 202, first.json
    assert upload("b", png()).json["request_id"] == first.json["request_id"]
    assert upload("c", png(41, 20)).status_code == 422


def test_keys_are_per_app(roomy, appcode, settings):
    _, other = AppStore(redis.Redis.from_url(settings.broker_url)).create("other")
    a = post(roomy, "/v1/jobs/ocr_general", {"image": b64(png())}, appcode, "shared")
    b = post(roomy, "/v1/jobs/ocr_bank_card", {"image": b64(png())}, other, "shared")
    assert a.status_code == b.status_code == 202 and a.json["request_id"] != b.json["request_id"]


# -- inputs per call, the bucket --------------------------------------------------------------

def test_an_old_format_call_takes_at_most_max_inputs(roomy, appcode, settings):
    item = {"image": {"dataType": 50, "dataValue": b64(png())}}
    r = roomy.post("/v1/jobs/ocr_general", data=json.dumps({"inputs": [item] * (settings.max_inputs + 1)}),
                   headers=auth(appcode))
    assert r.status_code == 413 and r.json["error_code"] == 413
    assert f"at most {settings.max_inputs} per call" in r.json["error_msg"]
    ok = roomy.post("/v1/jobs/ocr_general", data=json.dumps({"inputs": [item] * settings.max_inputs}),
                    headers=auth(appcode))
    assert ok.status_code == 202 and len(ok.json["request_ids"]) == settings.max_inputs


# -- signed calls --------------------------------------------------------------------------

@pytest.fixture()
def keys(settings):
    store = AppStore(redis.Redis.from_url(settings.broker_url))
    app, _ = store.create("signed")
    return store.key_and_secret(app.app_id)


@pytest.mark.parametrize("timestamp", ["9" * 400, "¹²³", "١٢٣٤٥٦٧٨٩٠١٢٣", "-1", "1e12", " ", "0x10"])
def test_a_timestamp_that_is_not_milliseconds_is_400(client, keys, timestamp):
    headers = signed_headers(*keys, "GET", "/v1/jobs/0000", content_type="")
    headers["X-Ca-Timestamp"] = timestamp
    r = client.get("/v1/jobs/0000", headers=headers)
    assert r.status_code == 400 and r.json["error_msg"] == "Invalid Timestamp", r.json
    assert r.headers["X-Ca-Error-Message"] == "Invalid Timestamp"


def test_content_md5_can_be_required_of_signed_calls(settings, keys):
    client = create_app(replace(settings, require_content_md5=1)).test_client()
    r = get_job(client, *keys)
    assert r.status_code == 400 and r.json["error_msg"] == "Invalid Content-MD5", r.json
    body = json.dumps({"image": "x"}).encode()
    path = "/v1/jobs/ocr_general"
    signed = client.post(path, data=body, headers=signed_headers(*keys, "POST", path, body=body))
    assert signed.status_code == 462, signed.json   # past the signature: the picture is judged
    md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
    assert signed_headers(*keys, "POST", path, body=body)["Content-MD5"] == md5
    # Off by default: a signed call without a body needs none.
    assert get_job(create_app(settings).test_client(), *keys).status_code == 404


def test_the_readme_table_shows_the_new_settings():
    table = subprocess.run([sys.executable, "-m", "api.cli", "settings", "--markdown"], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout
    assert "`OCR_MAX_INPUTS`" in table and "`OCR_REQUIRE_CONTENT_MD5`" in table
    assert table.strip() in (ROOT / "README.md").read_text()


# -- what cannot be encoded, parsed or read ----------------------------------------------------

@pytest.mark.parametrize("path, body", [
    ("/api/predict/ocr_general", '{"image": "AAAA", "configure": "\\ud800"}'),
    ("/v1/jobs/ocr_general", '{"image": "AAAA", "configure": "\\ud800"}'),
    ("/v1/jobs/ocr_general", '{"inputs": [{"image": {"dataType": 50, "dataValue": "AAAA"}, '
                             '"configure": {"dataType": 50, "dataValue": "\\udfff{"}}]}'),
    ("/v1/jobs/ocr_idcard", '{"image": "AAAA", "configure": {"side": "\\ud800"}}'),
], ids=["predict", "jobs", "old format", "option value"])
def test_a_lone_surrogate_is_answered_with_an_escaped_message(client, appcode, path, body):
    r = client.post(path, data=body, headers=auth(appcode))
    assert r.status_code == 461, r.get_data()
    answer = json.loads(r.get_data().decode("utf-8"))  # strict UTF-8: no surrogate on the wire
    assert answer["error_code"] == 461 and answer["success"] is False


@pytest.mark.parametrize("where", ["body", "configure string", "old-format configure", "template body"])
def test_json_nested_past_the_parsers_depth_is_460_or_461(roomy, appcode, where):
    deep = "[" * 100_000 + "]" * 100_000
    path, body, expected = {
        "body": ("/api/predict/ocr_general", deep, 460),
        "configure string": ("/api/predict/ocr_general", json.dumps({"image": "AAAA", "configure": deep}), 461),
        "old-format configure": ("/v1/jobs/ocr_general", json.dumps({"inputs": [{
            "image": {"dataType": 50, "dataValue": "AAAA"}, "configure": {"dataType": 50, "dataValue": deep}}]}), 461),
        "template body": ("/v1/templates", deep, 460),
    }[where]
    r = roomy.post(path, data=body, headers=auth(appcode))
    assert r.status_code == expected and r.json["error_code"] == expected, r.json


@pytest.mark.parametrize("how", ["configure", "path"])
def test_a_template_id_that_cannot_name_a_key_is_refused(roomy, appcode, how):
    if how == "configure":
        r = roomy.post("/api/predict/ocr_template", data='{"image": "%s", "configure": {"template_id": "\\ud800"}}'
                       % b64(png()), headers=auth(appcode))
        assert r.status_code == 455, r.json
    else:
        r = roomy.get("/v1/templates/%ED%A0%80", headers=auth(appcode))
        assert r.status_code == 404, r.json


@pytest.mark.parametrize("size", [(1, 1), (1, 40000), (40000, 1), (7, 500), (40000, 8), (8, 801)])
def test_a_picture_too_small_to_hold_text_is_462_before_it_is_queued(roomy, appcode, size):
    r = roomy.post("/v1/jobs/ocr_general", data=json.dumps({"image": b64(png(*size))}), headers=auth(appcode))
    assert r.status_code == 462, r.json
    assert "image too small to hold text" in r.json["error_msg"]


def test_a_small_page_in_a_tiff_is_462_from_the_worker(roomy, appcode, worker):
    pages = [Image.new("RGB", (200, 100), "white"), Image.new("RGB", (1, 1), "white")]
    out = io.BytesIO()
    pages[0].save(out, "TIFF", save_all=True, append_images=pages[1:])
    r = roomy.post("/v1/jobs/ocr_general", data=json.dumps({"image": b64(out.getvalue())}), headers=auth(appcode))
    assert r.status_code == 202, r.json
    job = finished(roomy, appcode, r.json["request_id"])
    assert "462" in json.dumps(job) and "image too small to hold text" in json.dumps(job), job


# -- the console ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/console", "/console/main.js", "/console/services.json"])
def test_the_console_sends_a_content_security_policy(client, path):
    r = client.get(path)
    assert r.status_code == 200
    policy = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert r.headers["X-Frame-Options"] == "DENY"


def test_the_console_has_no_inline_script():
    import re
    html = (ROOT / "api" / "static" / "console" / "index.html").read_text()
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    assert " on" not in " ".join(re.findall(r"<[^>]+ on[a-z]+=", html))
