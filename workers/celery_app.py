"""The Celery application, made from the settings: queues, delivery guarantees and time limits. The API
makes one to send jobs; a worker process makes its own (`workers.worker`)."""
from __future__ import annotations

from celery import Celery
from kombu import Exchange, Queue

from workers.connections import sentinel_options
from workers.queues import INTERACTIVE, QUEUES
from workers.settings import WorkerSettings


def create_celery(settings: WorkerSettings) -> Celery:
    app = Celery("ocrq", broker=settings.broker_url, include=["workers.tasks"])
    app.conf.update(
        # Our own job store keeps results; Celery's result backend would be a second copy.
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        # Each queue its own exchange and key: left to Celery's default exchange, both queues are
        # bound under the same key, and a message published through that exchange reaches both.
        task_queues=[Queue(name, Exchange(name, type="direct"), routing_key=name) for name in QUEUES],
        task_default_queue=INTERACTIVE,
        # A job is acknowledged only when it ended, so a worker that dies mid-job hands it back.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # When Redis goes away, running jobs go on (Celery 6 would cancel them): their ends wait for Redis to
        # come back (tasks._end), and an acknowledgement lost with the connection only means a second delivery,
        # which finds the job ended and does nothing.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=settings.soft_time_limit or None,
        task_time_limit=settings.hard_time_limit,
        # Native engines (Tesseract, onnxruntime) grow in long-lived processes: recycle them.
        worker_max_tasks_per_child=settings.max_tasks_per_child,
        worker_max_memory_per_child=settings.max_memory_per_child,
        worker_concurrency=settings.worker_concurrency or None,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            # Interactive before bulk, always: BRPOP on the queues in this fixed order.
            "queue_order_strategy": "priority",
            # A job held by a dead worker comes back after this long; it must outlast the hard limit.
            "visibility_timeout": settings.visibility_timeout,
            "unacked_restore_interval": settings.restore_interval,
            "unacked_restore_throttle": 1,
            # The lock one sweep holds (it takes milliseconds). Kombu's 300 s: a sweep cut off by a Redis restart
            # leaves the lock behind and no job held by a dead worker comes back for five minutes. The lock only
            # spares work: each job is handed back in a transaction that watches the unacked hash, so only once.
            "unacked_mutex_expire": 10,
            # Read only by a `sentinel://` broker: which of the Sentinels' masters is ours, and how to ask them.
            "master_name": settings.sentinel_master,
            "sentinel_kwargs": sentinel_options(),
        },
    )
    return app

