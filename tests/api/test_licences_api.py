"""ocr_driver_license and ocr_vehicle_license through the API, as the reference's clients call them."""
from __future__ import annotations

import json

import pytest

from bench.synth.documents import driver_license, photographed_card, vehicle_license
from tests.servers import b64

pytestmark = pytest.mark.usefixtures("worker")


def test_driver_license_face_in_the_new_format(client, appcode):
    sample = driver_license(3, "face", distortion=photographed_card(3))
    r = client.post("/rest/160601/ocr/ocr_driver_license.json", headers={"Authorization": f"APPCODE {appcode}"},
                    data=json.dumps({"image": b64(sample.encode("jpg")), "configure": '{"side":"face"}'}))
    assert r.status_code == 200, r.json
    assert {k: r.json[k] for k in sample.fields} == sample.fields
    assert r.json["config_str"] == '{"side": "face"}'


def test_vehicle_license_back_in_the_old_format(client, appcode):
    sample = vehicle_license(2, "back")
    body = {"inputs": [{"image": {"dataType": 50, "dataValue": b64(sample.encode("png"))},
                        "configure": {"dataType": 50, "dataValue": '{"side":"back"}'}}]}
    r = client.post("/api/predict/ocr_vehicle_license", data=json.dumps(body),
                    headers={"Authorization": f"APPCODE {appcode}"})
    assert r.status_code == 200, r.json
    result = json.loads(r.json["outputs"][0]["outputValue"]["dataValue"])
    assert r.json["outputs"][0]["outputLabel"] == "ocr_vehicle_license"
    assert {k: result[k] for k in sample.fields} == sample.fields


@pytest.mark.parametrize("service, make, seed, side", [
    ("ocr_driver_license", driver_license, 4, "back"),
    ("ocr_vehicle_license", vehicle_license, 5, "face"),
])
def test_the_other_sides_as_submitted_jobs(client, appcode, service, make, seed, side):
    from tests.servers import wait_for
    sample = make(seed, side, distortion=photographed_card(seed) if seed % 2 else None)
    r = client.post(f"/v1/jobs/{service}", headers={"Authorization": f"APPCODE {appcode}"},
                    data=json.dumps({"image": b64(sample.encode("jpg" if seed % 2 else "png")), "configure": {"side": side}}))
    assert r.status_code == 202, r.json
    job = wait_for(lambda: (j := client.get(r.headers["Location"], headers={"Authorization": f"APPCODE {appcode}"}).json)
                   ["status"] in ("succeeded", "failed") and j, timeout=60, interval=0.1)
    assert job["status"] == "succeeded", job
    assert {k: job["result"][k] for k in sample.fields} == sample.fields
