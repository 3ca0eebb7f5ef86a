"""ocr_business_card and ocr_train_ticket through the API, as the reference's clients call them:
the card in both wire formats (the old one labelled ocr_businesscard, as the reference's sample)."""
from __future__ import annotations

import json

import pytest

from bench.synth.documents import business_card, photographed_card, train_ticket
from tests.servers import b64

pytestmark = pytest.mark.usefixtures("worker")


def test_business_card_in_the_old_format(client, appcode):
    sample = business_card(6)
    body = {"inputs": [{"image": {"dataType": 50, "dataValue": b64(sample.encode("png"))}}]}
    r = client.post("/rest/160601/ocr/ocr_business_card.json", data=json.dumps(body),
                    headers={"Authorization": f"APPCODE {appcode}"})
    assert r.status_code == 200, r.json
    output = r.json["outputs"][0]
    assert output["outputLabel"] == "ocr_businesscard" and output["outputValue"]["dataType"] == 50
    result = json.loads(output["outputValue"]["dataValue"])
    assert {k: result[k] for k in sample.fields} == sample.fields
    assert result["success"] is True and result["request_id"]


def test_business_card_in_the_new_format(client, appcode):
    sample = business_card(9, distortion=photographed_card(9))
    r = client.post("/api/predict/ocr_business_card", headers={"Authorization": f"APPCODE {appcode}"},
                    data=json.dumps({"image": b64(sample.encode("jpg"))}))
    assert r.status_code == 200, r.json
    assert {k: r.json[k] for k in sample.fields} == sample.fields


def test_train_ticket_in_the_new_format(client, appcode):
    sample = train_ticket(5, distortion=photographed_card(5))
    r = client.post("/api/predict/ocr_train_ticket", headers={"Authorization": f"APPCODE {appcode}"},
                    data=json.dumps({"image": b64(sample.encode("jpg"))}))
    assert r.status_code == 200, r.json
    assert {k: r.json[k] for k in sample.fields} == sample.fields
    assert isinstance(r.json["price"], float)


def test_a_page_of_text_is_not_a_train_ticket(client, appcode, page_png):
    r = client.post("/api/predict/ocr_train_ticket", headers={"Authorization": f"APPCODE {appcode}"},
                    data=json.dumps({"image": b64(page_png)}))
    assert r.status_code == 463 and r.json["error_msg"] == "Invalid Input - wrong category"
