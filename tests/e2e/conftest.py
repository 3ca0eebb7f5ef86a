"""Fixtures of the end-to-end tests: the API over real HTTP, for the browser tests."""
from __future__ import annotations

import threading

import pytest

from tests.servers import free_port


@pytest.fixture(scope="module")
def live_api(settings) -> str:
    """The API served over real HTTP on a free port, as the browser needs it."""
    from werkzeug.serving import make_server

    from api.app import create_app
    port = free_port()
    server = make_server("127.0.0.1", port, create_app(settings), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=10)
