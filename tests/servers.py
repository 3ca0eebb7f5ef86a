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
import requests

from api.cli.launcher import RedisServer, free_port, start_redis  # noqa: F401 (re-exported for tests)
from api.settings import Settings
from workers.connections import get_redis

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
                 extra_env: dict[str, str] | None = None, prefix: tuple[str, ...] = ()) -> Worker:
    """A real `celery worker` process for `settings`, returned once its heartbeat is in Redis.

    `prefix`: a command that execs the worker in another context (`ip netns exec NS`); it keeps the pid."""
    from workers.heartbeat import WORKERS_KEY
    tmp.mkdir(parents=True, exist_ok=True)
    log = tmp / f"{name}.log"
    env = {**os.environ, **settings.to_env(), "PYTHONPATH": str(ROOT), **(extra_env or {})}
    cmd = [*prefix, sys.executable, "-m", "celery", "-A", "workers.worker", "worker", "-Q", "interactive,bulk",
           "--concurrency", str(concurrency), "-n", f"{name}@%h", "--loglevel", "INFO",
           "--without-gossip", "--without-mingle"]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=open(log, "ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    client = get_redis(settings.broker_url, settings.sentinel_master)
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
                restore_interval=1.0, lost_job_sweep=2.0, worker_nice=0, worker_concurrency=1)
    return Settings.from_env({}, **{**base, **overrides})



def kill_redis(server: RedisServer) -> None:
    """SIGKILL redis-server: no shutdown, only what its append-only file already holds survives."""
    server.process.kill()
    server.process.wait(timeout=10)


def relaunch_redis(server: RedisServer) -> RedisServer:
    """Start a stopped `server` again with the same command line: same port, same files; once it answers PING."""
    assert server.process.poll() is not None, "redis-server is still running"
    log = server.dir / "redis.log"
    proc = subprocess.Popen(server.process.args, stdout=open(log, "ab"), stderr=subprocess.STDOUT)
    client = redis.Redis(port=server.port)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            # Loading the append-only file answers LOADING (a ResponseError) until it is done.
            client.ping()
            return RedisServer(proc, server.port, server.dir)
        except (redis.ConnectionError, redis.ResponseError):
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"redis-server did not start again on port {server.port}: {log.read_text()[-2000:]}")


def start_sentinel(data_dir: Path, master: RedisServer, name: str = "mymaster") -> RedisServer:
    """A Redis Sentinel (redis-server in sentinel mode) watching `master` as `name`, once it answers for it."""
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    conf = data_dir / "sentinel.conf"  # Sentinel rewrites its own file: one per Sentinel
    conf.write_text(f"port {port}\nbind 127.0.0.1\ndir {data_dir.resolve()}\n"
                    f"sentinel monitor {name} 127.0.0.1 {master.port} 1\n"
                    f"sentinel down-after-milliseconds {name} 1000\n"
                    f"sentinel failover-timeout {name} 10000\n")
    log = data_dir / "sentinel.log"
    proc = subprocess.Popen(["redis-server", str(conf), "--sentinel"], stdout=open(log, "ab"), stderr=subprocess.STDOUT)
    client = redis.Redis(port=port)

    def knows_master():
        try:
            return client.sentinel_get_master_addr_by_name(name)
        except (redis.ConnectionError, redis.ResponseError):
            return None
    if wait_for(lambda: knows_master() or proc.poll() is not None, 15) and proc.poll() is None:
        return RedisServer(proc, port, data_dir)
    proc.kill()
    raise RuntimeError(f"redis sentinel did not start on port {port}: {log.read_text()[-2000:]}")


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


class HttpReceiver:
    """A real HTTP server on a free loopback port that records every request (callbacks, outbound posts).

    `script` lists what to answer, one entry per request, then `default`: a status (200, 500, 302...),
    "drop" (close the connection without an answer) or "slow" (answer after `slow_seconds`).
    """

    def __init__(self, script: list | None = None, default=200, slow_seconds: float = 3.0, host: str = "127.0.0.1"):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        self.script, self.default, self.slow_seconds = list(script or []), default, slow_seconds
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                    action = receiver.script.pop(0) if receiver.script else receiver.default
                if action == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if action == "slow":
                    time.sleep(receiver.slow_seconds)
                    action = 200
                self.send_response(int(action))
                if int(action) in (301, 302, 303, 307, 308):
                    self.send_header("Location", "/redirected")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            do_GET = do_POST

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a client hanging up on a slow answer is part of these tests

        self.server = Server((host, 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def answering(url: str) -> bool:
    """Whether the API at `url` answers its health check (a busy machine may take seconds to)."""
    try:
        return requests.get(url + "/healthz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def interruptible() -> None:
    """Popen's preexec_fn for a child that a test stops with Ctrl-C (SIGINT): a command started in the
    background by a non-interactive shell (CI, the fresh-machine tool, nohup) inherits SIGINT ignored, and
    Python then installs no KeyboardInterrupt for it; a terminal's foreground job has it as the default."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def group_members(pgid: int) -> list[str]:
    """The processes of this group still running, as "pid state command line". Zombies do not count: an
    orphan's is reaped by the machine's first process, which in a container or chroot may take its time."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue   # ended while we looked
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(f"{stat.parent.name} {fields[0]} {command.strip()}")
    return members


def group_alive(pgid: int) -> bool:
    """Whether a process of this group still runs (zombies do not count)."""
    return bool(group_members(pgid))


def poll(client, code: str, request_id: str, timeout: float = 90) -> dict:
    """A job polled through the API (a Flask test client) until it ended."""
    def finished():
        job = client.get(f"/v1/jobs/{request_id}", headers={"Authorization": f"APPCODE {code}"}).json
        return job if job.get("status") in ("succeeded", "failed") else None
    job = wait_for(finished, timeout, interval=0.1)
    assert job, f"job {request_id} did not finish"
    return job
