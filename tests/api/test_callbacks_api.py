"""`callback_url` at submission: its form checked (461 otherwise), kept on every job of the body, shown by GET."""
from __future__ import annotations

import pytest
import redis

from api.app import create_app
from api.apps import AppStore
from tests.servers import make_settings

# Loopback: refused by the guard (no OCR_CALLBACK_ALLOW here), so a worker running in the session sends nothing.
HOOK = "http://127.0.0.1:9/hook"
# A blank 40 x 20 page (a 1 x 1 picture is refused at submission: too small to hold text).
IMAGE = "iVBORw0KGgoAAAANSUhEUgAAACgAAAAUCAAAAADaLSBnAAAAF0lEQVR4nGP8z0AcYCJS3ajCUYXDXCEAcz4BJ+mggvQAAAAASUVORK5CYII="
PROBLEM = ("Invalid Input - json format error - invalid configure: callback_url must be an http or https URL "
           "with a host, of at most 2048 printable ASCII characters")


def auth(code: str) -> dict:
    return {"Authorization": f"APPCODE {code}"}


@pytest.mark.parametrize("url", [
    "ftp://example.com/hook", "file:///etc/passwd", "javascript:alert(1)", "http://", "https:///path", "hook",
    "//example.com/hook", "http://example.com:99999/", "http://exa mple.com/", "http://example.com/\n",
    "http://例子.测试/hook", "http://example.com/" + "a" * 2048, 5, True, ["http://example.com/"], {"url": "x"},
])
def test_malformed_callback_url_answers_461(client, appcode, url):
    r = client.post("/v1/jobs/ocr_general", json={"image": IMAGE, "callback_url": url}, headers=auth(appcode))
    assert r.status_code == 461
    assert r.json["error_code"] == 461 and r.json["error_msg"] == PROBLEM


def test_callback_url_kept_and_shown_by_get(client, appcode, settings):
    r = client.post("/v1/jobs/ocr_general", json={"image": IMAGE, "callback_url": HOOK}, headers=auth(appcode))
    assert r.status_code == 202
    request_id = r.json["request_id"]
    assert redis.Redis.from_url(settings.broker_url).hget(f"ocr:job:{request_id}", "callback_url") == HOOK.encode()
    job = client.get(f"/v1/jobs/{request_id}", headers=auth(appcode)).json
    assert job["callback"]["status"] in ("pending", "failed")  # failed: a session worker's guard refused it


@pytest.mark.parametrize("value", [None, ""])
def test_no_callback_url_no_callback_field(client, appcode, value):
    r = client.post("/v1/jobs/ocr_general", json={"image": IMAGE, "callback_url": value}, headers=auth(appcode))
    assert r.status_code == 202
    job = client.get(f"/v1/jobs/{r.json['request_id']}", headers=auth(appcode)).json
    assert "callback" not in job
    assert set(job) == {"request_id", "service", "status", "result", "error", "created_at", "finished_at"}


def test_every_job_of_an_old_format_body_calls_back(client, appcode, settings):
    item = {"image": {"dataType": 50, "dataValue": IMAGE}}
    r = client.post("/v1/jobs/ocr_general", json={"inputs": [item, item], "callback_url": HOOK}, headers=auth(appcode))
    assert r.status_code == 202 and len(r.json["request_ids"]) == 2
    store = redis.Redis.from_url(settings.broker_url)
    assert [store.hget(f"ocr:job:{i}", "callback_url") for i in r.json["request_ids"]] == [HOOK.encode()] * 2
    r = client.post("/v1/jobs/ocr_general", json={"inputs": [item], "callback_url": "ftp://x/"}, headers=auth(appcode))
    assert r.status_code == 461


def test_an_app_without_a_secret_cannot_ask_for_callbacks(client, settings):
    store = redis.Redis.from_url(settings.broker_url)
    app, code = AppStore(store).create("old app")
    store.hdel(f"ocr:app:{app.app_id}", "app_secret")  # as an app made before secrets existed
    r = client.post("/v1/jobs/ocr_general", json={"image": IMAGE, "callback_url": HOOK}, headers=auth(code))
    assert r.status_code == 461 and "ocrq apps key" in r.json["error_msg"]
    assert client.post("/v1/jobs/ocr_general", json={"image": IMAGE}, headers=auth(code)).status_code == 202
    AppStore(store).new_key(app.app_id)
    r = client.post("/v1/jobs/ocr_general", json={"image": IMAGE, "callback_url": HOOK}, headers=auth(code))
    assert r.status_code == 202


def test_the_synchronous_call_ignores_callback_url(appcode, settings):
    """The reference's call knows no callback_url: a malformed one is not an error there."""
    client = create_app(make_settings(settings.broker_url, sync_timeout=0.2)).test_client()
    r = client.post("/api/predict/ocr_general", json={"image": IMAGE, "callback_url": "ftp://x/"}, headers=auth(appcode))
    assert r.status_code != 461
