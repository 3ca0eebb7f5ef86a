"""Counters and histograms kept in Redis, and the prometheus-client collector that `/metrics` reads them through.

Every API process (gunicorn runs several, maybe on several hosts) and every worker process (maybe on
other hosts, with no HTTP port of its own) adds to the same figures in Redis, so any API process
answers `/metrics` with the totals of all of them. prometheus-client's multiprocess mode was the
other way: it aggregates only the processes that share one folder on one host, so it could not count
the workers on other hosts, and each API pod would answer its own share. What it costs: one
pipelined Redis round trip per request (and one per job end), beside the several each request makes.

Each histogram keeps, per label values, a count per bucket (not cumulative: one increment per
observation) and a sum; `collect` adds the buckets up as Prometheus wants them. Label values are
bounded by the callers: services are the known ones, routes the app's URL rules, never a raw path.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Callable, Iterator

import redis
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

from workers import keys

INF = math.inf


@dataclass(frozen=True)
class RedisCounter:
    """A counter family in one Redis hash: field = the JSON list of label values, value = the count."""

    name: str
    help: str
    labels: tuple[str, ...]
    key: str

    def inc(self, pipe, *values: str) -> None:
        pipe.hincrby(self.key, json.dumps(values), 1)

    def family(self, client: redis.Redis) -> Metric:
        family = CounterMetricFamily(self.name, self.help, labels=self.labels)
        for field, count in sorted(client.hgetall(self.key).items()):
            values = json.loads(field)
            if len(values) == len(self.labels):
                family.add_metric(values, int(count))
        return family


@dataclass(frozen=True)
class RedisHistogram:
    """A histogram family in one Redis hash: fields `<labels JSON>#<bucket index>` (count of the
    observations in that bucket alone) and `<labels JSON>#sum`."""

    name: str
    help: str
    labels: tuple[str, ...]
    key: str
    buckets: tuple[float, ...]   # upper bounds, ending with +Inf

    def observe(self, pipe, seconds: float, *values: str) -> None:
        index = next(i for i, le in enumerate(self.buckets) if seconds <= le)
        prefix = json.dumps(values)
        pipe.hincrby(self.key, f"{prefix}#{index}", 1)
        pipe.hincrbyfloat(self.key, f"{prefix}#sum", seconds)

    def family(self, client: redis.Redis) -> Metric:
        family = HistogramMetricFamily(self.name, self.help, labels=self.labels)
        series: dict[str, dict[str, float]] = {}
        for field, value in client.hgetall(self.key).items():
            prefix, _, part = field.decode().rpartition("#")
            series.setdefault(prefix, {})[part] = float(value)
        for prefix, parts in sorted(series.items()):
            values = json.loads(prefix)
            if len(values) != len(self.labels):
                continue
            running, buckets = 0, []
            for index, le in enumerate(self.buckets):
                running += int(parts.get(str(index), 0))
                buckets.append((floatToGoString(le), running))
            family.add_metric(values, buckets, parts.get("sum", 0.0))
        return family


HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, INF)
JOB_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, INF)
QUEUE_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0, 3600.0, 14400.0, INF)

REQUESTS = RedisCounter("ocr_requests_total", "HTTP answers of the recognition endpoints by service and status code.",
                        ("service", "code"), keys.metric("requests_by_service"))
HTTP_SECONDS = RedisHistogram("ocr_http_request_seconds", "Time to answer an HTTP request, by route (the URL rule, "
                              "not the path), method and status code.", ("route", "method", "code"),
                              keys.metric("http_seconds"), HTTP_BUCKETS)
JOBS = RedisCounter("ocr_jobs_total", "Finished jobs by service, outcome (succeeded, failed) and error code "
                    "(empty when succeeded).", ("service", "outcome", "error_code"), keys.metric("job_outcomes"))
JOB_SECONDS = RedisHistogram("ocr_job_seconds", "Time from a job's submission to its end.", ("service",),
                             keys.metric("job_seconds"), JOB_BUCKETS)
RECOGNITION_SECONDS = RedisHistogram("ocr_recognition_seconds", "Time a worker spent recognising a job's "
                                     "picture (without its wait in the queue).", ("service",),
                                     keys.metric("recognition_seconds"), JOB_BUCKETS)
QUEUE_WAIT_SECONDS = RedisHistogram("ocr_queue_wait_seconds", "Time from a job's submission to a worker starting "
                                    "it (its first attempt).", ("service", "queue"),
                                    keys.metric("queue_wait_seconds"), QUEUE_BUCKETS)
FAMILIES = (REQUESTS, HTTP_SECONDS, JOBS, JOB_SECONDS, RECOGNITION_SECONDS, QUEUE_WAIT_SECONDS)


def record_request(client: redis.Redis, route: str, method: str, code: int, seconds: float,
                   service: str | None = None) -> None:
    """An HTTP answer: its latency by route; by service too for the recognition endpoints (`service` known)."""
    pipe = client.pipeline(transaction=False)
    HTTP_SECONDS.observe(pipe, seconds, route, method, str(code))
    if service is not None:
        REQUESTS.inc(pipe, service, str(code))
    pipe.execute()


@dataclass(frozen=True)
class JobTimes:
    """What a worker measured of one attempt: its wait in the queue (first attempt only) and its recognition."""

    queue: str
    queue_wait: float | None
    recognition: float | None


def record_job(client: redis.Redis, service: str, error_code: int | None, seconds: float,
               times: JobTimes | None = None) -> None:
    """A finished job: its outcome and error code, the time from submission to its end, and what the worker timed."""
    pipe = client.pipeline(transaction=False)
    JOBS.inc(pipe, service, "succeeded" if error_code is None else "failed",
             "" if error_code is None else str(error_code))
    JOB_SECONDS.observe(pipe, seconds, service)
    if times is not None and times.recognition is not None:
        RECOGNITION_SECONDS.observe(pipe, times.recognition, service)
    if times is not None and times.queue_wait is not None:
        QUEUE_WAIT_SECONDS.observe(pipe, max(0.0, times.queue_wait), service, times.queue)
    pipe.execute()


@dataclass(frozen=True)
class Gauges:
    """Figures read live at each scrape rather than counted."""

    queue_depths: dict[str, int]
    workers_alive: int
    image_bytes: int


class RedisCollector(Collector):
    """The counters and histograms in Redis, and the live gauges, as prometheus-client metric families."""

    def __init__(self, client: redis.Redis, gauges: Callable[[], Gauges]):
        self.client, self.gauges = client, gauges

    def collect(self) -> Iterator[Metric]:
        for family in FAMILIES:
            yield family.family(self.client)
        gauges = self.gauges()
        depth = GaugeMetricFamily("ocr_queue_depth", "Jobs waiting in each queue.", labels=("queue",))
        for name, n in gauges.queue_depths.items():
            depth.add_metric((name,), n)
        yield depth
        yield GaugeMetricFamily("ocr_image_bytes_waiting", "Bytes of waiting pictures held in Redis "
                                "(450 past OCR_IMAGE_BUDGET).", value=gauges.image_bytes)
        yield GaugeMetricFamily("ocr_workers_alive", "Worker processes that sent a heartbeat recently.",
                                value=gauges.workers_alive)
