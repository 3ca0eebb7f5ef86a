"""Throughput of the whole system against direct `recognize` calls, and submit latency under load.

    python -m bench.throughput [--pages 24] [--workers 1 2] [--rate 100] [--seconds 5]

In one run, on the same generated pages: pages/s of W processes calling
`ocr_core.recognize` directly; pages/s through HTTP + Redis + W worker processes (jobs
submitted to the API, results polled); their ratio (target >= 0.9); and the latency of
`POST /v1/jobs` while requests arrive at a fixed rate (target p99 <= 20 ms).
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import redis
import requests

from api.settings import Settings
from bench.synth import photographed, text_page

ROOT = Path(__file__).resolve().parent.parent


def make_page(seed: int) -> bytes:
    """Page `seed`: a clean scan as PNG when `seed` is even, a photographed page as JPEG when odd."""
    if seed % 2:
        return text_page(1000 + seed, distortion=photographed(1000 + seed)).encode("jpg")
    return text_page(1000 + seed).encode("png")


def make_pages(count: int, processes: int = 1) -> list[bytes]:
    """Pages 0..count-1 (half clean scans, half photographed), drawn by `processes` processes."""
    if processes <= 1 or count < 2 * processes:
        return [make_page(seed) for seed in range(count)]
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        return pool.map(make_page, range(count), chunksize=8)


# -- direct calls ------------------------------------------------------------------

def _direct_worker(args) -> None:
    import ocr_core
    pages, service, configure, nice, warm, go, taken = args
    if nice:
        os.nice(nice)
    ocr_core.warm_up()
    ocr_core.recognize(service, pages[0], configure)  # as a worker's first job would: not timed
    warm.release()
    go.wait()
    while True:
        with taken.get_lock():
            index, taken.value = taken.value, taken.value + 1
        if index >= len(pages):
            return
        ocr_core.recognize(service, pages[index], configure)  # an error ends the process non-zero: the bench stops


def direct_throughput(pages: list[bytes], processes: int, service: str, configure: dict | None = None,
                      nice: int = 0) -> float:
    """Pages per second of `processes` processes, each warmed up, each taking the next page when free
    (as the workers take jobs, so that no process idles while another has a backlog).

    `nice` is the processes' CPU niceness: give the one the workers run with, so that both
    sides meet the same competition on a shared machine.
    """
    ctx = multiprocessing.get_context("spawn")
    warm, go = ctx.Semaphore(0), ctx.Event()  # the clock starts once every process is warm
    taken = ctx.Value("i", 0)  # the next page to take
    procs = [ctx.Process(target=_direct_worker, args=((pages, service, configure or {}, nice, warm, go, taken),))
             for _ in range(min(processes, len(pages)))]
    for p in procs:
        p.start()
    waiting = len(procs)
    while waiting:
        if warm.acquire(timeout=0.5):
            waiting -= 1
        elif any(p.exitcode is not None for p in procs):
            for p in procs:
                p.kill()
            raise RuntimeError("a direct recognize process failed while warming up")
    started = time.perf_counter()
    go.set()
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - started
    if any(p.exitcode for p in procs):
        raise RuntimeError("a direct recognize process failed")
    return len(pages) / elapsed


def seconds_per_page(pages: list[bytes], service: str, engine: str) -> float:
    """Mean time of one page in this process with pipeline `engine`, its engines loaded first."""
    import ocr_core
    ocr_core.recognize(service, pages[0], {"engine": engine})
    started = time.perf_counter()
    for data in pages:
        ocr_core.recognize(service, data, {"engine": engine})
    return (time.perf_counter() - started) / len(pages)


# -- the whole system ----------------------------------------------------------------

class System:
    """redis-server, `ocrq worker` with W processes and `ocrq api`, started for the bench and stopped after."""

    def __init__(self, workers: int, tmp: Path, nice: int = 5):
        from api.cli.launcher import free_port, start_redis
        self.redis = start_redis(tmp / "redis", appendonly=False)
        port = free_port()
        # The app's rate limit and queue bounds are raised: capacity is measured, not the limits.
        self.settings = Settings.from_env({}, redis_url=self.redis.url, port=port, worker_concurrency=workers,
                                          rate_limit=100000.0, rate_burst=100000, interactive_queue_bound=100000,
                                          bulk_queue_bound=100000, worker_nice=nice)
        self.url = f"http://127.0.0.1:{port}"
        self.log = tmp / "system.log"
        self.env = env = {**os.environ, **self.settings.to_env(), "PYTHONPATH": str(ROOT)}
        log = open(self.log, "ab")
        self.procs = [
            subprocess.Popen([sys.executable, "-m", "api.cli", "worker"], env=env, cwd=ROOT, stdout=log, stderr=log),
            subprocess.Popen([sys.executable, "-m", "api.cli", "api"], env=env, cwd=ROOT, stdout=log, stderr=log),
        ]
        from api.apps import AppStore
        _, self.appcode = AppStore(redis.Redis.from_url(self.redis.url)).create("bench")
        self.headers = {"Authorization": f"APPCODE {self.appcode}"}
        try:
            self._wait_ready(workers)
        except RuntimeError:
            self.stop()  # leave no server behind
            raise

    def _wait_ready(self, workers: int) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                ready = requests.get(self.url + "/readyz", timeout=1).json()
                if ready.get("workers_alive"):
                    time.sleep(2.0)  # let every pool process finish its warm-up
                    return
            except requests.RequestException:
                pass  # not listening yet
            time.sleep(0.2)
        raise RuntimeError("system did not become ready")

    def throughput(self, pages: list[bytes], service: str, configure: dict | None = None) -> float:
        """Submit every page as a job, then wait for all; pages per second from first submit to last result."""
        import base64
        session = requests.Session()
        bodies = [json.dumps({"image": base64.b64encode(p).decode(), "configure": configure or {}}) for p in pages]
        started = time.perf_counter()
        ids = []
        for body in bodies:
            r = session.post(f"{self.url}/v1/jobs/{service}", data=body, headers=self.headers, timeout=30)
            r.raise_for_status()
            ids.append(r.json()["request_id"])
        store = redis.Redis.from_url(self.redis.url)
        pending = list(ids)
        while pending:
            # Reading Redis directly keeps the poller from competing with the workers for CPU.
            pending = [i for i in pending if store.hget(f"ocr:job:{i}", "status") not in (b"succeeded", b"failed")]
            if pending:
                time.sleep(0.05)
        elapsed = time.perf_counter() - started
        failed = [i for i in ids if store.hget(f"ocr:job:{i}", "status") != b"succeeded"]
        if failed:
            raise RuntimeError(f"{len(failed)} jobs failed")
        return len(pages) / elapsed

    def warm_up(self, page: bytes, service: str, configure: dict | None = None) -> None:
        """Two jobs per worker process, not timed: a first job each, as the direct processes have had."""
        self.throughput([page] * 2 * self.settings.worker_concurrency, service, configure)

    def submit_latency(self, image: bytes, rate: float, seconds: float) -> list[float]:
        """Latency of POST /v1/jobs (bulk queue) with requests arriving at `rate` per second, open loop."""
        import base64
        body = json.dumps({"image": base64.b64encode(image).decode(), "queue": "bulk"})
        latencies: list[float] = []
        lock = threading.Lock()
        local = threading.local()

        def one():
            session = getattr(local, "session", None) or requests.Session()
            local.session = session
            t0 = time.perf_counter()
            r = session.post(f"{self.url}/v1/jobs/ocr_general", data=body, headers=self.headers, timeout=10)
            dt = time.perf_counter() - t0
            if r.status_code == 202:
                with lock:
                    latencies.append(dt)

        from concurrent.futures import ThreadPoolExecutor
        total = int(rate * seconds)
        with ThreadPoolExecutor(max_workers=32) as pool:
            start = time.perf_counter()
            for n in range(total):
                delay = start + n / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(one)
        if len(latencies) < total:
            raise RuntimeError(f"only {len(latencies)} of {total} submissions accepted")
        return latencies

    def stop(self) -> None:
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        self.redis.stop()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=24)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rate", type=float, default=100.0, help="submissions per second for the latency figure")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--service", default="ocr_general")
    args = parser.parse_args(argv)

    pages = make_pages(args.pages)
    print(f"{len(pages)} generated pages (half photographed), service {args.service}, {os.cpu_count()} cores\n")
    print(f"{'W':>2} {'direct pages/s':>15} {'system pages/s':>15} {'ratio':>6}  (target >= 0.90)")
    latencies = None
    nice = Settings().worker_nice  # the workers' default, given to the direct processes too
    for w in args.workers:
        direct = direct_throughput(pages, w, args.service, nice=nice)
        with tempfile.TemporaryDirectory() as tmp:
            system = System(w, Path(tmp), nice=nice)
            try:
                system.warm_up(pages[0], args.service)
                through = system.throughput(pages, args.service)
                if w == max(args.workers):
                    small = text_page(5, n_lines=2).encode("png")
                    latencies = system.submit_latency(small, args.rate, args.seconds)
            finally:
                system.stop()
        print(f"{w:>2} {direct:>15.2f} {through:>15.2f} {through / direct:>6.2f}", flush=True)
    from ocr_core.engines import PIPELINES, engine_installed
    print("\nper-page time, one process calling recognize, same pages:")
    for engine, pipeline in PIPELINES.items():
        if engine_installed(engine):
            finder = pipeline.detector or "line finder"
            print(f"  {engine:9s} ({finder} finds lines, {pipeline.reader} reads them) "
                  f"{seconds_per_page(pages, args.service, engine):.2f} s", flush=True)
    if latencies:
        print(f"\nsubmit latency, POST /v1/jobs at {args.rate:.0f} requests/s for {args.seconds:.0f} s "
              f"({len(latencies)} requests, W={max(args.workers)} workers busy):")
        print(f"  p50 {percentile(latencies, 50) * 1000:.1f} ms   p99 {percentile(latencies, 99) * 1000:.1f} ms"
              f"   max {max(latencies) * 1000:.1f} ms   (target p99 <= 20 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
