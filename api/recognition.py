"""The recognition endpoints: synchronous as in the reference, and asynchronous jobs to submit and poll.

Both take the same bodies through `submit`, which checks everything it can before a job
is accepted, so that what is accepted is never lost and what is refused says why.
"""
from __future__ import annotations

import time

from flask import Blueprint, Response, g, jsonify, request

from api.app import rate_limit_headers, resources
from api.apps import App
from api.image_url import fetch_image
from api.signature import authenticate_request
from api.templates import with_definitions
from api.wire import Body, callback_url_of, old_format_output, parse_request
from api import errors
from ocr_core import SERVICES, check_configure
from ocr_core.steps.decode import decode_base64, probe_image
from workers.callback_queue import callback_state
from workers.celery_app import BULK, INTERACTIVE, queue_depth
from workers.image_budget import ImageBudget
from workers.jobs import new_request_id

recognition = Blueprint("recognition", __name__)


def authenticate() -> App:
    """The calling app, by APPCODE or by app key and signature; every endpoint that needs an app asks here."""
    r = resources()
    g.app = authenticate_request(r.apps, r.redis, request)  # the access log names it
    return g.app


def load_image(value: str | bytes) -> bytes:
    """The picture's bytes from a base64 string, an http(s) URL or an upload's bytes, its header checked:
    format, pixel bound, and the page bound of a PDF or multi-page TIFF (462 otherwise)."""
    settings = resources().settings
    if isinstance(value, bytes):
        data = value
    elif value[:8].lower().startswith(("http://", "https://")):
        data = fetch_image(value, max_bytes=settings.max_body_bytes, timeout=settings.fetch_timeout,
                           allow_networks=settings.fetch_allow_networks)
    else:
        data = decode_base64(value)
    probe_image(data, settings.max_pixels, settings.max_pages)
    return data


def submit(service: str, *, with_callback: bool = False) -> tuple[list[str], Body]:
    """Accept a body's pictures as jobs; the ids of the jobs (those of the first call, for a repeated Idempotency-Key).

    `with_callback`: honour the body's `callback_url` (asynchronous jobs; the synchronous call ignores it as the
    reference does).
    """
    r = resources()
    app = authenticate()
    if service not in SERVICES:
        raise errors.InvalidURL()
    decision = r.bucket.take(app.app_id, service)
    g.rate = decision
    if not decision.allowed:
        raise errors.Throttled(decision.retry_after, decision.limit, decision.reset, r.settings.throttle_status)

    body = parse_request(request.get_data(cache=False), request.headers.get("Content-Type"))
    queue = request.args.get("queue") or body.fields.get("queue") or INTERACTIVE
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

    ids = [g.request_id] + [new_request_id() for _ in body.submissions[1:]]
    key = request.headers.get("Idempotency-Key")
    if key:
        first = r.jobs.claim_idempotency_key(app.app_id, key, ",".join(ids))
        if first is not None:
            g.request_id = first.split(",")[0]
            return first.split(","), body

    try:
        _admit(app, queue, dict(zip(ids, map(len, images))))
    except Exception:
        if key:
            # Refused (450, quota): a retry with the same key must be judged again, not shown these ids.
            r.jobs.release_idempotency_key(app.app_id, key, ",".join(ids))
        raise
    for request_id, image, configure in zip(ids, images, configures):
        r.jobs.create(request_id, service=service, app=app.app_id, image=image, configure=configure, queue=queue,
                      callback_url=callback_url)
        r.celery.send_task("ocrq.run_job", args=[request_id], queue=queue, task_id=request_id)
    return ids, body


def _admit(app: App, queue: str, sizes: dict[str, int]) -> None:
    """Room in the queue and in the image budget for these jobs (job id → picture bytes), and the app's quota."""
    r = resources()
    bound = r.settings.interactive_queue_bound if queue == INTERACTIVE else r.settings.bulk_queue_bound
    if queue_depth(r.redis, queue) + len(sizes) > bound:
        raise errors.QueueFull()
    # Waiting pictures are held in Redis: past their budget the queue is as full as past its bound.
    budget = ImageBudget(r.redis, r.settings.image_budget, r.settings.result_ttl)
    if not budget.reserve(sizes):
        raise errors.QueueFull()
    try:
        r.apps.spend(app, len(sizes))
    except Exception:
        budget.release(*sizes)
        raise


def _with_rate_headers(response: Response) -> Response:
    decision = g.get("rate")
    if decision is not None:
        response.headers.update(rate_limit_headers(decision.limit, decision.remaining, decision.reset))
    return response


@recognition.post("/api/predict/<service>")
@recognition.post("/rest/160601/ocr/<service>.json")
def predict(service: str) -> Response:
    ids, body = submit(service)
    r = resources()
    deadline = time.monotonic() + r.settings.sync_timeout
    results = []
    for request_id in ids:
        job = r.jobs.wait(request_id, max(0.0, deadline - time.monotonic()))
        if job is None or not job.finished:
            error = errors.ServiceUnavailable()
            error.request_id = request_id
            raise error
        if job.error is not None:
            error = errors.ServiceError.from_dict(job.error)
            error.request_id = request_id
            raise error
        results.append(job.result)
    if body.old_format:
        return _with_rate_headers(jsonify({"outputs": [old_format_output(service, res) for res in results]}))
    return _with_rate_headers(jsonify(results[0]))


@recognition.post("/v1/jobs/<service>")
def create_job(service: str) -> Response:
    ids, body = submit(service, with_callback=True)
    answer = {"request_ids": ids} if body.old_format else {"request_id": ids[0]}
    response = jsonify({**answer, "status": "queued"})
    response.status_code = 202
    response.headers["Location"] = f"/v1/jobs/{ids[0]}"
    return _with_rate_headers(response)


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
