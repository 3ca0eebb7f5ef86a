"""What the views reach per process (settings, Redis, the job store, apps, the bucket, Celery), as flaskr's
`db.py` gives its blueprints the database: built by the factory, read by the views, no import of the factory."""
from __future__ import annotations

from dataclasses import dataclass

import redis
from celery import Celery
from flask import current_app

from api.apps import AppStore
from api.ratelimit import TokenBucket
from api.settings import Settings
from workers.jobs import JobStore


@dataclass(frozen=True)
class Resources:
    """What the views need, built once per process."""

    settings: Settings
    redis: redis.Redis
    jobs: JobStore
    apps: AppStore
    bucket: TokenBucket
    celery: Celery


def resources() -> Resources:
    return current_app.extensions["ocr"]
