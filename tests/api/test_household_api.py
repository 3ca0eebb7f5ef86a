"""ocr_household_register through the API, as the reference's clients call it."""
from __future__ import annotations

import json

import pytest

from bench.synth.documents import household_register, photographed_card
from tests.servers import b64

pytestmark = pytest.mark.usefixtures("worker")


def test_a_photographed_page_in_the_new_format(client, appcode):
    sample = household_register(13, distortion=photographed_card(13))
    r = client.post("/rest/160601/ocr/ocr_household_register.json", headers={"Authorization": f"APPCODE {appcode}"},
                    data=json.dumps({"image": b64(sample.encode("jpg"))}))
    assert r.status_code == 200, r.json
    assert {k: r.json[k] for k in sample.fields} == sample.fields
    assert r.json["angle"] == sample.distortion.rotate
    assert set(r.json["title"]) == {"left", "top", "height", "width"}
    assert len(r.json["undertake_stamp"]) == 1 and r.json["invalid_stamp"] == []
