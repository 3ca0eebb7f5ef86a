"""ocr_official_seal through the API, as the reference's clients call it."""
from __future__ import annotations

import json

import pytest

from bench.synth.documents import official_seal
from tests.servers import b64

pytestmark = pytest.mark.usefixtures("worker")


def test_seals_on_a_page_in_the_new_format(client, appcode):
    sample = official_seal(5)                   # two round seals over a page of text
    r = client.post("/rest/160601/ocr/ocr_official_seal.json", headers={"Authorization": f"APPCODE {appcode}"},
                    data=json.dumps({"image": b64(sample.encode("png")), "configure": json.dumps({"evidence": True})}))
    assert r.status_code == 200, r.json
    assert r.json["success"] is True and r.json["request_id"]
    assert sorted(s["text"]["context"] for s in r.json["result"]) == sorted(s.company for s in sample.seals)
    for seal in r.json["result"]:
        assert set(seal["roi"]) == {"left", "top", "width", "height"}
        assert all(set(g) == {"content", "prob"} for g in seal["general_text"])
    assert "0.text" in r.json["evidence"] and "warnings" in r.json
