"""Whatever the body, the answer is the contract's JSON error or a result: never a 500 or a traceback."""
from __future__ import annotations

import base64
import json
import random

import pytest

from api.app import create_app
from tests.servers import make_settings

SEEDS = [b'{"image": "iVBORw0KGgo=", "configure": "{}"}',
         b'{"inputs": [{"image": {"dataType": 50, "dataValue": "R0lGODlh"}, "configure": {"dataType": 50, "dataValue": "{}"}}]}']
VALUES = [None, True, 0, -1, 2**70, 1.5, float("1e308"), "", "x", "data:image/png;base64,AAAA", "====", [], {}, [1, {}],
          {"dataType": 50, "dataValue": None}, {"dataType": 10, "dataValue": "9" * 30}, "\u0000\ud7ff", "A" * 5000]


def mutate(rng: random.Random) -> bytes:
    choice = rng.random()
    if choice < 0.3:  # bytes flipped, cut or repeated
        raw = bytearray(rng.choice(SEEDS))
        for _ in range(rng.randint(1, 8)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        return bytes(raw[: rng.randint(0, len(raw))]) * rng.randint(1, 2)
    if choice < 0.8:  # valid JSON with strange values in the places that matter
        body = json.loads(rng.choice(SEEDS))
        if "inputs" in body:
            item = body["inputs"][0]
            item[rng.choice(["image", "configure", "extra"])] = rng.choice(VALUES)
            if rng.random() < 0.3:
                body["inputs"] = rng.choice(VALUES)
        else:
            body[rng.choice(["image", "configure", "queue", "callback_url"])] = rng.choice(VALUES)
        return json.dumps(body).encode()
    return bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))


@pytest.mark.parametrize("chunk", range(4))
def test_fuzzed_bodies_answer_contract_errors(client, appcode, settings, chunk):
    # A bucket that never empties: the fuzz is about bodies, not about throttling.
    client = create_app(make_settings(settings.broker_url, rate_burst=10_000, rate_limit=10_000.0)).test_client()
    rng = random.Random(chunk)
    for _ in range(100):
        body = mutate(rng)
        r = client.post("/v1/jobs/ocr_general", data=body, headers={"Authorization": f"APPCODE {appcode}"})
        assert r.status_code in (202, 460, 461, 462), (body[:200], r.status_code, r.get_data()[:300])
        answer = r.get_json()
        assert answer is not None
        if r.status_code != 202:
            assert answer["success"] is False and answer["error_code"] == r.status_code and answer["error_msg"]


def test_redis_unavailable_answers_503_not_500(appcode):
    client = create_app(make_settings("redis://127.0.0.1:1/0")).test_client()
    r = client.post("/api/predict/ocr_general", data=json.dumps({"image": base64.b64encode(b"x").decode()}),
                    headers={"Authorization": f"APPCODE {appcode}"})
    assert r.status_code == 503 and r.get_json()["error_code"] == 503
    assert client.get("/readyz").status_code == 503
