"""`ocrq up` heals: its Redis SIGKILLed under load is started again on the same port and files, and every job the
API accepted (before the kill, during the outage, after) ends, those accepted before the kill succeeded; a
SIGKILLed worker and a SIGKILLed API come back too, each restart said in the log; SIGTERM still stops it all
and takes the running note away. The supervisor's backoff itself is checked on a clock of the test's own."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
import requests

from api.cli.launcher import RUNNING_FILE, Supervisor
from bench.synth import text_page
from tests.servers import ROOT, b64, free_port, group_alive, group_members, wait_for

ENDED = ("succeeded", "failed")


class FakeProcess:
    pids = iter(range(1000, 100000))

    def __init__(self):
        self.pid, self.returncode = next(self.pids), None

    def poll(self):
        return self.returncode

    def terminate(self):
        self.returncode = -signal.SIGTERM

    kill = terminate

    def wait(self, timeout=None):
        return self.returncode


def test_the_supervisor_restarts_with_doubling_delays_capped_and_reset_after_a_good_run():
    now = [0.0]
    said: list[str] = []
    started: list[FakeProcess] = []
    fail_next = [False]

    def start():
        if fail_next[0]:
            fail_next[0] = False
            raise RuntimeError("redis-server did not start on port 6399: \nlog tail")
        started.append(FakeProcess())
        return started[-1]

    sup = Supervisor(said.append, first_delay=1, max_delay=30, healthy_after=60, clock=lambda: now[0])
    sup.add("redis", start)
    other = sup.add("api", FakeProcess, process=FakeProcess())

    def end_and_restart(how: int = -signal.SIGKILL) -> float:
        """End the running redis at once; the delay before it was started again."""
        started[-1].returncode = how
        sup.check()
        delay = float(said[-1].split("starting it again in ")[1].split(" s")[0])
        count = len(started)
        now[0] += delay - 0.01
        sup.check()
        assert len(started) == count, "started again before its delay"
        now[0] += 0.01
        sup.check()
        assert len(started) == count + 1 and sup.all_running()
        return delay

    assert [end_and_restart() for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    assert "redis (pid " in said[0] and "was killed by SIGKILL after 0 s" in said[0] and "(restart 1)" in said[0]
    assert "(restart 7)" in said[-1]
    now[0] += 60  # a run long enough: the next end starts from the first delay again
    assert end_and_restart(3) == 1 and "exited with 3 after 60 s" in said[-1]

    # A start that fails is said in one line and tried again later, the delay doubled.
    started[-1].returncode = -signal.SIGKILL
    sup.check()
    fail_next[0] = True
    now[0] += 2
    sup.check()
    assert said[-1] == ("redis did not start: redis-server did not start on port 6399: log tail; "
                        "starting it again in 4 s (restart 10)"), said[-1]
    assert not sup.all_running()
    now[0] += 4
    sup.check()
    assert sup.all_running() and other.restarts == 0

    sup.stop()
    assert all(p.returncode is not None for p in started) and other.process.returncode is not None


def children(pid: int) -> dict[str, int]:
    """The processes `pid` started, by what they are: redis, worker, api."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError):
            continue
        if int(fields[1]) != pid or fields[0] == "Z":
            continue
        name = ("redis" if "redis-server" in cmdline else "worker" if "celery" in cmdline
                else "api" if "api.cli api" in cmdline else cmdline)
        found[name] = int(stat.parent.name)
    return found


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_ocrq_up_restarts_a_killed_redis_worker_and_api_and_loses_no_accepted_job(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OCR_", "OCRQ_")) and k != "REDIS_URL"}
    port = free_port()
    env |= {"OCR_DATA_DIR": str(tmp_path), "OCR_PORT": str(port), "OCR_WORKER_CONCURRENCY": "1",
            "OCR_RATE_LIMIT": "1000", "OCR_RATE_BURST": "1000", "OCR_RESTORE_INTERVAL": "1",
            "OCR_LOST_JOB_SWEEP": "2", "OCR_SOFT_TIME_LIMIT": "60", "OCR_HARD_TIME_LIMIT": "90"}
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "up"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    log = tmp_path / "ocrq.log"
    try:
        printed = ""
        deadline = time.monotonic() + 180
        while "Stop with Ctrl-C" not in printed and time.monotonic() < deadline and proc.poll() is None:
            printed += proc.stdout.readline()
        assert "Stop with Ctrl-C" in printed, printed + log.read_text()[-3000:]
        code = next(line.split()[1] for line in printed.splitlines() if line.startswith("APPCODE:"))
        url = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"APPCODE {code}"}
        note = json.loads((tmp_path / RUNNING_FILE).read_text())
        first = children(proc.pid)
        assert set(first) == {"redis", "worker", "api"}, first

        pages = [text_page(8100 + n, n_lines=1) for n in range(400)]
        accepted: list[tuple[str, bool]] = []   # request id, accepted before Redis was killed
        refused: list[str] = []
        killed = threading.Event()
        stop = threading.Event()

        def submit(n: int) -> str | None:
            try:
                answer = requests.post(f"{url}/v1/jobs/ocr_general", headers=headers, timeout=30,
                                       json={"image": b64(pages[n % len(pages)].encode("png"))})
            except requests.RequestException as exc:
                refused.append(type(exc).__name__)
                return None
            if answer.status_code != 202:
                refused.append(str(answer.status_code))
                return None
            return answer.json()["request_id"]

        def load():
            n = 0
            while not stop.is_set():
                before = not killed.is_set()
                request_id = submit(n)
                if request_id:
                    accepted.append((request_id, before))
                n += 1
                time.sleep(0.15)

        loader = threading.Thread(target=load, daemon=True)
        loader.start()
        assert wait_for(lambda: len(accepted) >= 8, 120), refused

        # Redis SIGKILLed with jobs queued and one running.
        os.kill(first["redis"], signal.SIGKILL)
        killed.set()
        at_kill = len(accepted)
        again = wait_for(lambda: (c := children(proc.pid)).get("redis") not in (None, first["redis"]) and c, 60)
        assert again, log.read_text()[-3000:]
        client = redis.Redis.from_url(note["redis_url"])
        assert wait_for(lambda: _pings(client), 30), "Redis did not come back on its port " + note["redis_url"]
        # The load goes on through and after the restart: the API takes jobs again by itself.
        assert wait_for(lambda: len(accepted) >= at_kill + 8, 120), (refused[-20:], log.read_text()[-3000:])
        stop.set()
        loader.join(timeout=60)

        statuses = wait_for(lambda: _all_ended(url, headers, [request_id for request_id, _ in accepted]), 400, 1.0)
        last = _statuses(url, headers, [request_id for request_id, _ in accepted])
        assert statuses, f"jobs not ended: {[(i, s) for i, s in last.items() if s not in ENDED]}"
        before = [request_id for request_id, was_before in accepted if was_before]
        print(f"{len(accepted)} accepted ({len(before)} before the kill), {len(refused)} refused during the "
              f"outage; ended: {sorted(statuses.values()).count('succeeded')} succeeded, "
              f"{sorted(statuses.values()).count('failed')} failed")
        assert len(statuses) == len(accepted)
        assert all(statuses[request_id] == "succeeded" for request_id in before), \
            {i: statuses[i] for i in before if statuses[i] != "succeeded"}

        # A SIGKILLed worker, then a SIGKILLed API: each started again, and a job goes through afterwards.
        for name in ("worker", "api"):
            old = children(proc.pid)[name]
            os.kill(old, signal.SIGKILL)
            assert wait_for(lambda: children(proc.pid).get(name) not in (None, old), 60), log.read_text()[-3000:]
            request_id = wait_for(lambda: submit(0), 120, 0.5)
            assert request_id, refused[-5:]
            ended = wait_for(lambda: _all_ended(url, headers, [request_id]), 180, 0.5)
            assert ended == {request_id: "succeeded"}, _statuses(url, headers, [request_id])

        # One line for each restart, naming what ended and how.
        restarts = [line for line in log.read_text().splitlines() if "starting it again in" in line]
        print("\n".join(restarts))
        assert len(restarts) == 3, restarts
        for name, line in zip(("redis", "worker", "api"), restarts):
            assert f": {name} (pid " in line and "was killed by SIGKILL" in line, restarts
        said = log.read_text()
        assert "a process ended; stopping" not in said
        assert (tmp_path / RUNNING_FILE).exists()
    finally:
        # SIGTERM to `ocrq up` alone: it stops its children itself.
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
    assert proc.returncode == 0
    assert wait_for(lambda: not group_alive(proc.pid), 30), f"left running: {group_members(proc.pid)}"
    assert not (tmp_path / RUNNING_FILE).exists()


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


def _statuses(url: str, headers: dict, ids: list[str]) -> dict[str, str]:
    found = {}
    for request_id in ids:
        try:
            answer = requests.get(f"{url}/v1/jobs/{request_id}", headers=headers, timeout=10)
            found[request_id] = answer.json().get("status", str(answer.status_code))
        except (requests.RequestException, ValueError) as exc:
            found[request_id] = type(exc).__name__
    return found


def _all_ended(url: str, headers: dict, ids: list[str]) -> dict[str, str] | None:
    found = _statuses(url, headers, ids)
    return found if all(status in ENDED for status in found.values()) else None
