"""`ocrq ingest` against a real HTTP server, Redis and Celery worker: every input's result, resume, throttling;
and how a run ends when it cannot go on: refused credentials, an unreachable server, Ctrl-C."""
from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from contextlib import contextmanager

import pytest
import redis
from PIL import Image
from werkzeug.serving import make_server

from api.apps import AppStore
from api.cli import commands as cli
from api.cli.ingest import Client, failures_path, ingest, walk
from bench.synth import text_page
from tests.servers import ROOT, free_port, interruptible, make_settings, start_redis, wait_for

CONFIGURE = {"engine": "tesseract"}


@contextmanager
def serving(redis_url: str, **overrides):
    """The API over real HTTP on a free port, with `overrides` of its settings."""
    from api.app import create_app
    http = make_server("127.0.0.1", 0, create_app(make_settings(redis_url, **overrides)), threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{http.server_port}"
    finally:
        http.shutdown()
        thread.join(timeout=10)


@pytest.fixture()
def server(redis_server, worker):
    """The API throttled hard (2 calls a second, 2 at once) so that a fast client meets 429s."""
    with serving(redis_server.url, rate_limit=2.0, rate_burst=2) as url:
        yield url


def ocrq_env(tmp_path) -> dict:
    """A child's environment without the developer's settings, its data folder in `tmp_path`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OCR_", "OCRQ_")) and k != "REDIS_URL"}
    return {**env, "OCR_DATA_DIR": str(tmp_path / "data")}


def ocrq_ingest(tmp_path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "api.cli", "ingest", *args], cwd=ROOT, env=ocrq_env(tmp_path),
                          capture_output=True, text=True, timeout=180, **kwargs)


def pages(folder, seeds) -> list[str]:
    """One generated page of text per seed, written as PNG files in `folder`; their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for seed in seeds:
        path = folder / f"page-{seed}.png"
        path.write_bytes(text_page(seed, n_lines=1).encode("png"))
        paths.append(str(path))
    return paths


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _pil(sample) -> Image.Image:
    return Image.fromarray(sample.image[:, :, ::-1].copy())  # the generator draws BGR


def _used(redis_url: str, code: str) -> int:
    store = AppStore(redis.Redis.from_url(redis_url))
    return store.authenticate(f"APPCODE {code}").used


def test_ingest_writes_every_result_resumes_and_waits_out_throttling(server, redis_server, appcode, tmp_path):
    pages = {seed: text_page(seed, n_lines=2) for seed in (11, 12, 13, 14, 15)}
    folder = tmp_path / "scans"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.png").write_bytes(pages[11].encode("png"))
    (folder / "sub" / "b.jpg").write_bytes(pages[12].encode("jpg"))
    (folder / "notes.txt").write_text("not a picture: the folder walk leaves it out")
    # Two pages of one TIFF: two jobs.
    _pil(pages[13]).save(tmp_path / "two.tif", save_all=True, append_images=[_pil(pages[14])])
    (tmp_path / "c.png").write_bytes(pages[15].encode("png"))
    with open(tmp_path / "manifest.csv", "w", newline="") as f:
        rows = csv.writer(f)
        rows.writerow(["path", "service", "configure"])
        rows.writerow(["two.tif", "ocr_general", json.dumps(CONFIGURE)])
        rows.writerow(["c.png", "", ""])
        rows.writerow(["missing.png", "", ""])

    items = list(walk([str(folder), str(tmp_path / "manifest.csv")], "ocr_general", CONFIGURE))
    assert [(i.path.split("/")[-1], i.page) for i in items] == [
        ("a.png", None), ("b.jpg", None), ("two.tif", 1), ("two.tif", 2), ("c.png", None), ("missing.png", None)]

    out = tmp_path / "results.jsonl"
    client = Client(server, appcode, rate=50)  # far over the server's 2/s: it must wait out the 429s
    summary = ingest(items, client, out, progress=io.StringIO())
    assert (summary.total, summary.succeeded, summary.failed, summary.skipped) == (6, 5, 1, 0)
    assert summary.throttled > 0

    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 6
    truth = {("a.png", None): 11, ("b.jpg", None): 12, ("two.tif", 1): 13, ("two.tif", 2): 14, ("c.png", None): 15}
    for record in records:
        name = record["path"].split("/")[-1]
        if name == "missing.png":
            assert record["status"] == "failed" and record["request_id"] is None
            assert "missing.png" in record["error"]["message"]
            continue
        assert record["status"] == "succeeded", record
        assert record["service"] == "ocr_general" and record["error"] is None
        words = "".join(line["word"] for line in record["result"]["ret"])
        first = pages[truth[(name, record["page"])]].lines[0].text
        assert first[:3] in words, (name, first, words)
    failures = [json.loads(line) for line in failures_path(out).read_text().splitlines()]
    assert [f["path"].split("/")[-1] for f in failures] == ["missing.png"]

    # A second run, through the command line: nothing is sent again, the missing file fails again.
    jobs_before = _used(redis_server.url, appcode)
    rc = cli.main(["ingest", str(folder), str(tmp_path / "manifest.csv"), "--service", "ocr_general",
                   "--configure", json.dumps(CONFIGURE), "--out", str(out), "--api", server,
                   "--appcode", appcode, "--rate", "50"])
    assert rc == 1  # one input still failed
    assert _used(redis_server.url, appcode) == jobs_before == 5
    assert len(out.read_text().splitlines()) == 7  # only the missing file's new line
    assert [json.loads(line)["path"].split("/")[-1] for line in failures_path(out).read_text().splitlines()] == ["missing.png"]


def test_ingest_pdf_pages_and_refused_inputs(server, redis_server, appcode, tmp_path):
    """A PDF becomes one job per page; what the server refuses (462, a bad configure) fails that input only."""
    first, second = _pil(text_page(21, n_lines=2)), _pil(text_page(22, n_lines=2))
    first.save(tmp_path / "doc.pdf", save_all=True, append_images=[second], resolution=200)
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    items = list(walk([str(tmp_path / "*.p*")], "ocr_general", CONFIGURE))
    assert [(i.path.split("/")[-1], i.page) for i in items] == [("broken.png", None), ("doc.pdf", 1), ("doc.pdf", 2)]
    out = tmp_path / "out" / "results.jsonl"
    summary = ingest(items, Client(server, appcode, rate=2), out, progress=None)
    assert (summary.succeeded, summary.failed) == (2, 1)
    records = {(r["path"].split("/")[-1], r["page"]): r for r in map(json.loads, out.read_text().splitlines())}
    assert records[("broken.png", None)]["error"]["code"] == 462
    assert all(records[("doc.pdf", p)]["result"]["ret"] for p in (1, 2))

    # A run killed after its jobs were accepted but before it wrote them: the rerun finds the same jobs
    # (same Idempotency-Key) and makes no new ones.
    out.write_text("")
    summary = ingest(items, Client(server, appcode, rate=2), out, progress=None)
    assert (summary.succeeded, summary.failed) == (2, 1)
    assert _used(redis_server.url, appcode) == 2
    again = {(r["path"].split("/")[-1], r["page"]): r for r in map(json.loads, out.read_text().splitlines())}
    assert [again[("doc.pdf", p)]["request_id"] for p in (1, 2)] == [records[("doc.pdf", p)]["request_id"] for p in (1, 2)]


def test_a_job_without_result_fails_after_the_job_timeout_instead_of_holding_the_run(tmp_path):
    """A server whose jobs never end (here: no worker at all): the run ends, those inputs are failures."""
    from api.app import create_app
    redis_server = start_redis(tmp_path / "redis")
    http = None
    try:
        settings = make_settings(redis_server.url)
        _, code = AppStore(redis.Redis.from_url(redis_server.url)).create("lonely")
        http = make_server("127.0.0.1", 0, create_app(settings), threaded=True)
        threading.Thread(target=http.serve_forever, daemon=True).start()
        (tmp_path / "a.png").write_bytes(text_page(31, n_lines=1).encode("png"))
        out = tmp_path / "results.jsonl"
        summary = ingest(list(walk([str(tmp_path / "a.png")], "ocr_general", CONFIGURE)),
                         Client(f"http://127.0.0.1:{http.server_port}", code), out, poll_interval=0.1,
                         progress=None, job_timeout=1.0)
        assert (summary.succeeded, summary.failed) == (0, 1)
        failure = json.loads(failures_path(out).read_text())
        assert failure["request_id"] and "sent again on the next run" in failure["error"]["message"]
    finally:
        if http is not None:
            http.shutdown()
        redis_server.stop()


# How a run ends when it cannot go on.

def test_a_refused_appcode_stops_the_run_at_once(server, tmp_path, capsys):
    files = pages(tmp_path / "scans", (41, 42, 43))
    out = tmp_path / "results.jsonl"
    rc = cli.main(["ingest", *files, "--out", str(out), "--api", server, "--appcode", "0" * 32])
    said = capsys.readouterr()
    assert rc == 2
    assert said.err.count("the server refused the APPCODE (403") == 1, said.err  # once for the run, not per file
    assert "check --appcode or OCRQ_APPCODE" in said.err
    assert lines(out) == [] and failures_path(out).read_text() == ""  # no input is blamed for it
    assert "3 inputs: 0 succeeded, 0 failed" in said.out and "3 not done" in said.out


def test_a_spent_quota_stops_sending_and_collects_what_was_accepted(server, redis_server, tmp_path, capsys):
    _, code = AppStore(redis.Redis.from_url(redis_server.url)).create("two calls", quota=2)
    files = pages(tmp_path / "scans", (44, 45, 46, 47))
    out = tmp_path / "results.jsonl"
    rc = cli.main(["ingest", *files, "--configure", json.dumps(CONFIGURE), "--out", str(out), "--api", server,
                   "--appcode", code, "--rate", "50"])
    said = capsys.readouterr()
    assert rc == 2
    assert "its quota is spent" in said.err and "Quota Exhausted" in said.err
    assert [r["status"] for r in lines(out)] == ["succeeded", "succeeded"]  # the two accepted jobs' results
    assert {r["path"] for r in lines(out)} == set(files[:2])
    assert _used(redis_server.url, code) == 2
    assert "2 not done" in said.out


def test_a_403_that_only_throttles_is_waited_out(redis_server, worker, appcode, tmp_path):
    """A server set to answer throttling with 403, as the reference's gateway does: not a refusal."""
    with serving(redis_server.url, rate_limit=2.0, rate_burst=1, throttle_status=403) as url:
        files = pages(tmp_path / "scans", (48, 49, 50))
        summary = ingest(list(walk(files, "ocr_general", CONFIGURE)), Client(url, appcode, rate=50),
                         tmp_path / "results.jsonl", progress=None)
    assert (summary.succeeded, summary.failed, summary.stopped) == (3, 0, "")
    assert summary.throttled > 0


def test_an_unreachable_api_is_waited_for_aloud_then_given_up(tmp_path):
    files = pages(tmp_path / "scans", (51, 52, 53))
    out = tmp_path / "results.jsonl"
    nobody = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    done = ocrq_ingest(tmp_path, *files, "--out", str(out), "--api", nobody, "--appcode", "x" * 32,
                       "--give-up-after", "2")
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    waits = [line for line in done.stderr.splitlines() if line.startswith(f"cannot reach {nobody}")]
    assert waits and all("Connection refused" in w and "waiting" in w and "retrying" in w for w in waits), done.stderr
    assert done.stderr.count("gave up") == 1  # one bound for the run, not one per file
    assert f"ocrq ingest: stopped: gave up on {nobody}: unreachable for 2 s" in done.stderr
    assert "3 inputs: 0 succeeded, 0 failed" in done.stdout and "3 not done" in done.stdout
    assert lines(out) == []


def test_ctrl_c_ends_with_the_summary_and_keeps_every_result(server, redis_server, appcode, tmp_path):
    files = pages(tmp_path / "scans", range(61, 71))
    out = tmp_path / "results.jsonl"
    args = [sys.executable, "-m", "api.cli", "ingest", str(tmp_path / "scans"), "--configure", json.dumps(CONFIGURE),
            "--out", str(out), "--api", server, "--appcode", appcode, "--rate", "1"]
    proc = subprocess.Popen(args, cwd=ROOT, env=ocrq_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=interruptible)
    try:
        assert wait_for(lambda: out.exists() and out.read_text().count("\n") >= 1, 120), "no result came back"
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert "ocrq ingest: interrupted; every result so far is in" in stderr
    assert "10 inputs:" in stdout and "not done" in stdout
    kept = lines(out)
    assert 0 < len(kept) < 10 and all(r["status"] == "succeeded" for r in kept)
    assert failures_path(out).exists()

    # The same command again finishes the rest; jobs in flight at Ctrl-C are found again, not made twice.
    rc = cli.main(args[3:-2] + ["--rate", "50"])
    assert rc == 0
    assert sorted(r["path"] for r in lines(out)) == sorted(files)
    assert all(r["status"] == "succeeded" for r in lines(out))
    assert _used(redis_server.url, appcode) == 10


# What a second run sends, and what it leaves alone.

def test_the_failures_file_keeps_earlier_failures_until_they_succeed(server, appcode, tmp_path):
    a, b = pages(tmp_path / "scans", (71, 72))
    lost = tmp_path / "scans" / "lost.png"
    out = tmp_path / "results.jsonl"

    def run(*paths):
        return ingest(list(walk(paths, "ocr_general", CONFIGURE)), Client(server, appcode, rate=2), out, progress=None)

    assert (run(a, str(lost)).failed, [f["path"] for f in lines(failures_path(out))]) == (1, [str(lost)])
    second = run(b)  # a run over other inputs: the earlier failure stays listed
    assert (second.succeeded, second.failed, second.failures_listed) == (1, 0, 1)
    assert [f["path"] for f in lines(failures_path(out))] == [str(lost)]
    lost.write_bytes(text_page(73, n_lines=1).encode("png"))
    assert run(str(lost)).succeeded == 1
    assert failures_path(out).read_text() == ""  # it has succeeded since: no longer a failure


def test_a_file_named_by_several_spellings_is_sent_once(server, redis_server, appcode, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (real,) = pages(tmp_path / "scans", (74,))
    (tmp_path / "link.png").symlink_to(real)
    spellings = ["scans/page-74.png", "./scans/page-74.png", real, "link.png", "scans", "scans/../scans/page-74.png",
                 "scans/*.png"]
    items = list(walk(spellings, "ocr_general", CONFIGURE))
    assert [i.path for i in items] == [real]
    out = tmp_path / "results.jsonl"
    assert ingest(items + items, Client(server, appcode, rate=2), out, progress=None).succeeded == 1
    assert _used(redis_server.url, appcode) == 1

    # A results file that named the file relatively (an older version's) still counts it as done.
    older = tmp_path / "older.jsonl"
    older.write_text(json.dumps({"path": "scans/page-74.png", "page": None, "service": "ocr_general",
                                 "configure": CONFIGURE, "request_id": "x", "status": "succeeded",
                                 "result": {}, "error": None}) + "\n")
    summary = ingest(list(walk(["link.png"], "ocr_general", CONFIGURE)), Client(server, appcode), older, progress=None)
    assert (summary.skipped, summary.succeeded) == (1, 0)
    assert _used(redis_server.url, appcode) == 1


def test_an_undecodable_file_is_not_sent_again_unless_asked(server, appcode, tmp_path, capsys):
    broken = tmp_path / "scans" / "broken.png"
    good, slow = pages(tmp_path / "scans", (75, 76))
    broken.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    out = tmp_path / "results.jsonl"
    args = ["ingest", str(broken), good, slow, "--configure", json.dumps(CONFIGURE), "--out", str(out),
            "--api", server, "--appcode", appcode]
    assert cli.main(args[:3] + args[4:]) == 1  # broken and good
    assert [(r["path"], r["error"] and r["error"]["code"]) for r in lines(out)] == [(str(broken), 462), (good, None)]
    # A transient failure of `slow` from an earlier run (464, a time-out): sent again.
    with open(out, "a") as f:
        f.write(json.dumps({"path": slow, "page": None, "service": "ocr_general", "configure": CONFIGURE,
                            "request_id": "x", "status": "failed", "result": None,
                            "error": {"code": 464, "message": "timeout"}}) + "\n")
    capsys.readouterr()

    assert cli.main(args) == 1  # broken still has not succeeded
    said = capsys.readouterr().out
    assert "1 not sent again" in said and "--retry-failed" in said
    assert [(r["path"], r["status"]) for r in lines(out)[3:]] == [(slow, "succeeded")]  # nothing for broken
    assert [f["path"] for f in lines(failures_path(out))] == [str(broken)]

    assert cli.main(args + ["--retry-failed"]) == 1
    assert [(r["path"], r["error"]["code"]) for r in lines(out)[4:]] == [(str(broken), 462)]


def test_ingest_refuses_bad_arguments_before_sending_anything(tmp_path):
    (tmp_path / "a.png").write_bytes(b"never sent")
    nobody = ["--api", f"http://127.0.0.1:{free_port()}", "--appcode", "x" * 32, "--out", str(tmp_path / "r.jsonl")]
    with open(tmp_path / "manifest.csv", "w", newline="") as f:
        rows = csv.writer(f)
        rows.writerows([["path", "service", "configure"], ["a.png", "", "{}"], ["a.png", "ocr_idcard", "{side"]])
    for args, said in [
        (["--service", "ocr_invoice"], "--service: unknown service 'ocr_invoice'; one of: "),
        (["--configure", "{side"], "--configure is not JSON"),
        ([str(tmp_path / "manifest.csv")], "manifest.csv, line 3: configure is not JSON"),
    ]:
        done = ocrq_ingest(tmp_path, *([str(tmp_path / "a.png")] if args[0].startswith("--") else []), *args, *nobody)
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr and said in done.stderr.strip().splitlines()[0], done.stderr
        assert not (tmp_path / "r.jsonl").exists()
    no_code = ocrq_ingest(tmp_path, str(tmp_path / "a.png"), "--api", nobody[1])
    assert no_code.returncode == 2 and "no APPCODE" in no_code.stderr


# Progress: a bar on a terminal, plain lines in a log.

def test_progress_is_plain_lines_in_a_log_file(server, appcode, tmp_path):
    files = pages(tmp_path / "scans", (77, 78, 79))
    log = io.StringIO()
    ingest(list(walk(files, "ocr_general", CONFIGURE)), Client(server, appcode, rate=2), tmp_path / "r.jsonl",
           progress=log)
    text = log.getvalue()
    assert "\r" not in text and "\x1b" not in text
    assert text.splitlines()[-1].startswith("3/3 done, 0 failed, ")


def test_progress_is_a_bar_on_a_terminal(server, appcode, tmp_path):
    files = pages(tmp_path / "scans", (80, 81))
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "ingest", *files, "--configure", json.dumps(CONFIGURE),
                             "--out", str(tmp_path / "r.jsonl"), "--api", server, "--appcode", appcode],
                            cwd=ROOT, env=ocrq_env(tmp_path), stdout=subprocess.PIPE, stderr=terminal)
    os.close(terminal)
    shown = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert proc.wait(timeout=60) == 0
    text = shown.decode(errors="replace")
    assert "\r" in text and "ingest: 100%" in text and "2/2" in text, text  # tqdm's bar, redrawn in place
