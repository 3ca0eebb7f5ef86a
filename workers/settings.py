"""The workers' settings (Redis, the job store and its picture budget, callbacks, recognition processes and
their limits), over recognition's: what a worker and the shared store need."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from ocr_core.settings import MiB, RecognitionSettings


@dataclass(frozen=True)
class WorkerSettings(RecognitionSettings):
    redis_url: str = field(default="", metadata={"doc": "Redis for broker, jobs, apps and buckets; unset: `ocrq up` starts one"})
    sentinel_master: str = field(default="mymaster", metadata={"doc": "master name Sentinel knows the Redis by, when REDIS_URL is `sentinel://host1:26379/0;sentinel://host2:26379/0`"})
    result_ttl: int = field(default=86400, metadata={"doc": "seconds a finished job's result is kept"})
    image_budget: int = field(default=2048 * MiB, metadata={"doc": "bytes of waiting pictures Redis may hold, all queues together, before 450; 0: no limit but the queue bounds"})
    callback_allow: str = field(default="", metadata={"doc": "comma-separated networks (CIDR) a `callback_url` may point into though private; apart from `OCR_FETCH_ALLOW`, as posting into a network is not reading from it"})
    callback_timeout: float = field(default=10.0, metadata={"doc": "seconds one callback delivery may take, connection and answer included"})
    callback_attempts: int = field(default=10, metadata={"doc": "deliveries of a callback before it is given up (anything but a 2xx answer is tried again)"})
    callback_backoff: float = field(default=5.0, metadata={"doc": "seconds before a callback's second delivery, doubled before each further one (10 attempts: about 42 minutes in all)"})
    callback_concurrency: int = field(default=4, metadata={"doc": "callbacks each worker delivers at once (threads of its main process, not recognition processes)"})
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
    def callback_allow_networks(self) -> tuple[str, ...]:
        return tuple(n.strip() for n in self.callback_allow.split(",") if n.strip())

    @property
    def broker_url(self) -> str:
        return self.redis_url or "redis://127.0.0.1:6379/0"


@lru_cache(maxsize=1)
def get_settings() -> WorkerSettings:
    return WorkerSettings.from_env()
