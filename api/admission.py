"""The one way pictures are admitted as jobs, for every endpoint that takes them: the app authenticated, a
token from its bucket, each picture's header checked, room in the queue and in the image budget, the app's
quota, and the rate headers of the answer; then the jobs stored and sent, and for a synchronous call waited for.

Everything that can refuse a call does so before a job exists, so that what is accepted is never lost.
"""
from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence

from flask import Response, g, request

from api import errors
from api.apps import App
from api.context import resources
from api.image_url import fetch_image
from api.ratelimit import rate_limit_headers
from api.signature import authenticate_request
from ocr_core.steps.decode import decode_base64, probe_image
from ocr_core.steps.orient import check_size
from workers.image_budget import ImageBudget
from workers.jobs import new_request_id
from workers.queues import INTERACTIVE, queue_depth


def authenticate() -> App:
    """The calling app, by APPCODE or by app key and signature; every endpoint that needs an app asks here."""
    r = resources()
    g.app = authenticate_request(r.apps, r.redis, request, bool(r.settings.require_content_md5))  # the access log names it
    return g.app


def read_body() -> bytes:
    """The request's body, at most `max_body_bytes` (413 past it), whether its length was given or it came chunked."""
    limit = resources().settings.max_body_bytes
    if request.content_length is not None:
        return request.get_data(cache=False)  # past the limit Werkzeug refuses it (413) before reading
    # Chunked: no length to refuse it by, and Werkzeug's own stream would stop at the limit silently (a cut body
    # then reads as bad JSON). Read one byte past the limit from the server's stream to tell.
    if not request.environ.get("wsgi.input_terminated"):
        return b""
    stream, parts, size = request.environ["wsgi.input"], [], 0
    while size <= limit:
        chunk = stream.read(min(1 << 20, limit + 1 - size))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    if size > limit:
        raise errors.PayloadTooLarge()
    return b"".join(parts)


def take_token(app: App, service: str) -> None:
    """One call of `app` on `service` from its token bucket, or 429 (403 by a setting) with when to retry."""
    r = resources()
    decision = r.bucket.take(app.app_id, service)
    g.rate = decision
    if not decision.allowed:
        raise errors.Throttled(decision.retry_after, decision.limit, decision.reset, r.settings.throttle_status)


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
    info = probe_image(data, settings.max_pixels, settings.max_pages)
    check_size(info.width, info.height)  # refused before it is queued, as recognition would refuse it
    return data


def idempotency_fingerprint(parts: Sequence[bytes]) -> str:
    """A hash of what a call is (the app is in the key): its endpoint, service, query and body (`parts`)."""
    digest = hashlib.sha256()
    for part in (request.endpoint or "", repr(sorted((request.view_args or {}).items())),
                 repr(sorted(request.args.items(multi=True))), *parts):
        data = part if isinstance(part, bytes) else part.encode("utf-8", "backslashreplace")
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def admit(app: App, service: str, images: Sequence[bytes], configures: Sequence[dict], *,
          queue: str = INTERACTIVE, callback_url: str | None = None, idempotency_key: str | None = None,
          fingerprint: str = "") -> list[str]:
    """Accept these pictures as jobs of `service` (after `take_token` and `load_image`); their ids, or the ids of
    the first call made with the same Idempotency-Key (`g.replayed` then true) when `fingerprint`
    (`idempotency_fingerprint`) is that call's, else 422. 450 when the queue or the image budget is full."""
    r = resources()
    ids = [g.request_id] + [new_request_id() for _ in images[1:]]
    g.replayed = False
    # The key is bound to the app (in its Redis key) and to what the call was: "fingerprint ids".
    bound = f"{fingerprint} {','.join(ids)}"
    if idempotency_key:
        first = r.jobs.claim_idempotency_key(app.app_id, idempotency_key, bound)
        if first is not None:
            first_fingerprint, _, first_ids = first.rpartition(" ")
            if first_fingerprint != fingerprint:
                raise errors.IdempotencyKeyInUse("keys for idempotent requests can only be used with the same "
                                                 "path and body as the call that first used them")
            first_jobs = first_ids.split(",")
            # A key bound to jobs that were never stored (Redis went away between binding the key and storing
            # them, and the call answered 503) is taken over by this call, which stores its own.
            if r.jobs.get(first_jobs[0]) is not None or not r.jobs.rebind_idempotency_key(
                    app.app_id, idempotency_key, first, bound):
                g.request_id, g.replayed = first_jobs[0], True
                return first_jobs
    try:
        _reserve(app, queue, dict(zip(ids, map(len, images))))
    except Exception:
        if idempotency_key:
            # Refused (450, quota): a retry with the same key must be judged again, not shown these ids.
            r.jobs.release_idempotency_key(app.app_id, idempotency_key, bound)
        raise
    for request_id, image, configure in zip(ids, images, configures):
        r.jobs.create(request_id, service=service, app=app.app_id, image=image, configure=configure, queue=queue,
                      callback_url=callback_url)
        r.celery.send_task("ocrq.run_job", args=[request_id], queue=queue, task_id=request_id)
    return ids


def _reserve(app: App, queue: str, sizes: dict[str, int]) -> None:
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


def wait_for(ids: Sequence[str]) -> list[dict]:
    """The results of these jobs within the synchronous wait: 503 naming the job still going on past it, or the
    error a job ended with (carrying that job's id)."""
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
    return results


def with_rate_headers(response: Response) -> Response:
    """The answer with the caller's RateLimit-* headers, when the call took a token."""
    decision = g.get("rate")
    if decision is not None:
        response.headers.update(rate_limit_headers(decision.limit, decision.remaining, decision.reset))
    return response
