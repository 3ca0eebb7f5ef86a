"""A redis-server of our own, for `ocrq up` when no REDIS_URL is given, and for tests and benchmarks."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import redis


def free_port(preferred: int = 0) -> int:
    """`preferred` if it is free, else any free port."""
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
        except OSError:
            s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RedisServer:
    process: subprocess.Popen
    port: int
    dir: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def start_redis(data_dir: Path, *, port: int = 0, appendonly: bool = True,
                appendfsync: str = "always") -> RedisServer:
    """Start redis-server on loopback with its files in `data_dir`; returns once it answers PING.

    `appendfsync always`: a job the API accepted is on disk before the API answers, so not even a crash
    of the machine (a killed Redis loses nothing already) loses it; fsync costs far less than a recognition."""
    if not shutil.which("redis-server"):
        raise RuntimeError("redis-server is not installed (`make run` and `make test` install it)")
    port = free_port(port)
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / "redis.log"
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data_dir.resolve()),
         "--save", "", "--appendonly", "yes" if appendonly else "no", "--appendfsync", appendfsync],
        stdout=open(log, "ab"), stderr=subprocess.STDOUT)
    client = redis.Redis(port=port)
    for _ in range(250):
        try:
            client.ping()
            return RedisServer(proc, port, data_dir)
        except redis.ConnectionError:
            if proc.poll() is not None:
                break
            time.sleep(0.02)
    proc.kill()
    raise RuntimeError(f"redis-server did not start on port {port}: {log.read_text()[-2000:]}")
