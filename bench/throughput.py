"""Throughput of the whole system against direct `recognize` calls, and submit latency under load.

    python -m bench.throughput [--pages 24] [--workers 1 2] [--round 4] [--rate 100] [--seconds 5]

In one run, on the same generated pages: pages/s of W processes calling
`ocr_core.recognize` directly; pages/s through HTTP + Redis + W worker processes (jobs
submitted to the API, results polled); their ratio (target >= 0.97, issue 19); and the latency
of `POST /v1/jobs` while requests arrive at a fixed rate (target p99 <= 20 ms). Both sides are
up and warm together, and take the pages in alternating short rounds (`--round` pages per
worker process), never both at once, so that the machine's load hits both alike.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
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

def _pool_worker(pages, service, configure, nice, orders, taken, done) -> None:
    import ocr_core
    if nice:
        os.nice(nice)
    try:
        ocr_core.warm_up()
        ocr_core.recognize(service, pages[0], configure)  # as a worker's first job would: not timed
        done.put("warm")
        while True:
            end = orders.get()  # a round: take pages until the shared index reaches `end`
            if end is None:
                return
            while True:
                with taken.get_lock():
                    index, taken.value = taken.value, taken.value + 1
                if index >= end:
                    break
                ocr_core.recognize(service, pages[index], configure)
            done.put("idle")
    except BaseException:
        import traceback
        done.put("error: " + traceback.format_exc())
        raise


class DirectPool:
    """W processes calling `ocr_core.recognize` directly, each warmed up once, then given rounds
    of pages: each takes the next page when free (as the workers take jobs, so that no process
    idles while another has a backlog). Between rounds they wait, using no CPU.

    `nice` is the processes' CPU niceness: give the one the workers run with, so that both
    sides meet the same competition on a shared machine.
    """

    def __init__(self, pages: list[bytes], processes: int, service: str, configure: dict | None = None,
                 nice: int = 0):
        ctx = multiprocessing.get_context("spawn")
        self.done, self.taken = ctx.Queue(), ctx.Value("i", 0)  # the next page to take
        self.orders = [ctx.Queue() for _ in range(processes)]
        self.procs = [ctx.Process(target=_pool_worker, args=(pages, service, configure or {}, nice, orders,
                                                              self.taken, self.done), daemon=True)
                      for orders in self.orders]
        for p in self.procs:
            p.start()
        try:
            self._wait("warm", "warming up")
        except RuntimeError:
            self.stop()
            raise

    def _wait(self, word: str, doing: str) -> None:
        """Until every process has said `word`."""
        waiting = len(self.procs)
        while waiting:
            try:
                said = self.done.get(timeout=0.5)
            except queue.Empty:
                if any(p.exitcode is not None for p in self.procs):
                    raise RuntimeError(f"a direct recognize process died while {doing}")
                continue
            if said.startswith("error"):
                raise RuntimeError(f"a direct recognize process failed while {doing}:\n{said}")
            waiting -= said == word

    def run(self, start: int, end: int) -> float:
        """Seconds for the pool to recognise pages start..end-1, from the first taken to the last done."""
        with self.taken.get_lock():
            self.taken.value = start
        started = time.perf_counter()
        for orders in self.orders:
            orders.put(end)
        self._wait("idle", "recognising")
        return time.perf_counter() - started

    def stop(self) -> None:
        for orders in self.orders:
            orders.put(None)
        for p in self.procs:
            p.join(timeout=30)
            if p.exitcode is None:
                p.kill()


def direct_throughput(pages: list[bytes], processes: int, service: str, configure: dict | None = None,
                      nice: int = 0) -> float:
    """Pages per second of a DirectPool of `processes` processes over all `pages`, in one round."""
    pool = DirectPool(pages, min(processes, len(pages)), service, configure, nice)
    try:
        return len(pages) / pool.run(0, len(pages))
    finally:
        pool.stop()


def rounds(count: int, size: int) -> list[tuple[int, int]]:
    """Pages 0..count-1 cut into rounds of `size` (the last may be shorter): (start, end) each."""
    return [(start, min(count, start + size)) for start in range(0, count, max(1, size))]


@dataclass
class Interleaved:
    """Direct and system seconds over the same pages, taken in alternating short rounds."""

    pages: int = 0
    direct_seconds: float = 0.0
    system_seconds: float = 0.0

    @property
    def direct(self) -> float:
        return self.pages / self.direct_seconds

    @property
    def system(self) -> float:
        return self.pages / self.system_seconds

    @property
    def ratio(self) -> float:
        return self.system / self.direct


def interleaved_throughput(pool: DirectPool, system: "System", pages: list[bytes], service: str,
                           configure: dict | None = None, round_size: int = 8) -> Interleaved:
    """Every page through the pool and through the system, in rounds of `round_size` pages that
    alternate between the two (direct first, then system first, by turns), never both at once:
    a machine growing busier or quieter during the run moves both sides alike.

    The pool must hold `pages` (it was started on them)."""
    out = Interleaved()
    for n, (start, end) in enumerate(rounds(len(pages), round_size)):
        for side in (("direct", "system") if n % 2 == 0 else ("system", "direct")):
            if side == "direct":
                out.direct_seconds += pool.run(start, end)
            else:
                out.system_seconds += (end - start) / system.throughput(pages[start:end], service, configure)
        out.pages += end - start
    return out


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
            # Reading Redis directly, in one round trip, keeps the poller from competing with the
            # workers for CPU; polled often, since a short round's end must not wait on the poll.
            with store.pipeline(transaction=False) as pipe:
                for i in pending:
                    pipe.hget(f"ocr:job:{i}", "status")
                statuses = pipe.execute()
            pending = [i for i, status in zip(pending, statuses) if status not in (b"succeeded", b"failed")]
            if pending:
                time.sleep(0.01)
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
    parser.add_argument("--round", type=int, default=4, help="pages per worker process in a round of each side")
    parser.add_argument("--rate", type=float, default=100.0, help="submissions per second for the latency figure")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--service", default="ocr_general")
    args = parser.parse_args(argv)

    pages = make_pages(args.pages)
    print(f"{len(pages)} generated pages (half photographed), service {args.service}, {os.cpu_count()} cores; "
          f"direct and system in alternating rounds of {args.round} pages per worker process\n")
    print(f"{'W':>2} {'direct pages/s':>15} {'system pages/s':>15} {'ratio':>6}  (target >= 0.97)")
    latencies = None
    nice = Settings().worker_nice  # the workers' default, given to the direct processes too
    for w in args.workers:
        pool = DirectPool(pages, w, args.service, nice=nice)
        try:
            with tempfile.TemporaryDirectory() as tmp:
                system = System(w, Path(tmp), nice=nice)
                try:
                    system.warm_up(pages[0], args.service)
                    both = interleaved_throughput(pool, system, pages, args.service, round_size=args.round * w)
                    if w == max(args.workers):
                        small = text_page(5, n_lines=2).encode("png")
                        latencies = system.submit_latency(small, args.rate, args.seconds)
                finally:
                    system.stop()
        finally:
            pool.stop()
        print(f"{w:>2} {both.direct:>15.2f} {both.system:>15.2f} {both.ratio:>6.2f}", flush=True)
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
