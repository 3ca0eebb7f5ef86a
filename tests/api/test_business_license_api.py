"""ocr_business_license through the API, as the reference's clients call it."""
from __future__ import annotations

import json

import pytest

from bench.synth.documents import business_license, photographed_card
from tests.servers import b64

pytestmark = pytest.mark.usefixtures("worker")


def test_a_photographed_licence_in_the_new_format(client, appcode):
    sample = business_license(5, distortion=photographed_card(5))
    r = client.post("/rest/160601/ocr/ocr_business_license.json", headers={"Authorization": f"APPCODE {appcode}"},
                    data=json.dumps({"image": b64(sample.encode("jpg"))}))
    assert r.status_code == 200, r.json
    assert {k: r.json[k] for k in sample.fields} == sample.fields
    assert r.json["angle"] == sample.distortion.rotate
    for name in ("elbem", "title", "stamp", "qrcode"):
        assert set(r.json[name]) == {"top", "left", "height", "width"}, name
    assert r.json["success"] is True and len(r.json["request_id"]) == 47
