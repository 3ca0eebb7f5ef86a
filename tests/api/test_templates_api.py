"""Custom templates through the API: create, read, edit, publish, try and delete them; the
reference's template errors; and ocr_template through the real worker."""
from __future__ import annotations

import json

import pytest
import redis

from bench.synth.documents import filled_form, template_definition
from tests.servers import b64


def _auth(code: str) -> dict:
    return {"Authorization": f"APPCODE {code}"}


@pytest.fixture()
def other_appcode(settings) -> str:
    from api.apps import AppStore
    _, code = AppStore(redis.Redis.from_url(settings.broker_url)).create("other")
    return code


@pytest.fixture(scope="module")
def receipt() -> dict:
    return template_definition("receipt")


def _create(client, code: str, definition: dict) -> str:
    r = client.post("/v1/templates", headers=_auth(code), data=json.dumps(definition))
    assert r.status_code == 201, r.json
    return r.json["template_id"]


def test_create_read_list_edit_delete(client, appcode, receipt):
    template_id = _create(client, appcode, receipt)
    r = client.get(f"/v1/templates/{template_id}", headers=_auth(appcode))
    assert r.status_code == 200
    assert r.json["anchors"] == receipt["anchors"] and r.json["image"] == receipt["image"]
    assert r.json["width"] == 1240 and r.json["published_definition"] is None
    listed = client.get("/v1/templates", headers=_auth(appcode)).json["templates"]
    assert [(t["template_id"], t["name"], t["published"]) for t in listed] == [(template_id, "物资入库单", False)]

    edited = {**receipt, "name": "入库单 v2"}
    del edited["image"]                               # the picture is kept when not sent again
    assert client.put(f"/v1/templates/{template_id}", headers=_auth(appcode), data=json.dumps(edited)).status_code == 200
    r = client.get(f"/v1/templates/{template_id}", headers=_auth(appcode))
    assert r.json["name"] == "入库单 v2" and r.json["image"] == receipt["image"]

    assert client.delete(f"/v1/templates/{template_id}", headers=_auth(appcode)).json["deleted"] is True
    assert client.get(f"/v1/templates/{template_id}", headers=_auth(appcode)).status_code == 404
    assert client.get("/v1/templates", headers=_auth(appcode)).json["templates"] == []


def test_one_app_cannot_see_another_apps_templates(client, appcode, other_appcode, receipt):
    template_id = _create(client, appcode, receipt)
    client.post(f"/v1/templates/{template_id}/publish", headers=_auth(appcode))
    assert client.get(f"/v1/templates/{template_id}", headers=_auth(other_appcode)).status_code == 404
    assert client.delete(f"/v1/templates/{template_id}", headers=_auth(other_appcode)).status_code == 404
    assert client.post(f"/v1/templates/{template_id}/publish", headers=_auth(other_appcode)).status_code == 404
    assert client.get("/v1/templates", headers=_auth(other_appcode)).json["templates"] == []
    r = client.post("/api/predict/ocr_template", headers=_auth(other_appcode),
                    data=json.dumps({"image": receipt["image"], "configure": {"template_id": template_id}}))
    assert r.status_code == 455 and template_id in r.json["error_msg"]
    assert client.get(f"/v1/templates/{template_id}", headers=_auth(appcode)).status_code == 200


def test_452_453_454_455(client, appcode, receipt):
    post = lambda body: client.post("/v1/templates", headers=_auth(appcode), data=json.dumps(body))  # noqa: E731
    assert post({}).status_code == 452
    assert post({"name": "x", "fields": receipt["fields"]}).json["error_code"] == 453
    r = post({"name": "x", "anchors": receipt["anchors"]})
    assert r.status_code == 454 and r.json["error_msg"] == "Invalid Input - template has no fields to read"

    predict = lambda configure: client.post("/api/predict/ocr_sdt", headers=_auth(appcode),  # noqa: E731
                                            data=json.dumps({"image": receipt["image"], "configure": configure}))
    assert predict({}).status_code == 452
    unpublished = _create(client, appcode, receipt)
    r = predict({"template_id": unpublished})
    assert r.status_code == 452 and "not been published" in r.json["error_msg"]
    r = predict({"template_list": [{"template_id": "95d551ee-8b2b-4ad0-89a9-ed13417f4a781536146904"}]})
    assert r.status_code == 455
    # The definitions travel to the worker under an internal key that no client may set.
    r = predict({"template_id": unpublished, "_template_definitions": {unpublished: receipt}})
    assert r.status_code == 461
    # Malformed definitions and conditions are refused at the door, not by a worker after reading the page.
    assert post({**receipt, "anchors": [{"text": "x", "box": [1e308, 0, 5, 5]}]}).status_code == 461
    r = predict({"template_list": [{"template_id": unpublished}, {"template_id": unpublished, "cond": 5}]})
    assert r.status_code == 461 and "cond" in r.json["error_msg"]


@pytest.mark.usefixtures("worker")
def test_published_version_answers_while_the_draft_is_tried(client, appcode, receipt):
    template_id = _create(client, appcode, receipt)
    assert client.post(f"/v1/templates/{template_id}/publish", headers=_auth(appcode)).json["published"] is True
    renamed = {**receipt, "fields": [{**f, "name": "vendor"} if f["name"] == "supplier" else f for f in receipt["fields"]]}
    client.put(f"/v1/templates/{template_id}", headers=_auth(appcode), data=json.dumps(renamed))
    sample = filled_form(6, "receipt")
    image = b64(sample.encode("png"))

    r = client.post("/api/predict/ocr_template", headers=_auth(appcode),
                    data=json.dumps({"image": image, "configure": json.dumps({"template_id": template_id})}))
    assert r.status_code == 200, r.json
    assert r.json["items"] == sample.items and r.json["success"] is True
    assert json.loads(r.json["config_str"]) == {"template_id": template_id}

    r = client.post(f"/v1/templates/{template_id}/try", headers=_auth(appcode), data=json.dumps({"image": image}))
    assert r.status_code == 200, r.json
    assert r.json["items"]["vendor"] == sample.items["supplier"] and "supplier" not in r.json["items"]


@pytest.mark.usefixtures("worker")
def test_template_list_picks_the_form_in_the_picture(client, appcode, receipt):
    ids = {}
    for kind, definition in (("receipt", receipt), ("expense", template_definition("expense"))):
        ids[kind] = _create(client, appcode, definition)
        client.post(f"/v1/templates/{ids[kind]}/publish", headers=_auth(appcode))
    sample = filled_form(7, "expense")
    configure = {"template_list": [
        {"template_id": ids["receipt"], "cond": {"and": [{"include": "入库单"}, {"exclude": "报销"}]}},
        {"template_id": ids["expense"], "cond": {"or": [{"include": "报销单"}, {"include": "expense"}]}}]}
    r = client.post("/api/predict/ocr_template", headers=_auth(appcode),
                    data=json.dumps({"image": b64(sample.encode("png")), "configure": configure}))
    assert r.status_code == 200, r.json
    assert json.loads(r.json["config_str"]) == {"template_id": ids["expense"]}
    assert r.json["items"] == sample.items
