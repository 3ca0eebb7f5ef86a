"""Delivering a finished job to its `callback_url`: the job as `GET /v1/jobs/{id}` shows it, POSTed and signed.

`X-Signature` is the hex HMAC-SHA256 of the exact body bytes, keyed with the app's secret (the `app_secret`
field of the hash `ocr:app:{app_id}`, read here directly: workers do not import the API). Threads in each
worker's main process deliver, so recognition processes never wait on a receiver. A 2xx answer is success;
anything else is tried again after a doubling delay, up to `callback_attempts` deliveries; a target the
outbound guard refuses is never contacted and fails at once. Logs name the host and the outcome only.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
from urllib.parse import urlsplit

import redis

from workers import callback_queue, keys
from workers.callback_queue import DELIVERED, FAILED, PENDING, Claim
from workers.jobs import JobStore
from workers.outbound_http import AddressRefused, OutboundError, post
from workers.settings import WorkerSettings

log = logging.getLogger(__name__)

LEASE_MARGIN = 30.0  # seconds past the delivery time-out before a claim is presumed dead and taken again
IDLE_POLL = 1.0      # longest sleep when nothing is due (a job ending elsewhere may schedule one any time)


def callback_body(job_view: dict) -> bytes:
    """The bytes POSTed (and signed): the job as GET answers it, compact UTF-8 JSON."""
    return json.dumps(job_view, ensure_ascii=False, separators=(",", ":")).encode()


def sign(secret: str, body: bytes) -> str:
    """`X-Signature`: hex HMAC-SHA256 of the body, keyed with the app secret's UTF-8 bytes."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def retry_delay(settings: WorkerSettings, attempt: int) -> float:
    """Seconds to wait after failed delivery number `attempt` (1, 2, ...): the backoff, doubled each time."""
    return settings.callback_backoff * 2 ** (attempt - 1)


def deliver_callback(client: redis.Redis, settings: WorkerSettings, claim: Claim) -> str:
    """Make one delivery of a claimed callback and record its outcome; the callback's status after it."""
    request_id, attempt = claim.request_id, claim.attempt
    job = JobStore(client, settings.result_ttl).get(request_id)
    url = client.hget(keys.job(request_id), "callback_url")
    if job is None or url is None:
        callback_queue.settle(client, request_id, FAILED, "job gone")
        return FAILED
    url = url.decode()
    host = _host(url)
    secret = client.hget(keys.app(job.app), "app_secret")
    if not secret:
        # Checked when the job was accepted; the app's secret can only have been removed since.
        return _give_up(client, request_id, host, "the app has no secret to sign with")
    body = callback_body(job.to_api())
    headers = {
        "Content-Type": "application/json; charset=utf-8", "User-Agent": "ocrq-callback",
        "X-Signature": sign(secret.decode(), body), "X-Request-Id": request_id,
        "X-Callback-Attempt": str(attempt),
    }
    try:
        status = post(url, body, headers=headers, timeout=settings.callback_timeout,
                      allow_networks=settings.callback_allow_networks)
    except AddressRefused as exc:
        log.warning("callback for %s to %s refused: %s", request_id, host, exc)
        return _give_up(client, request_id, host, "refused: not a public address (see OCR_CALLBACK_ALLOW)")
    except OutboundError as exc:
        # Only the kind of failure: requests' messages quote the URL, whose query may carry the receiver's token.
        reason = str(exc).split(":", 1)[0][:100]
    else:
        if 200 <= status < 300:
            callback_queue.settle(client, request_id, DELIVERED)
            log.info("callback for %s delivered to %s (attempt %d)", request_id, host, attempt)
            return DELIVERED
        reason = f"answered {status}"
    if attempt >= settings.callback_attempts:
        return _give_up(client, request_id, host, reason)
    delay = retry_delay(settings, attempt)
    callback_queue.settle(client, request_id, PENDING, reason, retry_in=delay)
    log.info("callback for %s to %s failed (%s), attempt %d, again in %.1fs", request_id, host, reason, attempt, delay)
    return PENDING


def _give_up(client: redis.Redis, request_id: str, host: str | None, reason: str) -> str:
    callback_queue.settle(client, request_id, FAILED, reason)
    log.warning("callback for %s to %s given up: %s", request_id, host, reason)
    return FAILED


def _host(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def deliver_forever(client: redis.Redis, settings: WorkerSettings, stop: threading.Event) -> None:
    """Claim and deliver due callbacks until `stop` is set (one of a worker's delivery threads)."""
    lease = settings.callback_timeout + LEASE_MARGIN
    while not stop.is_set():
        try:
            claimed = callback_queue.claim(client, lease)
            if isinstance(claimed, Claim):
                deliver_callback(client, settings, claimed)
                continue
            wait = IDLE_POLL if claimed < 0 else min(IDLE_POLL, max(claimed, 0.01))
        except redis.RedisError as exc:
            log.warning("callback delivery waits for Redis: %s", exc)
            wait = IDLE_POLL
        except Exception:  # noqa: BLE001 - one bad callback must not stop this thread for all the others
            log.exception("callback delivery failed")
            wait = IDLE_POLL
        stop.wait(wait)


def start_delivery_threads(client: redis.Redis, settings: WorkerSettings, stop: threading.Event) -> list[threading.Thread]:
    """`callback_concurrency` daemon threads running `deliver_forever`."""
    threads = [threading.Thread(target=deliver_forever, args=(client, settings, stop), daemon=True,
                                name=f"callbacks-{n}") for n in range(max(1, settings.callback_concurrency))]
    for thread in threads:
        thread.start()
    return threads
