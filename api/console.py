"""The web console at /console (static pages, no build step, nothing fetched from outside), and the
small JSON endpoints only it needs: the services and their options, the app's recent jobs and the
state of the queues."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, jsonify, request, send_from_directory

import api.recognition as calls
from api import errors
from api.context import resources
from ocr_core.services import SERVICES
from workers import heartbeat
from workers.jobs import RECENT_JOBS
from workers.queues import QUEUES, queue_depth

console = Blueprint("console", __name__)
PAGES = Path(__file__).resolve().parent / "static" / "console"
#: The console's pages load only their own scripts and styles (no inline script, no eval), pictures from
#: themselves, `data:` and `blob:` (a dropped file, the designer's sample), and are framed by no one.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
                           "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                           "frame-ancestors 'none'")


@console.after_request
def _secure(response: Response) -> Response:
    """Every answer of the console's blueprint: the policy above, no framing, no sniffing of types."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@console.get("/console")
@console.get("/console/")
def index() -> Response:
    response = send_from_directory(PAGES, "index.html")
    response.headers["Cache-Control"] = "no-cache"
    return response


@console.get("/console/services.json")
def services() -> Response:
    """Each service's path name and its own `configure` options: the values an option may take,
    or the name of its type (bool, int, str, list). The Try page builds its controls from it."""
    def spec(option) -> list | str:
        return list(option) if isinstance(option, tuple) else option.__name__
    response = jsonify({"services": {name: {"options": {k: spec(v) for k, v in service.options.items()}}
                                     for name, service in SERVICES.items()}})
    response.headers["Cache-Control"] = "no-cache"
    return response


@console.get("/console/<path:name>")
def page_file(name: str) -> Response:
    response = send_from_directory(PAGES, name)   # NotFound (400 Invalid URL) outside the folder
    response.headers["Cache-Control"] = "no-cache"
    return response


@console.get("/v1/jobs")
def recent_jobs() -> Response:
    """The calling app's latest jobs, newest first, as `GET /v1/jobs/{id}` shows each."""
    app = calls.authenticate()
    raw = request.args.get("limit", "50")
    try:
        limit = int(raw)
    except ValueError:
        raise errors.InvalidOption("limit must be an integer") from None
    limit = min(max(limit, 1), RECENT_JOBS)
    jobs = resources().jobs.recent(app.app_id, limit)
    return jsonify({"jobs": [{**job.to_api(), "queue": job.queue, "attempts": job.attempts} for job in jobs]})


@console.get("/v1/status")
def status() -> Response:
    """Jobs waiting in each queue and workers alive: what the console's jobs page shows."""
    calls.authenticate()
    r = resources()
    return jsonify({"queues": {name: queue_depth(r.redis, name) for name in QUEUES},
                    "workers_alive": heartbeat.workers_alive(r.redis)})
