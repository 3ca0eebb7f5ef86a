"""Schemathesis against /openapi.json: no generated request gets a server error or an answer off the contract."""
from __future__ import annotations

import json

import pytest
import redis
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_headers_conformance,
                                 response_schema_conformance, status_code_conformance)

from api.app import create_app
from api.apps import AppStore
from api.openapi import openapi_document
from bench.synth import text_page
from ocr_core import SERVICES
from tests.servers import b64, make_settings, start_redis

# Routes that wait for a worker: with none running, they may answer 503 once the (short) sync wait runs out.
SYNC_ROUTES = {"/api/predict/{service}", "/rest/160601/ocr/{service}.json", "/v1/templates/{template_id}/try"}
# The document of an app that is never called (nothing connects to this Redis address).
OPERATIONS = [op["operationId"] for path in openapi_document(create_app(make_settings("redis://127.0.0.1:1/0")))[
    "paths"].values() for op in path.values()]
PICTURE = b64(text_page(7, n_lines=1).encode("png"))
TEMPLATE = {"name": "fuzz", "anchors": [{"text": "入库单", "box": [10, 10, 60, 20]}],
            "fields": [{"name": "编号", "box": [10, 40, 80, 20]}]}
FUZZ = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def with_picture(body) -> None:
    """Put a real picture where the generated body has an image, in either format."""
    if not isinstance(body, dict):
        return
    if isinstance(body.get("image"), str):
        body["image"] = PICTURE
        if isinstance(body.get("configure"), str) and not _is_json(body["configure"]):
            del body["configure"]  # lets the generated configure objects reach the service's options
    inputs = body.get("inputs")
    if isinstance(inputs, list) and inputs and isinstance(inputs[0], dict):
        inputs[0]["image"] = {"dataType": 50, "dataValue": PICTURE}


@pytest.fixture(scope="module")
def fuzz_redis(tmp_path_factory):
    """A Redis of its own: the jobs the fuzz queues must never reach the session's worker."""
    server = start_redis(tmp_path_factory.mktemp("fuzz-redis"), appendonly=False)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def fuzz_app(fuzz_redis):
    # A bucket that never empties and a sync wait that ends fast: no worker runs here.
    return create_app(make_settings(fuzz_redis.url, sync_timeout=0.3, rate_burst=100_000, rate_limit=100_000.0))


@pytest.fixture(scope="module")
def fuzz_appcode(fuzz_redis) -> str:
    _, code = AppStore(redis.Redis.from_url(fuzz_redis.url)).create("fuzz")
    return code


@pytest.fixture(scope="module")
def api_schema(fuzz_app):
    return schemathesis.openapi.from_wsgi("/openapi.json", fuzz_app)


def check_answer(case, response) -> None:
    """No 5xx but the contract's 503 where a sync wait can run out; every error in the contract's shape."""
    status = response.status_code
    path = case.operation.path
    allowed_503 = path in SYNC_ROUTES or path == "/readyz"
    assert status < 500 or (status == 503 and allowed_503), (status, response.text[:500])
    # 469 is what an unexpected exception becomes; with no worker nothing else can produce it.
    assert status != 469, response.text[:500]
    if status >= 400 and path != "/readyz":
        answer = response.json()
        assert answer["success"] is False, answer
        assert answer["error_code"] == status, answer
        assert isinstance(answer["error_msg"], str) and answer["error_msg"], answer
    # Every answer as the document describes it: a documented status, its content type, body and headers.
    conformance = [status_code_conformance, content_type_conformance, response_schema_conformance,
                   response_headers_conformance]
    # The contract's 503, allowed above, is no server error.
    case.validate_response(response, checks=conformance + ([not_a_server_error] if status != 503 else []))


@pytest.mark.parametrize("with_appcode", [True, False], ids=["appcode", "no-appcode"])
@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_generated_requests_get_contract_answers(api_schema, fuzz_app, fuzz_appcode, operation_id, with_appcode):
    operation = api_schema.find_operation_by_id(operation_id)
    cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

    @FUZZ
    @given(case=cases, real_ids=st.booleans())
    def run(case, real_ids):
        if with_appcode:  # past auth, to the view; without it the call must still end in a contract answer
            headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "x-ca-key"}
            case.headers = {**headers, "Authorization": f"APPCODE {fuzz_appcode}"}
        if real_ids:  # a real picture, template and job, so that calls get past the checks of what exists
            with_picture(case.body)
            if "template_id" in (case.path_parameters or {}):
                case.path_parameters["template_id"] = own_template(fuzz_app, fuzz_appcode)
            if "request_id" in (case.path_parameters or {}):
                case.path_parameters["request_id"] = own_job(fuzz_app, fuzz_appcode)
        check_answer(case, case.call())

    run()


def own_template(app, appcode: str) -> str:
    """The id of a draft template of the app, made again if a generated call deleted it."""
    client, auth = app.test_client(), {"Authorization": f"APPCODE {appcode}"}
    listed = client.get("/v1/templates", headers=auth).get_json()["templates"]
    if listed:
        return listed[0]["template_id"]
    r = client.post("/v1/templates", headers=auth, json=TEMPLATE)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["template_id"]


def own_job(app, appcode: str) -> str:
    r = app.test_client().post("/v1/jobs/ocr_general", headers={"Authorization": f"APPCODE {appcode}"},
                               json={"image": PICTURE})
    assert r.status_code == 202, r.get_json()
    return r.get_json()["request_id"]


def test_unknown_service_in_the_path_is_no_metrics_label(fuzz_app, fuzz_appcode):
    # Found by the fuzz: any path text became an `ocr_requests_total` label, unescaped and without bound.
    client = fuzz_app.test_client()
    r = client.post("/api/predict/x%22%7D%0Ainjected", headers={"Authorization": f"APPCODE {fuzz_appcode}"},
                    json={"image": PICTURE})
    assert r.status_code == 400 and r.get_json()["error_msg"] == "Invalid URL"
    text = client.get("/metrics").get_data(as_text=True)
    assert "injected" not in text
    labelled = [line for line in text.splitlines() if line.startswith("ocr_requests_total{")]
    assert all(line.split('service="', 1)[1].split('"', 1)[0] in SERVICES for line in labelled), labelled
