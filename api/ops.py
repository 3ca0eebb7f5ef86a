"""Endpoints for operators and tools: liveness, readiness, Prometheus metrics, the OpenAPI document."""
from __future__ import annotations

import redis
from flask import Blueprint, Response, jsonify

from api.app import resources
from api.openapi import openapi_document
from workers import heartbeat, metrics
from workers.celery_app import QUEUES, queue_depth
from workers.image_budget import ImageBudget

ops = Blueprint("ops", __name__)


@ops.get("/healthz")
def healthz() -> Response:
    """The process answers; says nothing of Redis or workers (that is /readyz)."""
    return jsonify({"status": "ok"})


@ops.get("/readyz")
def readyz() -> Response:
    r = resources()
    try:
        r.redis.ping()
        alive = heartbeat.workers_alive(r.redis)
    except redis.RedisError:
        response = jsonify({"status": "unavailable", "redis": False, "workers_alive": 0})
        response.status_code = 503
        return response
    response = jsonify({"status": "ok" if alive else "no workers", "redis": True, "workers_alive": alive})
    response.status_code = 200 if alive else 503
    return response


@ops.get("/metrics")
def metrics_text() -> Response:
    r = resources()
    depths = {name: queue_depth(r.redis, name) for name in QUEUES}
    image_bytes = ImageBudget(r.redis, r.settings.image_budget, r.settings.result_ttl).used()
    text = metrics.render(r.redis, depths, heartbeat.workers_alive(r.redis), image_bytes)
    return Response(text, mimetype="text/plain; version=0.0.4")


@ops.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())
