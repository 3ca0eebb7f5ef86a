"""A redis-server of our own, for `ocrq up` when no REDIS_URL is given, and for tests and benchmarks;
and the note by which other commands find a running `ocrq up` (its Redis, its API) in the same data folder."""
from __future__ import annotations

import json
import os
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


RUNNING_FILE = "ocrq-up.json"


@dataclass(frozen=True)
class Running:
    """What a running `ocrq up` wrote into its data folder: its pid, the Redis it started (None when it was
    given REDIS_URL: a URL with a password stays out of files) and its API's URL."""

    pid: int
    redis_url: str | None
    api_url: str | None


def write_running(data_dir: Path, *, redis_url: str | None, api_url: str | None) -> Path:
    """Note this process as the `ocrq up` of `data_dir` (readable by its owner only, like the APPCODE beside it)."""
    path = Path(data_dir) / RUNNING_FILE
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"pid": os.getpid(), "redis_url": redis_url, "api_url": api_url}) + "\n")
    tmp.chmod(0o600)
    os.replace(tmp, path)
    return path


def remove_running(data_dir: Path) -> None:
    """Take the note away, if it is this process's (another `ocrq up` may have replaced it)."""
    path = Path(data_dir) / RUNNING_FILE
    found = read_running(data_dir)
    if found is not None and found.pid == os.getpid():
        path.unlink(missing_ok=True)


def read_running(data_dir: Path) -> Running | None:
    """The `ocrq up` running in `data_dir`, or None: no note, an unreadable one, or one left by a process
    that is gone (an `ocrq up` killed with SIGKILL cannot take its note away)."""
    try:
        note = json.loads((Path(data_dir) / RUNNING_FILE).read_text())
        running = Running(int(note["pid"]), note.get("redis_url") or None, note.get("api_url") or None)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return running if _alive(running.pid) else None


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process, but there
    return True
