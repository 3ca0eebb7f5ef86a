"""A worker process's Celery app, the one `ocrq worker` runs: `celery -A workers.worker worker -Q interactive,bulk`.
Its tasks come from `workers.tasks` (the app's `include`)."""
from __future__ import annotations

from workers.celery_app import create_celery
from workers.settings import get_settings

app = create_celery(get_settings())
