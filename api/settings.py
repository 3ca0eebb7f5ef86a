"""The API's settings (where it listens, bodies, waits, the rate limit, queue bounds, image URLs) and the
local launcher's data folder, over the workers': `ocrq settings` and the README's table show them all."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from ocr_core.settings import MiB, settings_table
from workers.settings import WorkerSettings


@dataclass(frozen=True)
class Settings(WorkerSettings):
    data_dir: str = field(default="var", metadata={"doc": "where `ocrq up` keeps Redis data (AOF), logs and the sample request"})
    host: str = field(default="127.0.0.1", metadata={"doc": "address the API listens on"})
    port: int = field(default=8080, metadata={"doc": "port the API listens on"})
    api_processes: int = field(default=2, metadata={"doc": "gunicorn processes of the API"})
    api_threads: int = field(default=32, metadata={"doc": "threads per API process (each sync call holds one while it waits)"})
    max_body_bytes: int = field(default=10 * MiB, metadata={"doc": "largest request body (413 past it)"})
    max_inputs: int = field(default=10, metadata={"doc": "most `inputs` of an old-format call, each a job for one token of the bucket (413 past it)"})
    require_content_md5: int = field(default=0, metadata={"doc": "1: a signed call must carry `Content-MD5`, so that its body is signed too (400 Invalid Content-MD5 without it)"})
    sync_timeout: float = field(default=30.0, metadata={"doc": "seconds a synchronous call waits for its job before 503"})
    rate_limit: float = field(default=5.0, metadata={"doc": "requests per second per app per service (token refill rate)"})
    rate_burst: int = field(default=5, metadata={"doc": "token bucket size: calls allowed at once"})
    throttle_status: int = field(default=429, metadata={"doc": "status when throttled: 429, or 403 as the reference's gateway answers"})
    interactive_queue_bound: int = field(default=500, metadata={"doc": "jobs waiting in the interactive queue before 450"})
    bulk_queue_bound: int = field(default=2000, metadata={"doc": "jobs waiting in the bulk queue before 450"})
    fetch_timeout: float = field(default=10.0, metadata={"doc": "seconds to download an `image` given as a URL"})
    fetch_allow: str = field(default="", metadata={"doc": "comma-separated networks (CIDR) image URLs may point into though private, e.g. an intranet"})

    @property
    def fetch_allow_networks(self) -> tuple[str, ...]:
        return tuple(n.strip() for n in self.fetch_allow.split(",") if n.strip())


def readme_table() -> str:
    """The README's table of every setting, recognition's, the workers' and the API's."""
    return settings_table(Settings)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
