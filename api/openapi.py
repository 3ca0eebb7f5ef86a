"""The OpenAPI 3.1 description of every endpoint, served at /openapi.json."""
from __future__ import annotations

from ocr_core import SERVICES

_ERROR = {"$ref": "#/components/schemas/Error"}


def _errors(*codes: int) -> dict:
    return {str(c): {"description": _ERROR_TEXT[c], "content": {"application/json": {"schema": _ERROR}}} for c in codes}


_ERROR_TEXT = {
    400: "unknown service or path; for signed calls: invalid signature (`X-Ca-Error-Message` shows the server's "
         "StringToSign), timestamp, nonce (`Nonce Used`) or Content-MD5",
    403: "no, unknown or revoked APPCODE or app key; or quota exhausted",
    404: "no such job for this app", 413: "body over the size bound", 429: "over the app's rate limit",
    450: "queue full, retry later", 460: "body is not JSON", 461: "body or configure not as the contract says",
    462: "image missing, not base64, not a picture, or too large", 463: "not the requested kind of document",
    452: "no template definition: none named, or never published", 453: "template without anchors",
    454: "template without fields or tables", 455: "no template with this template_id for this app",
    464: "recognition failed or timed out", 469: "internal error", 503: "sync wait ran out (job goes on) or Redis unavailable",
}

_SUBMIT_ERRORS = (400, 403, 413, 429, 450, 460, 461, 462)

_CALLBACK_URL = {
    "type": "string", "maxLength": 2048, "format": "uri",
    "description": "jobs only (`POST /v1/jobs/{service}`; the synchronous call ignores it): when each job ends, the "
                   "job as `GET /v1/jobs/{request_id}` shows it is POSTed here, with `X-Signature` (hex HMAC-SHA256 "
                   "of the exact body bytes, keyed with the app secret), `X-Request-Id` and `X-Callback-Attempt`; "
                   "anything but a 2xx is retried with a doubling delay. Public addresses only unless the operator "
                   "allows a network (`OCR_CALLBACK_ALLOW`); redirects are not followed. Not http(s) with a host: 461",
}


def openapi_document() -> dict:
    service = {"name": "service", "in": "path", "required": True,
               "schema": {"type": "string", "enum": sorted(SERVICES)}}
    auth = [{"appcode": []}, {"appkey": []}]  # either one
    body = {"required": True, "content": {"application/json": {"schema": {"oneOf": [
        {"$ref": "#/components/schemas/NewFormat"}, {"$ref": "#/components/schemas/OldFormat"}]}}}}
    queue = {"name": "queue", "in": "query", "required": False,
             "schema": {"type": "string", "enum": ["interactive", "bulk"]}}
    idem = {"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string"}}
    sync = {
        "summary": "Recognise a picture and wait for the answer (the reference's call)",
        "security": auth, "parameters": [service, queue, idem], "requestBody": body,
        "responses": {"200": {"description": "the service's fields, or `outputs` for the old format",
                              "content": {"application/json": {"schema": {"type": "object"}}}},
                      **_errors(*_SUBMIT_ERRORS, 463, 464, 469, 503)},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "ocrq", "version": "0.1.0",
                 "description": "Self-hosted OCR for Chinese back-office documents, in the wire format of "
                                "Alibaba Cloud's printed-text OCR API, plus asynchronous jobs."},
        "paths": {
            "/api/predict/{service}": {"post": {**sync, "operationId": "predict"}},
            "/rest/160601/ocr/{service}.json": {"post": {**sync, "operationId": "predictReferencePath"}},
            "/v1/jobs/{service}": {"post": {
                "summary": "Submit pictures as jobs; poll them by request_id", "operationId": "createJob",
                "security": auth, "parameters": [service, queue, idem], "requestBody": body,
                "responses": {"202": {"description": "accepted", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Accepted"}}}}, **_errors(*_SUBMIT_ERRORS, 469, 503)},
            }},
            "/v1/jobs/{request_id}": {"get": {
                "summary": "A job's status and result", "operationId": "getJob", "security": auth,
                "parameters": [{"name": "request_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "the job", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Job"}}}}, **_errors(400, 403, 404, 503)},
            }},
            **_template_paths(auth),
            **_console_paths(auth),
            "/healthz": {"get": {"summary": "liveness", "operationId": "healthz",
                                 "responses": {"200": {"description": "the process answers"}}}},
            "/readyz": {"get": {"summary": "Redis reachable and a worker alive", "operationId": "readyz",
                                "responses": {"200": {"description": "ready"}, "503": {"description": "not ready"}}}},
            "/metrics": {"get": {"summary": "Prometheus metrics", "operationId": "metrics",
                                 "responses": {"200": {"description": "text format 0.0.4",
                                                       "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
            "/openapi.json": {"get": {"summary": "this document", "operationId": "openapi",
                                      "responses": {"200": {"description": "OpenAPI 3.1"}}}},
        },
        "components": {
            "securitySchemes": {"appcode": {"type": "apiKey", "in": "header", "name": "Authorization",
                                            "description": "`APPCODE <code>`"},
                                "appkey": {"type": "apiKey", "in": "header", "name": "X-Ca-Key",
                                           "description": "The app key, with `X-Ca-Signature` (base64 HMAC-SHA256, or "
                                                          "HmacSHA1, of Alibaba Cloud API Gateway's StringToSign with the "
                                                          "app secret), `X-Ca-Signature-Method`, `X-Ca-Timestamp` (ms, "
                                                          "within 15 minutes), `X-Ca-Nonce` (used once) and "
                                                          "`X-Ca-Signature-Headers` (must list x-ca-key, x-ca-nonce, "
                                                          "x-ca-timestamp)"}},
            "schemas": {
                "NewFormat": {"type": "object", "required": ["image"], "properties": {
                    "image": {"type": "string", "description": "base64 of the picture, or an http(s) URL"},
                    "configure": {"oneOf": [{"type": "string"}, {"type": "object"}]},
                    "queue": {"type": "string", "enum": ["interactive", "bulk"]},
                    "callback_url": _CALLBACK_URL}},
                "TypedValue": {"type": "object", "required": ["dataType", "dataValue"], "properties": {
                    "dataType": {"type": "integer", "enum": [1, 10, 20, 30, 40, 50, 60]}, "dataValue": {}}},
                "OldFormat": {"type": "object", "required": ["inputs"], "properties": {"callback_url": _CALLBACK_URL, "inputs": {
                    "type": "array", "minItems": 1, "items": {"type": "object", "required": ["image"], "properties": {
                        "image": {"$ref": "#/components/schemas/TypedValue"},
                        "configure": {"$ref": "#/components/schemas/TypedValue"}}}}}},
                "Accepted": {"type": "object", "properties": {
                    "request_id": {"type": "string"}, "request_ids": {"type": "array", "items": {"type": "string"}},
                    "status": {"const": "queued"}}},
                "Job": {"type": "object", "required": ["request_id", "service", "status"], "properties": {
                    "request_id": {"type": "string"}, "service": {"type": "string"},
                    "status": {"enum": ["queued", "running", "succeeded", "failed"]},
                    "result": {"type": ["object", "null"]},
                    "error": {"type": ["object", "null"], "properties": {"code": {"type": "integer"},
                                                                          "message": {"type": "string"}}},
                    "created_at": {"type": "string"}, "finished_at": {"type": ["string", "null"]},
                    "callback": {"type": "object", "description": "only for a job submitted with a callback_url: "
                                 "how its delivery went", "properties": {
                                     "status": {"enum": ["pending", "delivered", "failed"]},
                                     "attempts": {"type": "integer"},
                                     "error": {"type": "string", "description": "the last failure's reason"}}}}},
                "Error": {"type": "object", "required": ["success", "error_code", "error_msg"], "properties": {
                    "success": {"const": False}, "request_id": {"type": ["string", "null"]},
                    "error_code": {"type": "integer"}, "error_msg": {"type": "string"}}},
            },
        },
    }


def _template_paths(auth: list) -> dict:
    """The custom templates of the calling app (API.md "Templates")."""
    template_id = {"name": "template_id", "in": "path", "required": True, "schema": {"type": "string"}}
    box = {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4, "description": "[x, y, w, h]"}
    definition = {"required": True, "content": {"application/json": {"schema": {"type": "object", "properties": {
        "name": {"type": "string"}, "image": {"type": "string", "description": "base64 of the blank sample"},
        "anchors": {"type": "array", "items": {"type": "object", "properties": {"text": {"type": "string"}, "box": box}}},
        "fields": {"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string", "description": "ending (cr): may wrap lines; a name shared: joined in order"},
            "box": box}}},
        "tables": {"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string", "description": "ending (hl), (vl) or (nl): only horizontal, only vertical or no rules"},
            "box": {**box, "description": "[x, y, w, h] of the body rows"},
            "columns": {"type": "array", "items": {"type": "object", "properties": {
                "label": {"type": "string"}, "x0": {"type": "number"}, "x1": {"type": "number"}}}}}}}}}}}}
    ok = {"description": "done", "content": {"application/json": {"schema": {"type": "object"}}}}
    one = {"security": auth, "parameters": [template_id]}
    return {
        "/v1/templates": {
            "post": {"summary": "Create a template (a draft)", "operationId": "createTemplate", "security": auth,
                     "requestBody": definition,
                     "responses": {"201": {"description": "`{template_id}`"}, **_errors(403, 452, 453, 454, 460, 461, 462)}},
            "get": {"summary": "The app's templates", "operationId": "listTemplates", "security": auth,
                    "responses": {"200": ok, **_errors(403)}}},
        "/v1/templates/{template_id}": {
            "get": {**one, "summary": "A template: its draft, picture and published version", "operationId": "getTemplate",
                    "responses": {"200": ok, **_errors(403, 404)}},
            "put": {**one, "summary": "Replace the draft (the published version stays in force)",
                    "operationId": "updateTemplate", "requestBody": definition,
                    "responses": {"200": ok, **_errors(403, 404, 452, 453, 454, 460, 461, 462)}},
            "delete": {**one, "summary": "Delete a template", "operationId": "deleteTemplate",
                       "responses": {"200": ok, **_errors(403, 404)}}},
        "/v1/templates/{template_id}/publish": {"post": {
            **one, "summary": "Publish the draft: from now on it answers ocr_template", "operationId": "publishTemplate",
            "responses": {"200": ok, **_errors(403, 404)}}},
        "/v1/templates/{template_id}/try": {"post": {
            **one, "summary": "Run the saved draft on a picture (`image`, optional `configure`)",
            "operationId": "tryTemplate",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/NewFormat"}}}},
            "responses": {"200": {"description": "as ocr_template answers"},
                          **_errors(403, 404, 429, 450, 460, 461, 462, 463, 464, 503)}}},
    }


def _console_paths(auth: list) -> dict:
    """The web console, and the endpoints its jobs page reads."""
    ok = lambda what, schema: {"description": what, "content": {"application/json": {"schema": schema}}}  # noqa: E731
    limit = {"name": "limit", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
             "description": "how many of the latest jobs (out of range: brought within it)"}
    return {
        "/v1/jobs": {"get": {
            "summary": "The app's latest jobs (at most 200, within the result retention), newest first",
            "operationId": "listJobs", "security": auth, "parameters": [limit],
            "responses": {"200": ok("the jobs, each as getJob shows it, with its queue and attempts", {
                "type": "object", "required": ["jobs"],
                "properties": {"jobs": {"type": "array", "items": {"$ref": "#/components/schemas/Job"}}}}),
                **_errors(400, 403, 461, 503)}}},
        "/v1/status": {"get": {
            "summary": "Jobs waiting in each queue and workers alive", "operationId": "status", "security": auth,
            "responses": {"200": ok("the queues", {
                "type": "object", "required": ["queues", "workers_alive"], "properties": {
                    "queues": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "workers_alive": {"type": "integer"}}}), **_errors(400, 403, 503)}}},
        "/console": {"get": {
            "summary": "The web console: try services, draw templates, watch jobs (signed in with an APPCODE)",
            "operationId": "console",
            "responses": {"200": {"description": "the page",
                                  "content": {"text/html": {"schema": {"type": "string"}}}}}}},
    }
