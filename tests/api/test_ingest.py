"""`ocrq ingest` against a real HTTP server, Redis and Celery worker: every input's result, resume, throttling."""
from __future__ import annotations

import csv
import io
import json
import threading

import pytest
import redis
from PIL import Image
from werkzeug.serving import make_server

from api import cli
from api.apps import AppStore
from api.ingest import Client, failures_path, ingest, walk
from bench.synth import text_page
from tests.servers import make_settings, start_redis

CONFIGURE = {"engine": "tesseract"}


@pytest.fixture()
def server(redis_server, worker):
    """The API over real HTTP, throttled hard (2 calls a second, 2 at once) so that a fast client meets 429s."""
    from api.app import create_app
    settings = make_settings(redis_server.url, rate_limit=2.0, rate_burst=2)
    http = make_server("127.0.0.1", 0, create_app(settings), threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join(timeout=10)


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
