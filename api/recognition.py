"""The recognition endpoints: synchronous as in the reference, and asynchronous jobs to submit and poll.

Both take the same bodies through `submit`, which reads the body and admits its pictures (`api.admission`).
"""
from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, g, jsonify, request

from api import errors
from api.admission import (
    admit,
    authenticate,
    idempotency_fingerprint,
    load_image,
    read_body,
    take_token,
    wait_for,
    with_rate_headers,
)
from api.context import resources
from api.templates import with_definitions
from api.wire import Body, callback_url_of, old_format_output, parse_request
from ocr_core import SERVICES, check_configure
from workers.callback_queue import callback_state
from workers.jobs import FAILED, FINISHED, SUCCEEDED
from workers.queues import BULK, INTERACTIVE

recognition = Blueprint("recognition", __name__)


def submit(service: str, *, with_callback: bool = False) -> tuple[list[str], Body]:
    """Accept a body's pictures as jobs; the ids of the jobs (those of the first call, for a repeated Idempotency-Key).

    `with_callback`: honour the body's `callback_url` (asynchronous jobs; the synchronous call ignores it as the
    reference does).
    """
    r = resources()
    app = authenticate()
    if service not in SERVICES:
        raise errors.InvalidURL()
    take_token(app, service)
    raw = read_body()
    body = parse_request(raw, request.headers.get("Content-Type"), r.settings.max_inputs)
    queue = request.args.get("queue") or body.fields.get("queue")
    queue = INTERACTIVE if queue is None or queue == "" else queue  # a list, a number: refused below
    if queue not in (INTERACTIVE, BULK):
        raise errors.InvalidOption(f"queue must be {INTERACTIVE} or {BULK}")
    callback_url = callback_url_of(body.fields) if with_callback else None
    if callback_url and r.apps.key_and_secret(app.app_id) is None:
        # Callbacks are signed with the app's secret: an app made before secrets existed has none yet.
        raise errors.InvalidOption("callback_url needs the app's secret to sign with; an operator gives it one "
                                   "with `ocrq apps key APP_ID`")
    configures = [check_configure(service, sub.configure) for sub in body.submissions]
    configures = [with_definitions(app.app_id, service, c) for c in configures]  # ocr_template's templates
    images = [load_image(sub.image if sub.data is None else sub.data) for sub in body.submissions]
    key = request.headers.get("Idempotency-Key")
    ids = admit(app, service, images, configures, queue=queue, callback_url=callback_url, idempotency_key=key,
                fingerprint=_fingerprint(raw, body) if key else "")
    return ids, body


def _fingerprint(raw: bytes, body: Body) -> str:
    """What an Idempotency-Key is bound to: the path and the body's bytes, or an upload's parts as parsed."""
    if not body.multipart:
        return idempotency_fingerprint([b"json", raw])
    parts = [(s.image, hashlib.sha256(s.data or b"").hexdigest(), s.config_str) for s in body.submissions]
    return idempotency_fingerprint([b"multipart", json.dumps([parts, sorted(body.fields.items(), key=str)],
                                                             default=str)])


@recognition.post("/api/predict/<service>")
@recognition.post("/rest/160601/ocr/<service>.json")
def predict(service: str) -> Response:
    ids, body = submit(service)
    results = wait_for(ids)
    if body.old_format:
        return with_rate_headers(jsonify({"outputs": [old_format_output(service, res) for res in results]}))
    return with_rate_headers(jsonify(results[0]))


@recognition.post("/v1/jobs/<service>")
def create_job(service: str) -> Response:
    ids, body = submit(service, with_callback=True)
    answer = {"request_ids": ids} if body.old_format else {"request_id": ids[0]}
    status, jobs = "queued", None
    if g.get("replayed"):
        # The first call's jobs as they are now, not as they were when it was answered.
        app_id = g.app.app_id
        jobs = [job for job in map(resources().jobs.get, ids) if job is not None and job.app == app_id]
        states = [job.status for job in jobs]
        status = next((s for s in states if s not in FINISHED), None) or (FAILED if FAILED in states else SUCCEEDED)
        if not body.old_format and jobs:
            answer = jobs[0].to_api()
    response = jsonify({**answer, "status": status,
                        **({"jobs": [job.to_api() for job in jobs]} if jobs is not None and body.old_format else {})})
    response.status_code = 200 if status in FINISHED else 202
    response.headers["Location"] = f"/v1/jobs/{ids[0]}"
    return with_rate_headers(response)


@recognition.get("/v1/jobs/<request_id>")
def get_job(request_id: str) -> Response:
    app = authenticate()
    job = resources().jobs.get(request_id)
    if job is None or job.app != app.app_id:
        raise errors.NotFound(f"no job {request_id} (unknown, of another app, or past its retention)")
    g.request_id = request_id
    # A job submitted with a callback_url also shows how its delivery went (a field only those jobs have).
    callback = callback_state(resources().redis, request_id)
    return jsonify({**job.to_api(), **({"callback": callback} if callback else {})})
