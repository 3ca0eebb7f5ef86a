"""A redis-server of our own, for `ocrq up` when no REDIS_URL is given, and for tests and benchmarks; the
supervisor by which `ocrq up` keeps its Redis, worker and API running; and the note by which other commands
find a running `ocrq up` (its Redis, its API) in the same data folder."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

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


def start_redis(data_dir: Path, *, port: int = 0, appendonly: bool = True, appendfsync: str = "always",
                exact_port: bool = False, timeout: float = 30.0) -> RedisServer:
    """Start redis-server on loopback with its files in `data_dir`; returns once it answers PING (and has
    loaded its append-only file: it answers LOADING until then).

    `port` is a preference: another free port when it is taken, unless `exact_port` (a Redis started again
    must be where its clients reconnect). `appendfsync always`: a job the API accepted is on disk before the
    API answers, so not even a crash of the machine (a killed Redis loses nothing already) loses it; fsync
    costs far less than a recognition."""
    if not shutil.which("redis-server"):
        raise RuntimeError("redis-server is not installed (`make run` and `make test` install it)")
    port = port if exact_port else free_port(port)
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / "redis.log"
    for _ in range(1 if exact_port else 3):
        said_before = log.stat().st_size if log.exists() else 0
        proc = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data_dir.resolve()),
             "--save", "", "--appendonly", "yes" if appendonly else "no", "--appendfsync", appendfsync],
            stdout=open(log, "ab"), stderr=subprocess.STDOUT)
        client = redis.Redis(port=port)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                client.ping()
                return RedisServer(proc, port, data_dir)
            except (redis.ConnectionError, redis.ResponseError):  # not listening yet, or LOADING
                time.sleep(0.02)
        proc.kill()
        proc.wait()
        with open(log, "rb") as said:
            said.seek(said_before)
            if b"Address already in use" not in said.read():
                break
        port = free_port()  # taken between our look and its bind (another Redis starting): any other
    raise RuntimeError(f"redis-server did not start on port {port}: {log.read_text()[-2000:]}")


class Child:
    """One process a Supervisor keeps running: its name, how to start it (returns the process once it is
    usable; raises when it cannot start), and its restarts so far."""

    def __init__(self, name: str, start: Callable[[], subprocess.Popen], process: subprocess.Popen | None = None,
                 started_at: float = 0.0):
        self.name, self.start, self.process, self.started_at = name, start, process, started_at
        self.restarts = 0       # in all, for the log
        self.failures = 0       # quick ends in a row: what the next delay doubles from
        self.due: float | None = None   # when to start it again, while it is down


def how_it_ended(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"was killed by signal {-returncode}"
    return f"exited with {returncode}"


class Supervisor:
    """`ocrq up`'s children, each started again when it ends: after `first_delay` seconds, doubled for each
    end in a row that came within `healthy_after` seconds of its start, at most `max_delay`; a child that
    ran `healthy_after` seconds starts from `first_delay` again. One line to `log` for each restart (and for
    a start that failed, which counts as a quick end). `check` does one round; the caller loops."""

    def __init__(self, log: Callable[[str], None], *, first_delay: float = 1.0, max_delay: float = 30.0,
                 healthy_after: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.log, self.first_delay, self.max_delay, self.healthy_after = log, first_delay, max_delay, healthy_after
        self.clock = clock
        self.children: list[Child] = []

    def add(self, name: str, start: Callable[[], subprocess.Popen],
            process: subprocess.Popen | None = None) -> Child:
        """Keep `name` running: `process` when it was started already, else started now (an error raised
        here is the caller's: a child that cannot start the first time is a failure to start, not a restart)."""
        child = Child(name, start, process if process is not None else start(), self.clock())
        self.children.append(child)
        return child

    def all_running(self) -> bool:
        return all(c.process is not None and c.process.poll() is None for c in self.children)

    def check(self) -> None:
        now = self.clock()
        for child in self.children:
            if child.due is None:
                if child.process is None or child.process.poll() is None:
                    continue
                ran = now - child.started_at
                self._schedule(child, now, ran, f"{child.name} (pid {child.process.pid}) "
                                                f"{how_it_ended(child.process.returncode)} after {ran:.0f} s")
            elif now >= child.due:
                child.due = None
                child.restarts += 1
                try:
                    child.process = child.start()
                except Exception as exc:  # noqa: BLE001 -- whatever it was, try again later
                    child.process = None
                    said = " ".join(str(exc).split()) or repr(exc)  # one line: a log's tail, its end kept
                    said = said if len(said) <= 300 else f"{said[:100]} … {said[-190:]}"
                    self._schedule(child, self.clock(), 0.0, f"{child.name} did not start: {said}")
                    continue
                child.started_at = self.clock()

    def _schedule(self, child: Child, now: float, ran: float, what: str) -> None:
        if ran >= self.healthy_after:
            child.failures = 0
        delay = min(self.max_delay, self.first_delay * 2 ** child.failures)
        child.failures += 1
        child.due = now + delay
        self.log(f"{what}; starting it again in {delay:g} s (restart {child.restarts + 1})")

    def run(self, interval: float = 0.5) -> None:
        """Supervise until interrupted (KeyboardInterrupt, or SystemExit from a SIGTERM handler)."""
        while True:
            self.check()
            time.sleep(interval)

    def stop(self, timeout: float = 20.0) -> None:
        """Stop every child, the last started first (the API before the workers before Redis); SIGKILL for
        one still there after `timeout`."""
        processes = [c.process for c in reversed(self.children) if c.process is not None]
        for child in self.children:
            child.due = None
        for p in processes:
            if p.poll() is None:
                p.terminate()
        for p in processes:
            try:
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


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
