"""Checksummed numbers through the API (bank card, VIN), as the reference's clients call them;
and a bank card sent to the ID card service answers 463 (issue #4)."""
from __future__ import annotations

import json

import pytest

from bench.synth.documents import bank_card, photographed_card, vin_plate
from tests.servers import b64

pytestmark = pytest.mark.usefixtures("worker")


def test_bank_card_in_the_new_format(client, appcode):
    sample = bank_card(7, distortion=photographed_card(7))
    r = client.post("/rest/160601/ocr/ocr_bank_card.json", headers={"Authorization": f"APPCODE {appcode}"},
                    data=json.dumps({"image": b64(sample.encode("jpg"))}))
    assert r.status_code == 200, r.json
    assert r.json["card_num"] == sample.fields["card_num"] and r.json["success"] is True
    assert set(r.json) == {"card_num", "request_id", "success"}


def test_vin_in_the_old_format(client, appcode):
    sample = vin_plate(6)
    body = {"inputs": [{"image": {"dataType": 50, "dataValue": b64(sample.encode("png"))}}]}
    r = client.post("/api/predict/ocr_vin", data=json.dumps(body), headers={"Authorization": f"APPCODE {appcode}"})
    assert r.status_code == 200, r.json
    assert r.json["outputs"][0]["outputLabel"] == "ocr_vin"
    result = json.loads(r.json["outputs"][0]["outputValue"]["dataValue"])
    assert result["vin"] == sample.fields["vin"] and result["success"] is True


def test_a_bank_card_sent_to_the_id_card_service_is_the_wrong_category(client, appcode):
    sample = bank_card(4, distortion=photographed_card(4))
    r = client.post("/api/predict/ocr_idcard", headers={"Authorization": f"APPCODE {appcode}"},
                    data=json.dumps({"image": b64(sample.encode("jpg")), "configure": {"side": "face"}}))
    assert r.status_code == 463 and r.json["error_msg"] == "Invalid Input - wrong category"
