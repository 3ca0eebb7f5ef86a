"""A deployment without the ppocr extra: a request for it gets a clear 461, Tesseract keeps serving."""
from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import redis
import requests

from api.apps import AppStore
from bench.synth import text_page
from tests.servers import (ROOT, answering, free_port, make_settings, start_redis, start_worker, wait_for,
                           without_packages)


def test_engine_missing_from_the_deployment(tmp_path):
    server = start_redis(tmp_path / "redis", appendonly=False)
    settings = make_settings(server.url, port=free_port(), api_processes=1)
    # API and worker in their own processes, where `import rapidocr` fails as on a machine without it.
    blocked = without_packages(tmp_path / "site", "rapidocr", "onnxruntime")
    worker = start_worker(settings, tmp_path, "no-ppocr", extra_env=blocked)
    api = subprocess.Popen([sys.executable, "-m", "api.cli", "api"], cwd=ROOT,
                           env={**os.environ, **settings.to_env(), **blocked},
                           stdout=open(tmp_path / "api.log", "ab"), stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{settings.port}"
        assert wait_for(lambda: answering(url), 120), (tmp_path / "api.log").read_text()[-2000:]
        _, code = AppStore(redis.Redis.from_url(server.url)).create("no-ppocr")
        page = text_page(73, n_lines=2)
        image = base64.b64encode(page.encode("png")).decode()

        def call(configure):
            return requests.post(f"{url}/api/predict/ocr_general", data=json.dumps({"image": image, "configure": configure}),
                                 headers={"Authorization": f"APPCODE {code}"}, timeout=60)

        refused = call({"engine": "ppocr"})
        assert refused.status_code == 461
        assert "engine 'ppocr' is not installed on this server (pip install 'ocrq[ppocr]')" in refused.json()["error_msg"]
        for configure in ({"engine": "tesseract"}, {}):
            served = call(configure)
            assert served.status_code == 200, served.text
            assert page.lines[0].text[:4] in served.json()["ret"][0]["word"]
    finally:
        api.terminate()
        api.wait(timeout=30)
        worker.stop()
        server.stop()
