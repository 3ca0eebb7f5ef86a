"""The Flask application factory, and the one place where any error becomes the contract's answer."""
from __future__ import annotations

import logging
import math
import sys
import time

import kombu.exceptions
import redis
from flask import Flask, Response, g, jsonify, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge

from api import errors
from api.apps import AppStore
from api.context import Resources, resources
from api.ratelimit import TokenBucket, rate_limit_headers
from api.settings import Settings, get_settings
from ocr_core import SERVICES
from workers import metrics
from workers.celery_app import create_celery
from workers.connections import get_redis
from workers.jobs import JobStore, new_request_id

log = logging.getLogger(__name__)
#: What the API itself answers for a request line or a header field past these (the HTTP server's own limits,
#: set above them in `ocrq api`, leave them to the app so that the answer is the contract's JSON).
MAX_REQUEST_LINE = 4094
MAX_HEADER_FIELD = 8190
#: One line per request: request_id, app, method, route, service, status, milliseconds; never a picture or a field.
access_log = logging.getLogger("ocrq.access")


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or get_settings()
    app = Flask(__name__, static_folder="static", static_url_path="/static")
    app.config["SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json = SafeJSONProvider(app)

    client = get_redis(settings.broker_url, settings.sentinel_master)
    app.extensions["ocr"] = Resources(
        settings=settings,
        redis=client,
        jobs=JobStore(client, settings.result_ttl),
        apps=AppStore(client),
        bucket=TokenBucket(client, settings.rate_limit, settings.rate_burst),
        celery=create_celery(settings),
    )

    from api.ops import ops
    from api.recognition import recognition
    app.register_blueprint(recognition)
    app.register_blueprint(ops)
    from api.templates import templates
    app.register_blueprint(templates)
    from api.console import console
    app.register_blueprint(console)

    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.register_error_handler(Exception, error_response)
    _log_access_to_stderr()
    return app


class SafeJSONProvider(DefaultJSONProvider):
    """JSON as UTF-8 text, key order kept; a string that UTF-8 cannot hold (a lone surrogate a client sent and
    an answer echoes) is written as a JSON escape instead, so that no answer fails to encode."""

    ensure_ascii = False
    sort_keys = False

    def dumps(self, obj, **kwargs) -> str:
        text = super().dumps(obj, **kwargs)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = super().dumps(obj, **{**kwargs, "ensure_ascii": True})
        return text


def safe_text(text: str) -> str:
    """`text` with what UTF-8 cannot encode (lone surrogates) written as `\\udxxx`: every message echoing
    what a client sent goes through here before it is answered."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _log_access_to_stderr() -> None:
    """Access lines on stderr (gunicorn's own log) when nothing else was set up to show INFO records."""
    if not logging.getLogger().handlers and not access_log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)


def _start_request() -> None:
    g.request_id = new_request_id()
    g.started = time.perf_counter()
    # The request line (method, target, version) and each header field within the bounds an HTTP server keeps.
    target = request.environ.get("RAW_URI") or request.full_path
    if len(request.method) + len(target) + len(" HTTP/1.1 ") > MAX_REQUEST_LINE:
        raise errors.URITooLong()
    if any(len(name) + len(value) + 2 > MAX_HEADER_FIELD for name, value in request.headers.items()):
        raise errors.HeaderFieldsTooLarge()


def _finish_request(response: Response) -> Response:
    request_id = g.get("request_id") or new_request_id()
    response.headers["X-Ca-Request-Id"] = request_id
    seconds = time.perf_counter() - g.get("started", time.perf_counter())
    service = (request.view_args or {}).get("service")
    # Only known services: any text in the path would otherwise become a metrics label (unbounded, unescaped).
    service = service if service in SERVICES else None
    # The URL rule, never the path (which holds job ids and whatever a client sends): a bounded set of labels.
    route = request.url_rule.rule if request.url_rule is not None else "unmatched"
    try:
        metrics.record_request(resources().redis, route, request.method, response.status_code, seconds, service)
    except redis.RedisError:
        log.warning("metrics not recorded: Redis unavailable")
    app = g.get("app")
    access_log.info("request_id=%s app=%s method=%s route=%s service=%s status=%d ms=%.1f", request_id,
                    app.app_id if app is not None else "-", request.method, route, service or "-",
                    response.status_code, seconds * 1000)
    return response


def _as_service_error(exc: Exception) -> errors.ServiceError:
    if isinstance(exc, errors.ServiceError):
        return exc
    if isinstance(exc, RequestEntityTooLarge):
        return errors.PayloadTooLarge()
    if isinstance(exc, NotFound):
        return errors.InvalidURL()
    if isinstance(exc, RecursionError):
        # Nesting past what the parsers take, wherever it was met: a body that cannot be read.
        return errors.InvalidJson()
    if isinstance(exc, (redis.RedisError, kombu.exceptions.OperationalError)):
        # The job store's client raises the one, the broker's (sending a job to its queue) the other.
        log.error("Redis unavailable: %s", exc)
        return errors.ServiceUnavailable()
    log.exception("unexpected error", exc_info=exc)
    return errors.ParseResultError()


def error_response(exc: Exception) -> Response:
    if isinstance(exc, HTTPException) and not isinstance(exc, (RequestEntityTooLarge, NotFound)):
        response = jsonify({"success": False, "request_id": g.get("request_id"),
                            "error_code": exc.code, "error_msg": safe_text(str(exc.description))})
        response.status_code = exc.code or 400
        if isinstance(exc, MethodNotAllowed):
            response.headers["Allow"] = ", ".join(exc.valid_methods or [])
        return response
    error = _as_service_error(exc)
    request_id = getattr(error, "request_id", None) or g.get("request_id")
    g.request_id = request_id
    response = jsonify({"success": False, "request_id": request_id,
                        "error_code": error.code, "error_msg": safe_text(error.error_msg)})
    response.status_code = error.code
    if isinstance(error, errors.GatewayError) and error.gateway_message:
        response.headers["X-Ca-Error-Message"] = error.gateway_message
    if isinstance(error, errors.Throttled):
        response.headers.update(rate_limit_headers(error.limit, 0, error.reset))
        response.headers["Retry-After"] = str(max(1, math.ceil(error.retry_after)))
    return response

