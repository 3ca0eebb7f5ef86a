"""Identity documents through the API, as the reference's clients call them: both sides, both wire formats."""
from __future__ import annotations

import json

import pytest

from bench.synth.documents import id_card, photographed_card
from tests.servers import b64

pytestmark = pytest.mark.usefixtures("worker")


def test_face_in_the_new_format(client, appcode):
    sample = id_card(13, "face", distortion=photographed_card(13))
    r = client.post("/rest/160601/ocr/ocr_idcard.json", headers={"Authorization": f"APPCODE {appcode}"},
                    data=json.dumps({"image": b64(sample.encode("jpg")), "configure": '{"side":"face"}'}))
    assert r.status_code == 200, r.json
    assert {k: r.json[k] for k in sample.fields} == sample.fields
    assert r.json["config_str"] == '{"side": "face"}'
    assert set(r.json["face_rect"]) == {"angle", "center", "size"}


def test_back_in_the_old_format(client, appcode):
    sample = id_card(14, "back")
    body = {"inputs": [{"image": {"dataType": 50, "dataValue": b64(sample.encode("png"))},
                        "configure": {"dataType": 50, "dataValue": '{"side":"back"}'}}]}
    r = client.post("/api/predict/ocr_idcard", data=json.dumps(body), headers={"Authorization": f"APPCODE {appcode}"})
    assert r.status_code == 200, r.json
    result = json.loads(r.json["outputs"][0]["outputValue"]["dataValue"])
    assert r.json["outputs"][0]["outputLabel"] == "ocr_idcard"
    assert {k: result[k] for k in sample.fields} == sample.fields


def test_a_page_of_text_is_the_wrong_category(client, appcode, page_png):
    r = client.post("/api/predict/ocr_idcard", headers={"Authorization": f"APPCODE {appcode}"},
                    data=json.dumps({"image": b64(page_png), "configure": {"side": "face"}}))
    assert r.status_code == 463 and r.json["error_msg"] == "Invalid Input - wrong category"


def test_an_unknown_side_answers_461(client, appcode, page_png):
    r = client.post("/api/predict/ocr_idcard", headers={"Authorization": f"APPCODE {appcode}"},
                    data=json.dumps({"image": b64(page_png), "configure": {"side": "front"}}))
    assert r.status_code == 461 and "'side' must be one of 'face', 'back'" in r.json["error_msg"]


def test_passport_through_the_api(client, appcode):
    from bench.synth.documents import passport
    sample = passport(15, distortion=photographed_card(15))
    r = client.post("/api/predict/ocr_passport", headers={"Authorization": f"APPCODE {appcode}"},
                    data=json.dumps({"image": b64(sample.encode("jpg"))}))
    assert r.status_code == 200, r.json
    assert {k: r.json[k] for k in sample.fields} == sample.fields
