"""Fixtures that start real servers (redis-server, Celery workers) and give each test its own app."""
from __future__ import annotations

import pytest
import redis

from api.settings import Settings
from tests.servers import RedisServer, Worker, make_settings, start_redis, start_worker


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> RedisServer:
    server = start_redis(tmp_path_factory.mktemp("redis"), appendonly=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def settings(redis_server) -> Settings:
    return make_settings(redis_server.url)


@pytest.fixture(scope="session")
def worker(settings, tmp_path_factory) -> Worker:
    """One worker process serving the session's Redis."""
    w = start_worker(settings, tmp_path_factory.mktemp("worker"), "session-worker")
    yield w
    w.stop()


@pytest.fixture()
def app(settings):
    from api.app import create_app
    return create_app(settings)


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def appcode(settings) -> str:
    """A fresh app for each test, so that buckets, quotas and jobs of tests never mix."""
    from api.apps import AppStore
    _, code = AppStore(redis.Redis.from_url(settings.broker_url)).create("test")
    return code


@pytest.fixture(scope="session")
def page_png() -> bytes:
    """A small generated page of Chinese text, and its text."""
    from bench.synth import text_page
    return text_page(7, n_lines=3).encode("png")


@pytest.fixture(scope="session")
def page_sample():
    from bench.synth import text_page
    return text_page(7, n_lines=3)
