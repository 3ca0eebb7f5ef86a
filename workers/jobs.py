"""The job store in Redis: a job's status, result and timestamps, and its image until the job ends.

Keys (all under `ocr:`): `job:{id}` a hash, `job:{id}:image` the picture's bytes,
`job:{id}:done` a list the worker pushes to when the job ends (sync callers block on it),
`idem:{app}:{key}` the job an Idempotency-Key already made, `app:{app}:jobs` the app's latest job ids.
A job's callback (`callback_url` and its delivery state in the hash) is `workers.callback_queue`'s.
"""
from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone

import redis

from ocr_core.errors import ServiceError
from workers import keys
from workers.callback_queue import schedule_in
from workers.image_budget import release_in
from workers.lost_jobs import OPEN

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
FINISHED = (SUCCEEDED, FAILED)
RECENT_JOBS = 200  # per app, listed by the console's jobs page


def new_request_id() -> str:
    """`YYYYMMDDhhmmss_` + 32 hex digits, the reference's form."""
    return datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S_") + secrets.token_hex(16)


def _json(value) -> str:
    """JSON as UTF-8 text; what UTF-8 cannot hold (a lone surrogate a client sent) as JSON escapes, so that Redis
    can store it."""
    text = json.dumps(value, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(value)
    return text


def _iso(ts: str | None) -> str | None:
    if not ts:
        return None
    return datetime.fromtimestamp(float(ts), timezone.utc).isoformat(timespec="milliseconds")


@dataclass
class Job:
    request_id: str
    service: str
    app: str
    status: str
    configure: dict
    queue: str
    created_at: float
    attempts: int = 0
    started_at: float | None = None
    finished_at: float | None = None
    result: dict | None = None
    error: dict | None = None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def to_api(self) -> dict:
        """The job as `GET /v1/jobs/{id}` shows it."""
        return {
            "request_id": self.request_id,
            "service": self.service,
            "status": self.status,
            "result": self.result,
            "error": self.error,
            "created_at": _iso(str(self.created_at)),
            "finished_at": _iso(str(self.finished_at) if self.finished_at else None),
        }


class JobStore:
    def __init__(self, client: redis.Redis, result_ttl: int):
        self.redis = client
        self.result_ttl = result_ttl

    @staticmethod
    def _key(request_id: str) -> str:
        return keys.job(request_id)

    def create(self, request_id: str, *, service: str, app: str, image: bytes, configure: dict, queue: str,
               callback_url: str | None = None) -> Job:
        """Store a new job; its retention is fixed now, so the worker that ends it needs no settings of its own."""
        job = Job(request_id, service, app, QUEUED, configure, queue, time.time())
        key = self._key(request_id)
        pipe = self.redis.pipeline()
        pipe.hset(key, mapping={
            "service": service, "app": app, "status": QUEUED, "queue": queue,
            "configure": _json(configure), "created_at": repr(job.created_at),
            "attempts": 0, "ttl": self.result_ttl, **({"callback_url": callback_url} if callback_url else {}),
        })
        # A queued job that no worker ever takes must not stay forever either.
        pipe.expire(key, self.result_ttl)
        pipe.set(key + ":image", image, ex=self.result_ttl)
        pipe.zadd(OPEN, {request_id: job.created_at})  # looked after until it ends (workers.lost_jobs)
        # The app's recent jobs, for the console: bounded, and gone with the last job it lists.
        recent = self._recent_key(app)
        pipe.zadd(recent, {request_id: job.created_at})
        pipe.zremrangebyrank(recent, 0, -RECENT_JOBS - 1)
        pipe.expire(recent, self.result_ttl)
        pipe.execute()
        return job

    @staticmethod
    def _recent_key(app: str) -> str:
        return keys.app_jobs(app)

    def recent(self, app: str, limit: int) -> list[Job]:
        """The app's latest jobs, newest first (at most RECENT_JOBS; those past their retention left out)."""
        ids = [i.decode() for i in self.redis.zrevrange(self._recent_key(app), 0, max(0, limit - 1))]
        return [job for job in map(self.get, ids) if job is not None and job.app == app]

    def claim_idempotency_key(self, app: str, key: str, request_id: str) -> str | None:
        """Bind `key` to `request_id`; if it was bound already, the first job's id."""
        idem = keys.idempotency(app, key)
        if self.redis.set(idem, request_id, nx=True, ex=self.result_ttl):
            return None
        existing = self.redis.get(idem)
        return existing.decode() if existing else None

    def rebind_idempotency_key(self, app: str, key: str, old: str, new: str) -> bool:
        """Bind `key` to `new` if it is still bound to `old`; whether it was."""
        return bool(self.redis.eval(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) "
            "return 1 end return 0", 1, keys.idempotency(app, key), old, new, self.result_ttl))

    def release_idempotency_key(self, app: str, key: str, request_id: str) -> None:
        """Unbind `key` if it is still bound to `request_id` (the call that claimed it was refused)."""
        self.redis.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end",
                        1, keys.idempotency(app, key), request_id)

    def get(self, request_id: str) -> Job | None:
        raw = self.redis.hgetall(self._key(request_id))
        if not raw or b"service" not in raw:
            return None
        d = {k.decode(): v.decode() for k, v in raw.items()}
        return Job(
            request_id=request_id, service=d["service"], app=d["app"], status=d["status"],
            configure=json.loads(d["configure"]), queue=d["queue"], created_at=float(d["created_at"]),
            attempts=int(d.get("attempts", 0)),
            started_at=float(d["started_at"]) if "started_at" in d else None,
            finished_at=float(d["finished_at"]) if "finished_at" in d else None,
            result=json.loads(d["result"]) if "result" in d else None,
            error=json.loads(d["error"]) if "error" in d else None,
        )

    def start(self, request_id: str, worker: str) -> tuple[Job, bytes] | None:
        """Mark a job running and count the attempt; None when it is gone or already finished."""
        key = self._key(request_id)
        job = self.get(request_id)
        if job is None or job.finished:
            return None
        image = self.redis.get(key + ":image")
        if image is None:
            return None
        pipe = self.redis.pipeline()
        pipe.hset(key, mapping={"status": RUNNING, "started_at": repr(time.time()), "worker": worker})
        pipe.hincrby(key, "attempts", 1)
        job.attempts = pipe.execute()[1]
        job.status = RUNNING
        return job, image

    def succeed(self, request_id: str, result: dict) -> None:
        self._finish(request_id, {"status": SUCCEEDED, "result": _json(result)})

    def fail(self, request_id: str, error: ServiceError) -> None:
        self._finish(request_id, {"status": FAILED, "error": _json(error.to_dict())})

    def _finish(self, request_id: str, fields: dict) -> None:
        key = self._key(request_id)
        ttl = self.redis.hget(key, "ttl")
        if ttl is None:
            return  # expired while running: nobody can ask for it any more
        pipe = self.redis.pipeline()
        pipe.hset(key, mapping={**fields, "finished_at": repr(time.time())})
        pipe.expire(key, int(ttl))
        # The picture is not kept a moment longer than its job, nor its room in the image budget.
        pipe.delete(key + ":image")
        pipe.zrem(OPEN, request_id)
        release_in(pipe, request_id)
        schedule_in(pipe, request_id)  # the callback, if asked for, in the same transaction as the end
        pipe.rpush(key + ":done", 1)
        pipe.expire(key + ":done", 60)
        pipe.execute()

    def wait(self, request_id: str, timeout: float) -> Job | None:
        """Block until the job ends or `timeout` passes; the job as it then is."""
        deadline = time.monotonic() + timeout
        key = self._key(request_id) + ":done"
        while True:
            job = self.get(request_id)
            remaining = deadline - time.monotonic()
            if job is None or job.finished or remaining <= 0:
                return job
            # Short waits, so a second caller waiting on the same job is not starved by the first's pop.
            self.redis.blpop([key], timeout=min(remaining, 1.0))
