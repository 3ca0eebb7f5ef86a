"""ocr_taxi_invoice through the API, as the reference's clients call it."""
from __future__ import annotations

import json

import pytest

from bench.synth.documents import taxi_invoices
from tests.servers import b64

pytestmark = pytest.mark.usefixtures("worker")


def test_two_receipts_in_the_new_format(client, appcode):
    # Accuracy on photographs is the benchmark's (bench/accuracy.py); this checks the wire.
    sample = taxi_invoices(8, turns=(0, 180))
    r = client.post("/rest/160601/ocr/ocr_taxi_invoice.json", headers={"Authorization": f"APPCODE {appcode}"},
                    data=json.dumps({"image": b64(sample.encode("png"))}))
    assert r.status_code == 200, r.json
    assert r.json["success"] is True and set(r.json) == {"recipts", "request_id", "success"}
    read = sorted([item["txt"] for item in receipt["items"]] for receipt in r.json["recipts"])
    assert read == sorted([item.txt for item in truth.items] for truth in sample.receipts)
    assert sorted(receipt["rotate_type"] for receipt in r.json["recipts"]) == [0, 2]
