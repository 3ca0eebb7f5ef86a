"""Number plates through the API, as the reference's clients call them, with multi_crop."""
from __future__ import annotations

import json

import pytest

from bench.synth.documents import photographed_street, plate_scene
from tests.servers import b64

pytestmark = pytest.mark.usefixtures("worker")


def test_plates_with_multi_crop(client, appcode):
    scene = plate_scene(41, colours=("blue", "green"), distortion=photographed_street(41))
    r = client.post("/rest/160601/ocr/ocr_plate.json", headers={"Authorization": f"APPCODE {appcode}"},
                    data=json.dumps({"image": b64(scene.encode("jpg")), "configure": '{"multi_crop":true}'}))
    assert r.status_code == 200, r.json
    assert r.json["config_str"] == '{"multi_crop": true}' and r.json["success"] is True
    assert sorted(p["txt"] for p in r.json["plates"]) == sorted(p.txt for p in scene.plates)
    for plate in r.json["plates"]:
        assert [item.split(",")[0] for item in plate["detail"].split("#")] == [plate["txt"]] * 4
        assert set(plate["roi"]) == {"h", "w", "x", "y"} and plate["prob"] > 0.9


def test_multi_crop_must_be_true_or_false(client, appcode):
    r = client.post("/api/predict/ocr_plate", headers={"Authorization": f"APPCODE {appcode}"},
                    data=json.dumps({"image": b64(plate_scene(42).encode("png")), "configure": {"multi_crop": "yes"}}))
    assert r.status_code == 461 and "'multi_crop' must be true or false" in r.json["error_msg"]
