"""The Redis keyspace: every key ocrq keeps, named in this one place (all under `ocr:`), whichever process
reads or writes it. Celery's own keys (its queues, `unacked`) are kombu's."""
from __future__ import annotations

PREFIX = "ocr:"

# Jobs (workers.jobs, workers.lost_jobs, workers.callback_queue)
JOB_PREFIX = "ocr:job:"
JOBS_OPEN = "ocr:jobs:open"              # request id -> creation time, for jobs not yet ended
JOBS_MISSING = "ocr:jobs:missing"        # request id -> when a sweep first found its message missing
SWEEP_LOCK = "ocr:jobs:sweep-lock"
CALLBACKS_DUE = "ocr:callbacks:due"
# Waiting pictures' budget (workers.image_budget)
IMAGES_BYTES, IMAGES_SIZE, IMAGES_EXPIRY = "ocr:images:bytes", "ocr:images:size", "ocr:images:expiry"
# Workers alive (workers.heartbeat)
WORKERS = "ocr:workers"
# Apps (api.apps)
APPCODES = "ocr:appcodes"  # hash: sha256(code) -> app id
APPKEYS = "ocr:appkeys"    # hash: app key -> app id


def job(request_id: str) -> str:
    return JOB_PREFIX + request_id


def app_jobs(app_id: str) -> str:
    """An app's recent jobs, newest first."""
    return f"ocr:app:{app_id}:jobs"


def idempotency(app_id: str, key: str) -> str:
    return f"ocr:idem:{app_id}:{key}"


def metric(name: str) -> str:
    return f"ocr:metrics:{name}"


def app(app_id: str) -> str:
    return f"ocr:app:{app_id}"


def app_templates(app_id: str) -> str:
    return f"ocr:app:{app_id}:templates"


def template(template_id: str) -> str:
    return f"ocr:template:{template_id}"


def nonce(app_id: str, value: str) -> str:
    return f"ocr:nonce:{app_id}:{value}"


def bucket(app_id: str, service: str) -> str:
    return f"ocr:bucket:{app_id}:{service}"
