"""The HTTP server's own refusals in the contract's shape.

gunicorn answers some requests before the app sees them (a request line or header past its limits, a request
that is not HTTP) with an HTML page of its own. `ocrq api` raises its limits above the app's (a request line of
4094 bytes, a header field of 8190: `api.app`), so that the app answers those as any other error; past
gunicorn's own, this worker class writes the same JSON the app would: `success`, `request_id`, `error_code`
equal to the status, `error_msg`, and `X-Ca-Request-Id`.
"""
from __future__ import annotations

import json

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

from workers.jobs import new_request_id

#: gunicorn's limits under `ocrq api`: above what the app itself answers (414, 431), so that it answers them.
LIMIT_REQUEST_LINE = 8190        # gunicorn's largest
LIMIT_REQUEST_FIELD_SIZE = 65536


def json_error(status: int, reason: str) -> bytes:
    """A whole HTTP answer (head and body) for a request the server refused before the app saw it."""
    request_id = new_request_id()
    reason = "".join(c for c in reason if " " <= c <= "~") or "Bad Request"
    body = json.dumps({"success": False, "request_id": request_id, "error_code": status,
                       "error_msg": reason}).encode("ascii")
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nX-Ca-Request-Id: {request_id}\r\n\r\n")
    return head.encode("ascii") + body


def write_json_error(sock, status_int, reason, mesg) -> None:
    """gunicorn's `util.write_error`, in JSON (its message, which may echo the request, left out)."""
    util.write_nonblock(sock, json_error(int(status_int), str(reason)))


class JsonErrorThreadWorker(ThreadWorker):
    """gunicorn's threaded worker whose own error answers are the contract's JSON."""

    def handle_error(self, req, client, addr, exc):
        # gunicorn's workers write their error pages through `util.write_error`, looked up when it is called.
        if util.write_error is not write_json_error:
            util.write_error = write_json_error
        super().handle_error(req, client, addr, exc)
