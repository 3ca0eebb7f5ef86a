"""Real servers for tests: redis-server and Celery workers in their own processes, on free ports."""
from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import redis

from api.local_redis import RedisServer, free_port, start_redis  # noqa: F401 (re-exported for tests)
from ocr_core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Worker:
    process: subprocess.Popen
    name: str
    log: Path

    def kill(self) -> None:
        """SIGKILL the worker and every process of its group, mid-job if there is one."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def start_worker(settings: Settings, tmp: Path, name: str, concurrency: int = 1,
                 extra_env: dict[str, str] | None = None) -> Worker:
    """A real `celery worker` process for `settings`, returned once its heartbeat is in Redis."""
    from workers.heartbeat import WORKERS_KEY
    tmp.mkdir(parents=True, exist_ok=True)
    log = tmp / f"{name}.log"
    env = {**os.environ, **settings.to_env(), "PYTHONPATH": str(ROOT), **(extra_env or {})}
    cmd = [sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker", "-Q", "interactive,bulk",
           "--concurrency", str(concurrency), "-n", f"{name}@%h", "--loglevel", "INFO",
           "--without-gossip", "--without-mingle"]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=open(log, "ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    client = redis.Redis.from_url(settings.broker_url)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(m.decode().startswith(name + "@") for m in client.zrange(WORKERS_KEY, 0, -1)):
            return Worker(proc, name, log)
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"worker {name} did not start:\n{log.read_text()[-3000:]}")


def make_settings(redis_url: str, **overrides) -> Settings:
    """Settings for tests: nothing from the developer's environment, short limits."""
    base = dict(redis_url=redis_url, sync_timeout=60.0, soft_time_limit=60.0, hard_time_limit=90.0,
                restore_interval=1.0, worker_nice=0, worker_concurrency=1)
    return Settings.from_env({}, **{**base, **overrides})



def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def wait_for(predicate, timeout: float, interval: float = 0.05):
    """Poll `predicate` until it returns something truthy; that value, or None when time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return None


def without_packages(tmp: Path, *names: str) -> dict[str, str]:
    """Environment for a child process in which importing `names` fails as if they were not installed."""
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "sitecustomize.py").write_text(
        "import sys\n"
        f"for _name in {names!r}:\n"
        "    sys.modules[_name] = None  # `import _name` now raises ImportError\n")
    return {"PYTHONPATH": f"{tmp}{os.pathsep}{ROOT}"}
