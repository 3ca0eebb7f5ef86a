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
import os
import re
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

import requests

from ocr_core.errors import ServiceError
from ocr_core.steps.decode import Document
from ocr_core.steps.decode import page_count as count_pages

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".heic", ".heif", ".avif", ".pdf"}


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
        """The bytes to send: the file itself, or its page rendered as PNG (by the server's own decode step)."""
        data = Path(self.path).read_bytes()
        if self.page is None:
            return data
        with Document(data, max_pages=0) as document:
            image = document.image(self.page - 1)
        out = io.BytesIO()
        image.save(out, "PNG")
        return out.getvalue()


def page_count(path: Path) -> int | None:
    """Pages of a PDF or a multi-page TIFF of several pages; None for a file of one (sent whole), or one that
    cannot be read here (sent whole: the server says why)."""
    try:
        pages = count_pages(path.read_bytes(), max_pages=0)
    except (OSError, ServiceError):
        return None
    return pages if pages > 1 else None


class InputError(ValueError):
    """An argument or manifest row that names no job: reported before anything is sent."""


def check_service(name: str, where: str = "") -> None:
    """InputError unless `name` is a service of this package (its aliases included)."""
    from ocr_core.services import SERVICES
    if name not in SERVICES:
        raise InputError(f"{where}unknown service {name!r}; one of: {', '.join(sorted(SERVICES))}")


def walk(paths: Iterable[str], service: str, configure: dict) -> Iterator[Item]:
    """Every job the arguments name: files, folders (recursively, by image suffix), globs, `.csv` manifests.

    A manifest has a `path` column and optional `service` and `configure` (JSON) columns;
    its relative paths are taken from the manifest's folder. A name that matches nothing is
    still yielded, so that it ends in the failures file rather than vanishing. Paths are resolved
    (absolute, symbolic links followed), and a file named twice, however spelt, is one job.
    Raises InputError for a manifest row with an unknown service or a `configure` that is not a JSON object.
    """
    seen: set[str] = set()
    for item in _walk(paths, service, configure):
        if item.key not in seen:
            seen.add(item.key)
            yield item


def _walk(paths: Iterable[str], service: str, configure: dict) -> Iterator[Item]:
    for arg in paths:
        p = Path(arg)
        if p.is_dir():
            files = sorted(f.resolve() for f in p.rglob("*") if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES)
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
        rows = csv.DictReader(f)
        if "path" not in (rows.fieldnames or []):
            raise InputError(f"{manifest}: no `path` column (columns: path, service, configure)")
        for row in rows:
            name = (row.get("path") or "").strip()
            if not name:
                continue
            where = f"{manifest}, line {rows.line_num}: "
            path = Path(name) if Path(name).is_absolute() else manifest.parent / name
            row_service = (row.get("service") or "").strip() or service
            check_service(row_service, where)
            row_configure = configure
            if (row.get("configure") or "").strip():
                row_configure = parse_configure(row["configure"], f"{where}configure")
            yield from _pages(path, row_service, row_configure)


def parse_configure(text: str, what: str = "configure") -> dict:
    """A `configure` given as JSON text: an object, or InputError saying what is wrong with `what`."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise InputError(f"{what} is not JSON ({exc}): {text[:200]}") from None
    if not isinstance(value, dict):
        raise InputError(f"{what} must be a JSON object, not {type(value).__name__}: {text[:200]}")
    return value


def _pages(path: Path, service: str, configure: dict) -> Iterator[Item]:
    path = path.resolve()
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


class Stop(Exception):
    """The run cannot go on: every further call would fail the same way. `exit_code` is the command's."""

    exit_code = 1


class Refused(Stop):
    """401/403: the APPCODE is unknown or revoked, or the app's quota is spent."""

    exit_code = 2


class Unreachable(Stop):
    """No answer from the server (refused connections, time-outs) for longer than the client's bound."""

    exit_code = 3


Notify = Callable[[str], None]


class Client:
    """The server's job API: paced under the app's rate, waiting out 429/450, retrying 5xx with backoff.

    An unreachable server is waited for, each wait said through `notify`, for up to `give_up_after`
    seconds from the first call it did not answer; then Unreachable. 401/403 raise Refused at once
    (a 403 that only throttles, for a server that answers throttling with 403, is waited out).
    """

    def __init__(self, api: str, appcode: str, rate: float = 5.0, tries: int = 8, timeout: float = 60.0,
                 max_backoff: float = 30.0, give_up_after: float = 120.0, notify: Notify | None = None):
        self.api, self.rate, self.tries, self.timeout, self.max_backoff = api.rstrip("/"), rate, tries, timeout, max_backoff
        self.give_up_after = give_up_after
        self.notify: Notify = notify or (lambda message: None)
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"APPCODE {appcode}"
        self._next_post = 0.0
        self._down_since: float | None = None  # when the server last stopped answering
        self._down_wait = 0.5
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
        backoff, answered = 0.5, 0
        while True:
            try:
                response = self.session.request(method, self.api + path, timeout=self.timeout, **kwargs)
            except requests.RequestException as exc:
                self._wait_for_server(_reason(exc))  # Unreachable once the bound is passed
                continue
            status = response.status_code
            if status in OUTAGE_STATUSES:
                # A proxy in front of a server that is down, or our own API without its Redis.
                self._wait_for_server(f"it answered {status}", _retry_after(response, 0.0))
                continue
            self._down_since = None
            if status < 400:
                return response.json()
            answered += 1
            last = answered >= self.tries
            gateway = response.headers.get("X-Ca-Error-Message", "")
            if status in (429, 450) or (status == 403 and gateway.startswith("Throttled")):
                if not last:
                    self.throttled += 1
                    time.sleep(_retry_after(response, backoff))
                    backoff = min(backoff * 2, self.max_backoff)
                    continue
            elif status in (401, 403):
                raise Refused(_refusal(response))
            elif status >= 500 and not last:
                self.retried += 1
                wait = _retry_after(response, backoff)
                self.notify(f"the server answered {status} to {method} {path.split('?')[0]}; retrying in {wait:.1f} s")
                time.sleep(wait)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            try:
                answer = response.json()
                raise ApiError(answer.get("error_code", status), answer.get("error_msg", response.text))
            except (ValueError, AttributeError):
                raise ApiError(status, response.text[:500]) from None

    def _wait_for_server(self, reason: str, at_least: float = 0.0) -> None:
        """Wait before calling again a server that did not answer (or answered that it is down); say so.
        Unreachable once it has not answered for `give_up_after` seconds."""
        now = time.monotonic()
        if self._down_since is None:
            self._down_since, self._down_wait = now, 0.5
        down = now - self._down_since
        if down >= self.give_up_after:
            raise Unreachable(f"gave up on {self.api}: unreachable for {down:.0f} s ({reason}; "
                              f"--give-up-after {self.give_up_after:g})")
        wait = min(max(self._down_wait, at_least), self.give_up_after - down)
        self._down_wait = min(self._down_wait * 2, self.max_backoff)
        self.retried += 1
        self.notify(f"cannot reach {self.api} ({reason}); waiting {wait:.1f} s and retrying "
                    f"(gives up after {self.give_up_after:g} s without an answer)")
        time.sleep(wait)


# Answers that mean the server is not there now, whatever was asked.
OUTAGE_STATUSES = frozenset({502, 503, 504})


def _reason(exc: requests.RequestException) -> str:
    """A connection error in a few words (requests' own message is a paragraph of pool internals)."""
    if isinstance(exc, requests.Timeout):
        return "no answer in time"
    found = re.search(r"\[Errno -?\d+\] ([^')\"]+)", str(exc))
    return found.group(1).strip() if found else type(exc).__name__


def _refusal(response: requests.Response) -> str:
    try:
        message = response.json().get("error_msg") or ""
    except (ValueError, AttributeError):
        message = ""
    gateway = response.headers.get("X-Ca-Error-Message", "")
    said = f"{response.status_code} {message}".strip() + (f", {gateway}" if gateway else "")
    if "quota" in (gateway + message).lower():
        return f"the server refused the app: its quota is spent ({said}); raise it or use another APPCODE"
    return (f"the server refused the APPCODE ({said}): check --appcode or OCRQ_APPCODE "
            "(`ocrq apps list` on the server lists the apps)")


def _retry_after(response: requests.Response, default: float) -> float:
    try:
        return max(0.0, float(response.headers["Retry-After"]))
    except (KeyError, ValueError):
        return default


# Answers that come back the same for the same bytes and configure: not sent again on the next run
# unless asked (--retry-failed). 462 undecodable, 460/461 malformed or bad configure, 463 not this
# kind of document, 413 too large. Anything else (5xx, 464 time-outs, a job that ran out of time, a
# file that could not be read) is sent again on the next run.
REFUSED_CODES = frozenset({413, 460, 461, 462, 463})


def refused_for_good(record: dict) -> bool:
    return (record.get("status") == "failed"
            and (record.get("error") or {}).get("code") in REFUSED_CODES)


@dataclass
class Summary:
    total: int = 0
    skipped: int = 0
    refused: int = 0    # refused for good on an earlier run, not sent again
    succeeded: int = 0
    failed: int = 0
    unsent: int = 0     # not sent or not finished: the run stopped first
    throttled: int = 0
    retried: int = 0
    seconds: float = 0.0
    failures_path: str = ""
    failures_listed: int = 0
    stopped: str = ""   # why the run stopped before its end, if it did
    interrupted: bool = False
    stop_code: int = 0

    @property
    def exit_code(self) -> int:
        """0 all succeeded, 1 some failed, 2 refused credentials, 3 server unreachable, 130 interrupted."""
        if self.interrupted:
            return 130
        if self.stop_code:
            return self.stop_code
        return 1 if self.failed or self.refused else 0

    def __str__(self) -> str:
        sent = self.succeeded + self.failed
        rate = sent / self.seconds if self.seconds > 0 else 0.0
        head = (f"{self.total} inputs: {self.succeeded} succeeded, {self.failed} failed, "
                f"{self.skipped} skipped (already succeeded)")
        parts = [head]
        if self.refused:
            parts.append(f"{self.refused} not sent again (refused before for good, e.g. 462; --retry-failed sends them)")
        if self.unsent:
            parts.append(f"{self.unsent} not done (the run stopped; run it again to resume)")
        return (", ".join(parts) + f"; {sent} in {self.seconds:.1f} s ({rate:.2f}/s); {self.throttled} throttled "
                f"answers waited out, {self.retried} retries"
                + (f"; {self.failures_listed} failures in {self.failures_path}" if self.failures_listed else ""))


def failures_path(out: Path) -> Path:
    return out.with_name(out.stem + ".failures" + (out.suffix or ".jsonl"))


def canonical(path: str) -> str:
    """One spelling per file: absolute, symbolic links followed (as `walk` names files)."""
    try:
        return str(Path(path).resolve())
    except (OSError, RuntimeError):
        return path


def read_results(out: Path) -> dict[str, list[dict]]:
    """Every line of the results file by input key, in order (a torn last line from a killed run is ignored).

    Paths are read canonical, so lines of an older run that named a file relatively still count."""
    lines: dict[str, list[dict]] = {}
    if not out.exists():
        return lines
    with open(out, encoding="utf-8") as f:
        for text in f:
            try:
                record = json.loads(text)
                item = Item(canonical(record["path"]), record["service"], record.get("configure") or {},
                            record.get("page"))
            except (ValueError, KeyError, TypeError):
                continue
            lines.setdefault(item.key, []).append(record)
    return lines


def ingest(items: list[Item], client: Client, out: Path, window: int = 32, poll_interval: float = 0.5,
           progress: TextIO | None = sys.stderr, job_timeout: float = 3600.0, retry_failed: bool = False) -> Summary:
    """Send every item not yet succeeded in `out`, append one line per finished item, write the failures file.

    Not sent again either: an item refused for good on an earlier run (REFUSED_CODES), unless
    `retry_failed`. A job with no result `job_timeout` seconds after it was sent fails here (a job lost
    by the server would otherwise hold the run forever); the next run sends it again.

    A run that cannot go on (Stop: credentials refused, server unreachable) or is interrupted (Ctrl-C)
    ends early, with every line written so far kept and the failures file written: the summary says why
    (`stopped`, `interrupted`). Jobs in flight then are found again by their Idempotency-Key next time.
    """
    start = time.monotonic()
    items = _once_each(items)
    previous = read_results(out)
    done = {key for key, records in previous.items() if any(r.get("status") == "succeeded" for r in records)}
    refused = set() if retry_failed else {key for key, records in previous.items()
                                          if key not in done and refused_for_good(records[-1])}
    todo = [item for item in items if item.key not in done and item.key not in refused]
    summary = Summary(total=len(items), skipped=sum(item.key in done for item in items),
                      refused=sum(item.key in refused for item in items))
    bar = _Progress(len(todo), progress)
    notify, client.notify = client.notify, bar.write
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(out, "a+", encoding="utf-8") as sink:
            _end_torn_line(sink)

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

            _run(todo, client, previous, finish, window, poll_interval, job_timeout)
    except Stop as exc:
        summary.stopped, summary.stop_code = str(exc), exc.exit_code
    except KeyboardInterrupt:
        summary.stopped, summary.interrupted = "interrupted", True
    finally:
        bar.close()
        client.notify = notify
    summary.unsent = len(todo) - summary.succeeded - summary.failed
    summary.throttled, summary.retried = client.throttled, client.retried
    summary.seconds = time.monotonic() - start
    path, summary.failures_listed = _write_failures(out)
    summary.failures_path = str(path)
    return summary


def _once_each(items: Iterable[Item]) -> list[Item]:
    """Each input once, named canonically, in the order first given."""
    seen: dict[str, Item] = {}
    for item in items:
        item = replace(item, path=canonical(item.path))
        seen.setdefault(item.key, item)
    return list(seen.values())


def _end_torn_line(sink: TextIO) -> None:
    """A run killed mid-line left a line without its end: end it, so that this run's first line stands alone."""
    sink.seek(0, io.SEEK_END)
    if sink.tell() == 0:
        return
    with open(sink.name, "rb") as raw:
        raw.seek(-1, io.SEEK_END)
        if raw.read(1) != b"\n":
            sink.write("\n")
            sink.flush()


def _run(todo: list[Item], client: Client, previous: dict[str, list[dict]], finish, window: int,
         poll_interval: float, job_timeout: float) -> None:
    """Submit and poll until every item has finished. A submission refused (Refused: the APPCODE, the quota)
    stops further submissions at once; the jobs already accepted are still collected, then Refused is raised."""
    pending = deque(todo)
    inflight: deque[tuple[Item, str, float]] = deque()  # (item, request_id, deadline) in submission order
    refused: Refused | None = None
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
            except Refused as exc:
                refused = exc
                pending.clear()
                if inflight:
                    client.notify(f"{exc}; sending nothing more, collecting the {len(inflight)} jobs already accepted")
        if time.monotonic() < next_poll and not (pending and len(inflight) < window):
            time.sleep(next_poll - time.monotonic())
        if time.monotonic() >= next_poll:
            _poll(client, inflight, finish)
            next_poll = time.monotonic() + poll_interval
    if refused is not None:
        raise refused


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


def _write_failures(out: Path) -> tuple[Path, int]:
    """The latest line of every input of the results file that never succeeded, whichever run wrote it.

    Rewritten whole at the end of each run, from the results file (which only grows): a partial run
    keeps the earlier failures it did not retry, and drops those that have succeeded since."""
    path = failures_path(out)
    tmp = path.with_name(path.name + ".tmp")
    listed = 0
    with open(tmp, "w", encoding="utf-8") as f:
        for records in read_results(out).values():
            if not any(r.get("status") == "succeeded" for r in records):
                f.write(json.dumps(records[-1], ensure_ascii=False) + "\n")
                listed += 1
    os.replace(tmp, path)
    return path, listed


class _Progress:
    """Progress on `stream`: a tqdm bar on a terminal; in a log file (not a terminal) a plain line every
    tenth of the run or every `every` seconds, whichever comes first. `write` says something between."""

    def __init__(self, total: int, stream: TextIO | None, every: float = 30.0):
        self.total, self.stream, self.every = total, stream, every
        self.start = self.shown = time.monotonic()
        self.next_mark = max(1, total // 10)
        self.done = self.failed = 0
        self.bar = None
        if stream is not None and _is_terminal(stream) and total:
            from tqdm import tqdm
            self.bar = tqdm(total=total, file=stream, unit="file", dynamic_ncols=True, desc="ingest")

    def update(self, succeeded: int, failed: int) -> None:
        self.done, self.failed = succeeded + failed, failed
        if self.bar is not None:
            self.bar.set_postfix(failed=failed, refresh=False)
            self.bar.update(self.done - self.bar.n)
            return
        now = time.monotonic()
        if self.stream is None or not (self.done >= self.next_mark or now - self.shown >= self.every
                                       or self.done == self.total):
            return
        self.shown = now
        while self.next_mark <= self.done:
            self.next_mark += max(1, self.total // 10)
        self._line(now)

    def _line(self, now: float) -> None:
        rate = self.done / max(now - self.start, 1e-6)
        eta = (self.total - self.done) / rate if rate > 0 else 0
        self.write(f"{self.done}/{self.total} done, {self.failed} failed, {rate:.2f}/s, "
                   f"ETA {int(eta) // 60}:{int(eta) % 60:02d}")

    def write(self, message: str) -> None:
        if self.stream is None:
            return
        if self.bar is not None:
            self.bar.write(message, file=self.stream)
        else:
            self.stream.write(message + "\n")
            self.stream.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.stream is not None and self.done < self.total and self.done:
            self._line(time.monotonic())  # where a stopped run got to


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
