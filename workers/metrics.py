"""Counters and histograms kept in Redis, so every API process and worker adds to the same figures.

`render` writes them in Prometheus's text format for `/metrics`.
"""
from __future__ import annotations

import math

import redis

REQUESTS = "ocr:metrics:requests"   # field "service|code" -> count
JOBS = "ocr:metrics:jobs"           # field "service|outcome" -> count
LATENCY = "ocr:metrics:latency"     # field "service|le" -> count, "service|sum", "service|count"
LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, math.inf)


def record_request(client: redis.Redis, service: str, code: int) -> None:
    client.hincrby(REQUESTS, f"{service}|{code}", 1)


def record_job(client: redis.Redis, service: str, outcome: str, seconds: float) -> None:
    """A finished job: its outcome, and the time from submission to its end."""
    pipe = client.pipeline(transaction=False)
    pipe.hincrby(JOBS, f"{service}|{outcome}", 1)
    for le in LATENCY_BUCKETS:
        if seconds <= le:
            pipe.hincrby(LATENCY, f"{service}|{le}", 1)
    pipe.hincrbyfloat(LATENCY, f"{service}|sum", seconds)
    pipe.hincrby(LATENCY, f"{service}|count", 1)
    pipe.execute()


def _pairs(raw: dict) -> list[tuple[str, str, str]]:
    out = []
    for field, value in raw.items():
        first, _, second = field.decode().partition("|")
        out.append((first, second, value.decode()))
    return sorted(out)


def render(client: redis.Redis, queue_depths: dict[str, int], workers_alive: int, image_bytes: int) -> str:
    lines = [
        "# HELP ocr_requests_total HTTP answers by service and status code.",
        "# TYPE ocr_requests_total counter",
    ]
    for service, code, n in _pairs(client.hgetall(REQUESTS)):
        lines.append(f'ocr_requests_total{{service="{service}",code="{code}"}} {n}')
    lines += ["# HELP ocr_jobs_total Finished jobs by service and outcome.", "# TYPE ocr_jobs_total counter"]
    for service, outcome, n in _pairs(client.hgetall(JOBS)):
        lines.append(f'ocr_jobs_total{{service="{service}",outcome="{outcome}"}} {n}')
    lines += [
        "# HELP ocr_job_seconds Time from submission to the end of a job.",
        "# TYPE ocr_job_seconds histogram",
    ]
    latency = {field.decode(): value.decode() for field, value in client.hgetall(LATENCY).items()}
    for service in sorted({field.partition("|")[0] for field in latency}):
        for le in LATENCY_BUCKETS:
            bound = "+Inf" if le == math.inf else str(le)
            lines.append(f'ocr_job_seconds_bucket{{service="{service}",le="{bound}"}} {latency.get(f"{service}|{le}", 0)}')
        lines.append(f'ocr_job_seconds_sum{{service="{service}"}} {latency.get(f"{service}|sum", 0)}')
        lines.append(f'ocr_job_seconds_count{{service="{service}"}} {latency.get(f"{service}|count", 0)}')
    lines += ["# HELP ocr_queue_depth Jobs waiting in each queue.", "# TYPE ocr_queue_depth gauge"]
    for name, depth in queue_depths.items():
        lines.append(f'ocr_queue_depth{{queue="{name}"}} {depth}')
    lines += ["# HELP ocr_image_bytes_waiting Bytes of waiting pictures held in Redis (450 past OCR_IMAGE_BUDGET).",
              "# TYPE ocr_image_bytes_waiting gauge", f"ocr_image_bytes_waiting {image_bytes}"]
    lines += ["# HELP ocr_workers_alive Worker processes that sent a heartbeat recently.",
              "# TYPE ocr_workers_alive gauge", f"ocr_workers_alive {workers_alive}"]
    return "\n".join(lines) + "\n"
