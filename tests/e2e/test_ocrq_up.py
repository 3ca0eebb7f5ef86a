"""`ocrq up` as `make run` calls it: Redis started for us, workers and API, the printed curl line works, and
the other commands run beside it find its Redis and API through its data folder."""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

import pytest

from api.cli.launcher import RUNNING_FILE
from tests.servers import ROOT, free_port, group_alive, group_members, interruptible, wait_for


@pytest.mark.skipif(not shutil.which("curl"), reason="curl is not installed; the printed line is a curl command")
def test_ocrq_up_prints_a_working_curl_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OCR_", "OCRQ_")) and k != "REDIS_URL"}
    env |= {"OCR_DATA_DIR": str(tmp_path), "OCR_PORT": str(free_port()), "OCR_WORKER_CONCURRENCY": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "up"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True, preexec_fn=interruptible)
    try:
        printed = ""
        deadline = time.monotonic() + 120
        while "Stop with Ctrl-C" not in printed and time.monotonic() < deadline and proc.poll() is None:
            printed += proc.stdout.readline()
        assert "Stop with Ctrl-C" in printed, printed + (tmp_path / "ocrq.log").read_text()[-3000:]
        assert re.search(r"ocrq is running at http://127\.0\.0\.1:\d+", printed)
        assert re.search(r"APPCODE: [0-9a-f]{32}", printed)
        curl = next(line.strip() for line in printed.splitlines() if line.strip().startswith("curl "))

        answer = json.loads(subprocess.run(shlex.split(curl), capture_output=True, text=True, timeout=60).stdout)
        assert answer["success"] is True
        words = "\n".join(line["word"] for line in answer["ret"])
        assert "上海市静安区北京中路844号" in words
        assert "乙方不得将本合同项下的权利义务转让给第三方" in words

        # Beside it, with REDIS_URL unset: `ocrq apps` finds its Redis (not the default 6379), `ocrq ingest`
        # its API and APPCODE, and a second `ocrq up` in the same folder is refused.
        listing = ocrq(env, "apps", "list")
        assert listing.returncode == 0, listing.stderr
        assert "local (ocrq up)" in listing.stdout
        sample = ROOT / "api" / "static" / "sample.png"
        ingested = ocrq(env, "ingest", str(sample), "--out", str(tmp_path / "results.jsonl"))
        assert ingested.returncode == 0, ingested.stdout + ingested.stderr
        assert json.loads((tmp_path / "results.jsonl").read_text())["status"] == "succeeded"
        second = ocrq(env, "up")
        assert second.returncode == 2 and "already runs in" in second.stderr and "Traceback" not in second.stderr
    finally:
        # Ctrl-C in its terminal: SIGINT to the whole group, `ocrq up` and its children alike (SIGTERM to
        # `ocrq up` alone is tests/e2e/test_ocrq_up_heals.py's). Its children ending must not be restarted.
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0
    # Redis, worker and API (all in its process group) stopped with it.
    assert wait_for(lambda: not group_alive(proc.pid), 30), f"left running: {group_members(proc.pid)}"
    # Gone, and its note with it: the commands say in one line what to do.
    assert not (tmp_path / RUNNING_FILE).exists()
    after = ocrq(env, "apps", "list")
    assert after.returncode == 2 and "Traceback" not in after.stderr
    assert len(after.stderr.strip().splitlines()) == 1 and "no `ocrq up` runs in" in after.stderr


def ocrq(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
