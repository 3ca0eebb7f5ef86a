"""`ocrq api` as deployed (gunicorn): what the HTTP server refuses is answered in the contract's JSON, not HTML."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
import requests

from tests.servers import ROOT, free_port, make_settings


@pytest.fixture(scope="module")
def server(redis_server, tmp_path_factory):
    settings = make_settings(redis_server.url, port=free_port(), api_processes=1, api_threads=4)
    log = tmp_path_factory.mktemp("gunicorn") / "api.log"
    process = subprocess.Popen([sys.executable, "-m", "api.cli", "api"], cwd=ROOT,
                               env={**os.environ, **settings.to_env()}, stdout=open(log, "ab"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{settings.port}"
    try:
        for _ in range(400):
            try:
                requests.get(url + "/healthz", timeout=5)
                break
            except requests.RequestException:
                assert process.poll() is None, log.read_text()
                time.sleep(0.05)
        yield settings.port
    finally:
        process.terminate()
        process.wait(timeout=30)


def raw_call(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """One request sent as these bytes; the status, headers and body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def assert_contract(status: int, headers: dict, body: bytes, expected: int) -> None:
    import json
    assert status == expected, body[:300]
    assert headers["content-type"].startswith("application/json"), (headers, body[:200])
    answer = json.loads(body)
    assert answer["success"] is False and answer["error_code"] == expected and isinstance(answer["error_msg"], str)
    assert answer["request_id"] and headers["x-ca-request-id"] == answer["request_id"]


@pytest.mark.parametrize("length, expected", [(5000, 414), (8100, 414), (9000, 414), (100_000, 414)])
def test_a_long_request_line_is_answered_in_json(server, length, expected):
    request = b"GET /v1/jobs/" + b"a" * length + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    assert_contract(*raw_call(server, request), expected)


@pytest.mark.parametrize("size", [9000, 16 * 1024, 60_000, 200_000])
def test_a_large_header_is_answered_in_json(server, size):
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * size + b"\r\nConnection: close\r\n\r\n"
    assert_contract(*raw_call(server, request), 431)


def test_a_request_that_is_not_http_is_answered_in_json(server):
    status, headers, body = raw_call(server, b"\x16\x03\x01 garbage\r\n\r\n")
    assert_contract(status, headers, body, 400)


def test_a_chunked_body_over_the_limit_is_413(server, appcode):
    def chunks():
        for _ in range(11):
            yield b"A" * (1 << 20)
    r = requests.post(f"http://127.0.0.1:{server}/api/predict/ocr_general", data=chunks(),
                      headers={"Authorization": f"APPCODE {appcode}"}, timeout=60)
    assert r.status_code == 413 and r.json()["error_code"] == 413


def test_a_good_call_still_answers(server):
    assert requests.get(f"http://127.0.0.1:{server}/healthz", timeout=5).status_code == 200
