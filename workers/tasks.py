"""The one task, which runs a service on a stored job, and the hooks that prepare each worker process."""
from __future__ import annotations

import logging
import os
import threading
import time

import redis
from celery import Task, current_app, shared_task, signals
from celery.exceptions import Reject, SoftTimeLimitExceeded, TimeLimitExceeded

import ocr_core
from ocr_core.errors import AlgorithmException, AlgorithmTimeout, ServiceError
from workers import callbacks, heartbeat, lost_jobs, metrics
from workers.connections import get_redis
from workers.errors import AlgorithmGaveUp
from workers.jobs import JobStore
from workers.queues import QUEUES
from workers.settings import get_settings

log = logging.getLogger(__name__)


def job_store() -> JobStore:
    settings = get_settings()
    return JobStore(get_redis(settings.broker_url, settings.sentinel_master), settings.result_ttl)


# How long a job's end waits for an unreachable Redis (a restart) before the job is handed back instead.
END_WRITE_PATIENCE = 60.0
# Redis down, slow, or full (past its maxmemory with noeviction): each passes, and the job must not stay `running`.
REDIS_UNAVAILABLE = (redis.ConnectionError, redis.TimeoutError, redis.exceptions.OutOfMemoryError)


def _end(store: JobStore, job_id: str, service: str, created_at: float, error: ServiceError | None,
         result: dict | None = None, times: metrics.JobTimes | None = None) -> None:
    deadline = time.monotonic() + END_WRITE_PATIENCE
    while True:
        try:
            if error is None:
                store.succeed(job_id, result or {})
            else:
                store.fail(job_id, error)
            break
        except REDIS_UNAVAILABLE:
            # The result is in hand: waiting for Redis to come back is cheaper than recognising again.
            if time.monotonic() > deadline:
                raise
            log.warning("job %s: Redis unavailable, its end not yet stored; retrying", job_id)
            time.sleep(1.0)
    try:
        metrics.record_job(store.redis, service, None if error is None else error.code, time.time() - created_at,
                           times)
    except redis.RedisError:
        log.warning("metrics of job %s not recorded: Redis unavailable", job_id)


def _as_service_error(exc: Exception, request_id: str) -> ServiceError:
    # The soft limit's exception is an ordinary Exception, so a generic handler inside a step
    # (decoding maps any failure to 462) may have wrapped it: look through the whole chain.
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, SoftTimeLimitExceeded):
            return AlgorithmTimeout()
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, ServiceError):
        return exc
    log.exception("job %s raised", request_id, exc_info=exc)
    return AlgorithmException()


class RecognitionTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Runs in the parent process after a hard time limit killed the child: the job must still end.
        if isinstance(exc, TimeLimitExceeded) and args:
            store = job_store()
            job = store.get(args[0])
            if job is not None and not job.finished:
                _end(store, job.request_id, job.service, job.created_at, AlgorithmTimeout())


@shared_task(base=RecognitionTask, name="ocrq.run_job", bind=True)
def run_job(self, request_id: str) -> None:
    try:
        _run(self, request_id)
    except (*REDIS_UNAVAILABLE, SoftTimeLimitExceeded) as exc:
        # (The soft limit gets here only when it struck while the job's end waited for Redis.)
        # Raised, the job would be acknowledged as failed and left `running` for ever. Rejected, its message goes
        # back to the queue; if Redis cannot take even that, it stays unacknowledged and the visibility timeout
        # brings it back. A second delivery of a job that did end is a no-op (`JobStore.start`).
        raise Reject(f"Redis unavailable: {exc}", requeue=True) from exc


def _run(self, request_id: str) -> None:
    store = job_store()
    started = store.start(request_id, worker=f"{self.request.hostname}:{os.getpid()}")
    if started is None:
        return  # expired, or a second delivery of a job that already ended
    job, image = started
    max_attempts = get_settings().max_attempts
    if job.attempts > max_attempts:
        # Each earlier attempt killed its process: trying again would loop forever.
        _end(store, request_id, job.service, job.created_at, AlgorithmGaveUp(str(job.attempts - 1)))
        return
    # The wait in the queue only for a first attempt: a later one's would also hold the attempts before it.
    queue_wait = time.time() - job.created_at if job.attempts == 1 else None
    started_at = time.perf_counter()
    try:
        # Past the soft limit, a document of several pages keeps the pages it read (the others answer 464).
        result = {**ocr_core.recognize(job.service, image, job.configure, time_up=(SoftTimeLimitExceeded,)),
                  "request_id": request_id, "success": True}
    except Exception as exc:
        times = metrics.JobTimes(job.queue, queue_wait, time.perf_counter() - started_at)
        _end(store, request_id, job.service, job.created_at, _as_service_error(exc, request_id), times=times)
    else:
        times = metrics.JobTimes(job.queue, queue_wait, time.perf_counter() - started_at)
        _end(store, request_id, job.service, job.created_at, None, result, times)


@signals.worker_process_init.connect
def _prepare_process(**_) -> None:
    settings = get_settings()
    if settings.worker_nice:
        os.nice(settings.worker_nice)
    # Engines are built here once, not on the first job (and never per job).
    ocr_core.warm_up()


# The main process's own threads (not recognition processes): heartbeat, callback delivery, lost-job sweep.
_threads_stop = threading.Event()


def _send_again(request_id: str, queue: str) -> None:
    # The task id is the request id, as the API sends it: the sweep finds a job's message by it.
    current_app.send_task("ocrq.run_job", args=[request_id], queue=queue, task_id=request_id)


@signals.worker_ready.connect
def _start_threads(sender, **_) -> None:
    settings = get_settings()
    client = get_redis(settings.broker_url, settings.sentinel_master)
    name = f"{sender.hostname}:{os.getpid()}"
    threading.Thread(target=heartbeat.beat_forever, args=(client, name, _threads_stop), daemon=True).start()
    # A slow callback receiver holds one of these threads, never a recognition process.
    callbacks.start_delivery_threads(client, settings, _threads_stop)
    if settings.lost_job_sweep > 0:
        threading.Thread(target=lost_jobs.sweep_forever, daemon=True, name="lost-jobs",
                         args=(client, QUEUES, settings.lost_job_sweep, _send_again, _threads_stop)).start()


@signals.worker_shutdown.connect
def _stop_threads(**_) -> None:
    _threads_stop.set()
