"""`ocrq ingest`: pour files, folders, globs or CSV manifests into a server's bulk queue and collect the results.

Any server will do (only its HTTP API is used). The results file is also the resume point:
a second run skips every input it already holds as succeeded.
"""
from __future__ import annotations

import base64
import csv
import glob
import hashlib
import io
import json
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, TextIO

import requests

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pdf"}
PDF_DPI = 200


@dataclass(frozen=True)
class Item:
    """One job to send: a file, or one page of a multi-page TIFF or a PDF (`page` from 1)."""

    path: str
    service: str
    configure: dict = field(default_factory=dict, hash=False, compare=False)
    page: int | None = None

    @property
    def key(self) -> str:
        """What identifies the input in the results file, across runs."""
        return json.dumps([self.path, self.page, self.service, self.configure], sort_keys=True, ensure_ascii=False)

    def load(self) -> bytes:
        """The bytes to send: the file itself, or its page rendered as PNG."""
        data = Path(self.path).read_bytes()
        if self.page is None:
            return data
        if Path(self.path).suffix.lower() == ".pdf":
            return _pdf_page_png(data, self.page)
        from PIL import Image
        with Image.open(io.BytesIO(data)) as image:
            image.seek(self.page - 1)
            out = io.BytesIO()
            image.save(out, "PNG")
            return out.getvalue()


def _pdf_page_png(data: bytes, page: int) -> bytes:
    import pypdfium2
    pdf = pypdfium2.PdfDocument(data)
    try:
        image = pdf[page - 1].render(scale=PDF_DPI / 72).to_pil()
    finally:
        pdf.close()
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def page_count(path: Path) -> int | None:
    """Pages of a multi-page TIFF or of any PDF; None for a single picture (or a file that cannot be read here)."""
    try:
        if path.suffix.lower() == ".pdf":
            import pypdfium2
            pdf = pypdfium2.PdfDocument(str(path))
            try:
                return len(pdf)
            finally:
                pdf.close()
        if path.suffix.lower() in (".tif", ".tiff"):
            from PIL import Image
            with Image.open(path) as image:
                frames = getattr(image, "n_frames", 1)
            return frames if frames > 1 else None
    except Exception:  # noqa: BLE001 (unreadable: sent whole, the server says why)
        return None
    return None


def walk(paths: Iterable[str], service: str, configure: dict) -> Iterator[Item]:
    """Every job the arguments name: files, folders (recursively, by image suffix), globs, `.csv` manifests.

    A manifest has a `path` column and optional `service` and `configure` (JSON) columns;
    its relative paths are taken from the manifest's folder. A name that matches nothing is
    still yielded, so that it ends in the failures file rather than vanishing.
    """
    for arg in paths:
        p = Path(arg)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES)
            for f in files:
                yield from _pages(f, service, configure)
        elif p.suffix.lower() == ".csv" and p.is_file():
            yield from _manifest(p, service, configure)
        elif glob.has_magic(arg):
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                yield Item(arg, service, configure)
            for m in map(Path, matches):
                if m.is_file():
                    yield from (_manifest if m.suffix.lower() == ".csv" else _pages)(m, service, configure)
        else:
            yield from _pages(p, service, configure)


def _manifest(manifest: Path, service: str, configure: dict) -> Iterator[Item]:
    with open(manifest, newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            name = (row.get("path") or "").strip()
            if not name:
                continue
            path = Path(name) if Path(name).is_absolute() else manifest.parent / name
            row_configure = json.loads(row["configure"]) if (row.get("configure") or "").strip() else configure
            yield from _pages(path, (row.get("service") or "").strip() or service, row_configure)


def _pages(path: Path, service: str, configure: dict) -> Iterator[Item]:
    pages = page_count(path) if path.is_file() else None
    if pages is None:
        yield Item(str(path), service, configure)
    else:
        for page in range(1, pages + 1):
            yield Item(str(path), service, configure, page)


class ApiError(Exception):
    """A final answer from the server that is not success; `error` is the contract's `{code, message}`."""

    def __init__(self, code: int | None, message: str):
        super().__init__(f"{code}: {message}")
        self.error = {"code": code, "message": message}


class Client:
    """The server's job API: paced under the app's rate, waiting out 429/450 and retrying 5xx with backoff."""

    def __init__(self, api: str, appcode: str, rate: float = 5.0, tries: int = 8, timeout: float = 60.0,
                 max_backoff: float = 30.0):
        self.api, self.rate, self.tries, self.timeout, self.max_backoff = api.rstrip("/"), rate, tries, timeout, max_backoff
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"APPCODE {appcode}"
        self._next_post = 0.0
        self.throttled = 0  # 429/450 answers waited out
        self.retried = 0    # 5xx and connection errors retried

    def submit(self, item: Item, data: bytes, idempotency_key: str) -> str:
        """The new (or, for a repeated key, the first) job's request_id."""
        body = json.dumps({"image": base64.b64encode(data).decode(), "configure": item.configure})
        wait = self._next_post - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._next_post = time.monotonic() + 1 / self.rate
        answer = self._call("POST", f"/v1/jobs/{item.service}?queue=bulk", data=body,
                            headers={"Content-Type": "application/json", "Idempotency-Key": idempotency_key})
        return answer["request_id"]

    def job(self, request_id: str) -> dict:
        return self._call("GET", f"/v1/jobs/{request_id}")

    def _call(self, method: str, path: str, **kwargs) -> dict:
        backoff = 0.5
        for attempt in range(1, self.tries + 1):
            last = attempt == self.tries
            try:
                response = self.session.request(method, self.api + path, timeout=self.timeout, **kwargs)
            except requests.RequestException as exc:
                if last:
                    raise ApiError(None, f"connection failed: {exc}") from None
                self.retried += 1
                time.sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            if response.status_code < 400:
                return response.json()
            if response.status_code in (429, 450) and not last:
                self.throttled += 1
                time.sleep(_retry_after(response, backoff))
                backoff = min(backoff * 2, self.max_backoff)
                continue
            if response.status_code >= 500 and not last:
                self.retried += 1
                time.sleep(_retry_after(response, backoff))
                backoff = min(backoff * 2, self.max_backoff)
                continue
            try:
                answer = response.json()
                raise ApiError(answer.get("error_code", response.status_code), answer.get("error_msg", response.text))
            except ValueError:
                raise ApiError(response.status_code, response.text[:500]) from None
        raise AssertionError("unreachable")


def _retry_after(response: requests.Response, default: float) -> float:
    try:
        return max(0.0, float(response.headers["Retry-After"]))
    except (KeyError, ValueError):
        return default


@dataclass
class Summary:
    total: int = 0
    skipped: int = 0
    succeeded: int = 0
    failed: int = 0
    throttled: int = 0
    retried: int = 0
    seconds: float = 0.0
    failures_path: str = ""

    def __str__(self) -> str:
        sent = self.succeeded + self.failed
        rate = sent / self.seconds if self.seconds > 0 else 0.0
        return (f"{self.total} inputs: {self.succeeded} succeeded, {self.failed} failed, {self.skipped} skipped "
                f"(already succeeded); {sent} in {self.seconds:.1f} s ({rate:.2f}/s); {self.throttled} throttled "
                f"answers waited out, {self.retried} retries"
                + (f"; failures in {self.failures_path}" if self.failed else ""))


def failures_path(out: Path) -> Path:
    return out.with_name(out.stem + ".failures" + (out.suffix or ".jsonl"))


def read_results(out: Path) -> dict[str, list[dict]]:
    """Every line of the results file by input key, in order (a torn last line from a killed run is ignored)."""
    lines: dict[str, list[dict]] = {}
    if not out.exists():
        return lines
    with open(out, encoding="utf-8") as f:
        for text in f:
            try:
                record = json.loads(text)
                item = Item(record["path"], record["service"], record.get("configure") or {}, record.get("page"))
            except (ValueError, KeyError, TypeError):
                continue
            lines.setdefault(item.key, []).append(record)
    return lines


def ingest(items: list[Item], client: Client, out: Path, window: int = 32, poll_interval: float = 0.5,
           progress: TextIO | None = sys.stderr, job_timeout: float = 3600.0) -> Summary:
    """Send every item not yet succeeded in `out`, append one line per finished item, write the failures file.

    A job with no result `job_timeout` seconds after it was sent fails here (a job lost by the server
    would otherwise hold the run forever); the next run sends it again.
    """
    start = time.monotonic()
    previous = read_results(out)
    done = {key for key, records in previous.items() if any(r.get("status") == "succeeded" for r in records)}
    todo = [item for item in items if item.key not in done]
    summary = Summary(total=len(items), skipped=len(items) - len(todo))
    pending = deque(todo)
    inflight: deque[tuple[Item, str, float]] = deque()  # (item, request_id, deadline) in submission order
    bar = _Progress(len(todo), progress)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "a", encoding="utf-8") as sink:
        def finish(item: Item, request_id: str | None, status: str, result=None, error=None) -> None:
            record = {"path": item.path, "page": item.page, "service": item.service, "configure": item.configure,
                      "request_id": request_id, "status": status, "result": result, "error": error}
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
            sink.flush()
            if status == "succeeded":
                summary.succeeded += 1
            else:
                summary.failed += 1
            bar.update(summary.succeeded, summary.failed)

        next_poll = time.monotonic() + poll_interval
        while pending or inflight:
            # Submitting is paced by the rate; results are still collected while the window fills.
            while pending and len(inflight) < window and time.monotonic() < next_poll:
                item = pending.popleft()
                try:
                    data = item.load()
                except Exception as exc:  # noqa: BLE001 (missing, unreadable: the input fails, the run goes on)
                    finish(item, None, "failed", error={"code": None, "message": f"cannot read: {exc}"})
                    continue
                # The same key for the same attempt: a job accepted before a crash is found again, not redone.
                attempt = sum(r.get("status") == "failed" for r in previous.get(item.key, []))
                key = hashlib.sha256(f"{item.key}\n{attempt}\n".encode() + data).hexdigest()
                try:
                    inflight.append((item, client.submit(item, data, key), time.monotonic() + job_timeout))
                except ApiError as exc:
                    finish(item, None, "failed", error=exc.error)
            if time.monotonic() < next_poll and not (pending and len(inflight) < window):
                time.sleep(next_poll - time.monotonic())
            if time.monotonic() >= next_poll:
                _poll(client, inflight, finish)
                next_poll = time.monotonic() + poll_interval
    bar.close()
    summary.throttled, summary.retried = client.throttled, client.retried
    summary.seconds = time.monotonic() - start
    summary.failures_path = str(_write_failures(items, out))
    return summary


def _poll(client: Client, inflight: deque, finish) -> int:
    """Ask after jobs in submission order, stopping at the first still queued (those behind it are too)."""
    finished = 0
    for entry in list(inflight):
        item, request_id, deadline = entry
        try:
            job = client.job(request_id)
        except ApiError as exc:
            inflight.remove(entry)
            finish(item, request_id, "failed", error=exc.error)
            finished += 1
            continue
        if job["status"] in ("succeeded", "failed"):
            inflight.remove(entry)
            finish(item, request_id, job["status"], job.get("result"), job.get("error"))
            finished += 1
        elif time.monotonic() > deadline:
            inflight.remove(entry)
            finish(item, request_id, "failed", error={"code": None, "message": f"still {job['status']} when the "
                                                      "time for its result ran out; sent again on the next run"})
            finished += 1
        elif job["status"] == "queued":
            break
    return finished


def _write_failures(items: list[Item], out: Path) -> Path:
    """The latest line of every input of this run that has not succeeded, rewritten at each run's end."""
    lines = read_results(out)
    path = failures_path(out)
    with open(path, "w", encoding="utf-8") as f:
        for item in items:
            records = lines.get(item.key, [])
            if records and not any(r.get("status") == "succeeded" for r in records):
                f.write(json.dumps(records[-1], ensure_ascii=False) + "\n")
    return path


class _Progress:
    """One carriage-return line on stderr: done of total, rate, ETA."""

    def __init__(self, total: int, stream: TextIO | None):
        self.total, self.stream, self.start, self.shown = total, stream, time.monotonic(), 0.0

    def update(self, succeeded: int, failed: int) -> None:
        now = time.monotonic()
        done = succeeded + failed
        if self.stream is None or (now - self.shown < 0.5 and done < self.total):
            return
        self.shown = now
        rate = done / max(now - self.start, 1e-6)
        eta = (self.total - done) / rate if rate > 0 else 0
        self.stream.write(f"\r{done}/{self.total} done, {failed} failed, {rate:.2f}/s, "
                          f"ETA {int(eta) // 60}:{int(eta) % 60:02d} ")
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None and self.total:
            self.stream.write("\n")
            self.stream.flush()
