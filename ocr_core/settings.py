"""Every setting of the service in one typed object, read from the environment.

The README's settings table is generated from `FIELDS` (`ocrq settings`), so the
two cannot drift apart.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache

MiB = 1024 * 1024


def _env(name: str) -> str:
    return name.upper() if name.startswith("redis") else "OCR_" + name.upper()


@dataclass(frozen=True)
class Settings:
    # Redis: unset means `ocrq up` starts its own server under `data_dir`.
    redis_url: str = field(default="", metadata={"doc": "Redis for broker, jobs, apps and buckets; unset: `ocrq up` starts one"})
    sentinel_master: str = field(default="mymaster", metadata={"doc": "master name Sentinel knows the Redis by, when REDIS_URL is `sentinel://host1:26379/0;sentinel://host2:26379/0`"})
    data_dir: str = field(default="var", metadata={"doc": "where `ocrq up` keeps Redis data (AOF), logs and the sample request"})
    # Recognition
    tessdata: str = field(default="/usr/share/tesseract-ocr/5/tessdata", metadata={"doc": "Tesseract language data folder (chi_sim, eng, osd)"})
    lang: str = field(default="chi_sim", metadata={"doc": "Tesseract languages for text (chi_sim reads Latin lines too; +eng doubled the error rate)"})
    engine: str = field(default="", metadata={"doc": "pipeline for every service unless a request names one: tesseract, ppocr or mixed; unset: each service's default"})
    max_pixels: int = field(default=40_000_000, metadata={"doc": "largest picture accepted, in pixels, checked from the header (462 past it)"})
    max_pages: int = field(default=50, metadata={"doc": "most pages of a PDF or multi-page TIFF, counted from its header at submission (462 past it); each page is answered apart"})
    # HTTP front
    host: str = field(default="127.0.0.1", metadata={"doc": "address the API listens on"})
    port: int = field(default=8080, metadata={"doc": "port the API listens on"})
    api_processes: int = field(default=2, metadata={"doc": "gunicorn processes of the API"})
    api_threads: int = field(default=32, metadata={"doc": "threads per API process (each sync call holds one while it waits)"})
    max_body_bytes: int = field(default=10 * MiB, metadata={"doc": "largest request body (413 past it)"})
    sync_timeout: float = field(default=30.0, metadata={"doc": "seconds a synchronous call waits for its job before 503"})
    rate_limit: float = field(default=5.0, metadata={"doc": "requests per second per app per service (token refill rate)"})
    rate_burst: int = field(default=5, metadata={"doc": "token bucket size: calls allowed at once"})
    throttle_status: int = field(default=429, metadata={"doc": "status when throttled: 429, or 403 as the reference's gateway answers"})
    interactive_queue_bound: int = field(default=500, metadata={"doc": "jobs waiting in the interactive queue before 450"})
    bulk_queue_bound: int = field(default=2000, metadata={"doc": "jobs waiting in the bulk queue before 450"})
    image_budget: int = field(default=2048 * MiB, metadata={"doc": "bytes of waiting pictures Redis may hold, all queues together, before 450; 0: no limit but the queue bounds"})
    fetch_timeout: float = field(default=10.0, metadata={"doc": "seconds to download an `image` given as a URL"})
    fetch_allow: str = field(default="", metadata={"doc": "comma-separated networks (CIDR) image URLs may point into though private, e.g. an intranet"})
    result_ttl: int = field(default=86400, metadata={"doc": "seconds a finished job's result is kept"})
    callback_allow: str = field(default="", metadata={"doc": "comma-separated networks (CIDR) a `callback_url` may point into though private; apart from `OCR_FETCH_ALLOW`, as posting into a network is not reading from it"})
    callback_timeout: float = field(default=10.0, metadata={"doc": "seconds one callback delivery may take, connection and answer included"})
    callback_attempts: int = field(default=10, metadata={"doc": "deliveries of a callback before it is given up (anything but a 2xx answer is tried again)"})
    callback_backoff: float = field(default=5.0, metadata={"doc": "seconds before a callback's second delivery, doubled before each further one (10 attempts: about 42 minutes in all)"})
    callback_concurrency: int = field(default=4, metadata={"doc": "callbacks each worker delivers at once (threads of its main process, not recognition processes)"})
    # Workers
    worker_concurrency: int = field(default=0, metadata={"doc": "recognition processes per worker; 0: one per core"})
    soft_time_limit: float = field(default=60.0, metadata={"doc": "seconds before a job is stopped with 464; 0: none"})
    hard_time_limit: float = field(default=90.0, metadata={"doc": "seconds before a stuck job's process is killed (464); keep it above the soft limit"})
    max_attempts: int = field(default=3, metadata={"doc": "deliveries of one job before it ends failed (a job that kills its worker)"})
    max_tasks_per_child: int = field(default=500, metadata={"doc": "jobs before a recognition process is recycled (native memory growth)"})
    max_memory_per_child: int = field(default=1_500_000, metadata={"doc": "KiB of resident memory after which a recognition process is recycled"})
    worker_nice: int = field(default=5, metadata={"doc": "CPU niceness of recognition processes, so the API stays responsive"})
    restore_interval: float = field(default=5.0, metadata={"doc": "seconds between sweeps that re-queue jobs held by dead workers"})
    lost_job_sweep: float = field(default=30.0, metadata={"doc": "seconds between sweeps that send again a job whose queue message Redis lost (stopped between a worker's pop and its record of it); 0: none"})

    @property
    def visibility_timeout(self) -> float:
        """A job held this long by a worker is handed to another: it must outlast the hard limit."""
        return self.hard_time_limit * 1.5 + 5.0

    @property
    def fetch_allow_networks(self) -> tuple[str, ...]:
        return tuple(n.strip() for n in self.fetch_allow.split(",") if n.strip())

    @property
    def callback_allow_networks(self) -> tuple[str, ...]:
        return tuple(n.strip() for n in self.callback_allow.split(",") if n.strip())

    @property
    def broker_url(self) -> str:
        return self.redis_url or "redis://127.0.0.1:6379/0"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> "Settings":
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = environ.get(_env(f.name))
            if raw is None or raw == "":
                continue
            kind = type(f.default)
            try:
                values[f.name] = kind(raw)
            except ValueError as exc:
                raise ValueError(f"{_env(f.name)}={raw!r} is not a valid {kind.__name__}") from exc
        return replace(cls(**values), **overrides)

    def to_env(self) -> dict[str, str]:
        """The environment that makes `from_env` give back these settings (for child processes)."""
        return {_env(f.name): str(getattr(self, f.name)) for f in fields(self)}


def settings_table() -> str:
    """The README's table of settings, in Markdown."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for f in fields(Settings):
        default = f.default if f.default != "" else "(unset)"
        rows.append(f"| `{_env(f.name)}` | `{default}` | {f.metadata['doc']} |")
    return "\n".join(rows)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
