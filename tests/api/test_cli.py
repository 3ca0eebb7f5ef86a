"""The `ocrq` command line: in-process recognition, app management, the settings table."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.servers import ROOT


def ocrq(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})})


def test_recognize_a_file_in_process_without_redis(tmp_path, page_sample):
    path = tmp_path / "page.png"
    path.write_bytes(page_sample.encode("png"))
    out = ocrq("recognize", str(path), "--service", "ocr_general", "--configure", '{"output_prob": true}',
               env={"REDIS_URL": "redis://127.0.0.1:1/0"})  # nothing listens there: Redis is not used
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["success"] is True and "prob" in answer["ret"][0]
    assert page_sample.lines[0].text[:4] in "\n".join(line["word"] for line in answer["ret"])


def test_recognize_reports_contract_errors(tmp_path):
    path = tmp_path / "not-a-picture.png"
    path.write_bytes(b"plain text")
    out = ocrq("recognize", str(path))
    assert out.returncode == 1
    assert json.loads(out.stdout)["error_code"] == 462


def test_apps_create_list_revoke(settings):
    env = {"REDIS_URL": settings.broker_url}
    created = ocrq("apps", "create", "scanner-7", "--quota", "100", env=env)
    assert created.returncode == 0, created.stderr
    app_id = created.stdout.split()[1]
    code = created.stdout.split()[3]
    assert len(code) == 32
    listing = ocrq("apps", "list", env=env).stdout
    assert app_id in listing and "scanner-7" in listing and "100" in listing and code not in listing
    assert ocrq("apps", "revoke", app_id, env=env).returncode == 0
    assert "revoked" in [line for line in ocrq("apps", "list", env=env).stdout.splitlines() if app_id in line][0]
    assert ocrq("apps", "revoke", "no-such-app", env=env).returncode == 1


def test_settings_table_lists_every_variable():
    out = ocrq("settings").stdout
    for name in ("REDIS_URL", "OCR_TESSDATA", "OCR_RATE_LIMIT", "OCR_RESULT_TTL", "OCR_MAX_BODY_BYTES"):
        assert f"`{name}`" in out


def test_readme_settings_table_is_current():
    from ocr_core.settings import settings_table
    readme = (ROOT / "README.md").read_text()
    table = readme.split("<!-- settings-table -->\n")[1].split("<!-- /settings-table -->")[0]
    assert table.strip() == settings_table().strip(), "run `ocrq settings` and paste the table into README.md"
