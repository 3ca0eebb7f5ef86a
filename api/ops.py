"""Endpoints for operators and tools: liveness, readiness, Prometheus metrics, the OpenAPI document and its
docs page."""
from __future__ import annotations

from importlib.resources import files

import redis
from flask import Blueprint, Response, current_app, jsonify, send_from_directory
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from api.context import resources
from api.openapi import openapi_document
from workers import heartbeat, metrics
from workers.image_budget import ImageBudget
from workers.queues import QUEUES, queue_depth

ops = Blueprint("ops", __name__)

# Swagger UI 5 (it reads OpenAPI 3.1), as the flask-swagger-ui wheel ships it: served from here, nothing fetched
# from elsewhere. (swagger-ui-bundle ships Swagger UI 4, which cannot show a 3.1 document.)
SWAGGER_UI = str(files("flask_swagger_ui") / "dist")
# Relative addresses, so that the page also works behind a proxy that mounts the API under a prefix.
# validatorUrl null: Swagger UI would otherwise send the document to validator.swagger.io for a badge.
DOCS_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>ocrq API</title>
  <link rel="stylesheet" href="docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({url: "openapi.json", dom_id: "#swagger-ui", deepLinking: true,
                                 validatorUrl: null, presets: [SwaggerUIBundle.presets.apis]});
  </script>
</body>
</html>
"""


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


def _gauges() -> metrics.Gauges:
    r = resources()
    return metrics.Gauges(queue_depths={name: queue_depth(r.redis, name) for name in QUEUES},
                          workers_alive=heartbeat.workers_alive(r.redis),
                          image_bytes=ImageBudget(r.redis, r.settings.image_budget, r.settings.result_ttl).used())


@ops.get("/metrics")
def metrics_text() -> Response:
    """Every process's figures, from Redis (workers/metrics.py says why not prometheus-client's multiprocess mode)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(metrics.RedisCollector(resources().redis, _gauges))
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


@ops.get("/openapi.json")
def openapi() -> Response:
    # Built once per app (the routes and the services do not change while it runs): 0.1 s of schema generation.
    if "ocr_openapi" not in current_app.extensions:
        current_app.extensions["ocr_openapi"] = openapi_document(current_app)
    return jsonify(current_app.extensions["ocr_openapi"])


@ops.get("/docs")
def docs() -> Response:
    """The OpenAPI document in Swagger UI; no APPCODE needed to read it (one is needed to try a call)."""
    return Response(DOCS_PAGE, mimetype="text/html")


@ops.get("/docs/<path:name>")
def docs_file(name: str) -> Response:
    return send_from_directory(SWAGGER_UI, name)   # NotFound (400 Invalid URL) outside the folder
