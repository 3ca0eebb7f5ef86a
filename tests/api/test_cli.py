"""The `ocrq` command line: in-process recognition, app management, the settings, and what it says
when something is wrong: one line, an exit code, never a traceback."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import redis

from api.apps import AppStore
from api.cli.launcher import RUNNING_FILE, write_running
from tests.servers import ROOT, free_port


def ocrq(*args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    """`ocrq ARGS` in a child process, in an environment without the developer's Redis and OCR_ settings."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OCR_", "OCRQ_")) and k != "REDIS_URL"}
    kwargs = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    return subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=ROOT, text=True,
                          timeout=120, env={**clean, **(env or {})}, **kwargs)


def said_in_one_line(out: subprocess.CompletedProcess) -> str:
    """The one line on stderr of a command that failed cleanly."""
    assert "Traceback" not in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    return out.stderr.strip()


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
    out = ocrq("settings", "--markdown").stdout
    for name in ("REDIS_URL", "OCR_TESSDATA", "OCR_RATE_LIMIT", "OCR_RESULT_TTL", "OCR_MAX_BODY_BYTES"):
        assert f"`{name}`" in out


def test_settings_markdown_is_the_readme_table():
    from api.settings import readme_table as settings_table
    assert ocrq("settings", "--markdown").stdout.strip() == settings_table().strip()


def test_settings_show_each_value_in_effect_beside_its_default(tmp_path):
    out = ocrq("settings", env={"OCR_PORT": "9123", "REDIS_URL": "redis://:hunter2@redis.internal:6380/1",
                                "OCR_DATA_DIR": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    rows = {line.split()[0]: line.split() for line in out.stdout.splitlines() if line.startswith(("OCR_", "REDIS"))}
    assert rows["OCR_PORT"] == ["OCR_PORT", "9123", "8080", "environment"]
    assert rows["OCR_RATE_LIMIT"] == ["OCR_RATE_LIMIT", "5.0", "5.0"]  # a default: nothing in the last column
    assert rows["OCR_DATA_DIR"][1] == str(tmp_path) and rows["OCR_DATA_DIR"][2] == "var"
    assert rows["REDIS_URL"][1:] == ["redis://:***@redis.internal:6380/1", "(unset)", "environment"]
    assert "hunter2" not in out.stdout


def test_settings_into_a_closed_pipe_say_nothing():
    """`ocrq settings | head -1`: the reader goes away; the command stops quietly, without BrokenPipeError."""
    read, write = os.pipe()
    os.close(read)  # every write now fails with EPIPE, as once `head` has exited
    try:
        out = ocrq("settings", stdout=write)
    finally:
        os.close(write)
    assert out.stderr == "", out.stderr
    assert out.returncode == 141  # as a process that SIGPIPE ended


def test_a_setting_that_does_not_parse_is_said_in_one_line():
    out = ocrq("settings", env={"OCR_PORT": "eighty"})
    assert out.returncode == 2
    assert "OCR_PORT='eighty' is not a valid int" in said_in_one_line(out)


def test_version_from_the_package_metadata():
    from importlib.metadata import version
    out = ocrq("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"ocrq {version('ocrq')}"


def test_recognize_refuses_bad_arguments_in_one_line(tmp_path):
    picture = tmp_path / "page.png"
    picture.write_bytes(b"whatever: never read")
    missing = ocrq("recognize", str(tmp_path / "missing.png"))
    assert missing.returncode == 2 and "No such file" in said_in_one_line(missing)
    folder = ocrq("recognize", str(tmp_path))
    assert folder.returncode == 2 and f"cannot read {tmp_path}" in said_in_one_line(folder)
    bad_json = ocrq("recognize", str(picture), "--configure", "{side: face}")
    assert bad_json.returncode == 2 and "--configure is not JSON" in said_in_one_line(bad_json)
    not_object = ocrq("recognize", str(picture), "--configure", "[1, 2]")
    assert not_object.returncode == 2 and "--configure must be a JSON object" in said_in_one_line(not_object)
    unknown = ocrq("recognize", str(picture), "--service", "ocr_invoice")
    assert unknown.returncode == 2
    line = said_in_one_line(unknown)
    assert "unknown service 'ocr_invoice'; one of: " in line and "ocr_general" in line and "ocr_idcard" in line
    assert "Invalid URL" not in line


def test_apps_say_what_to_do_when_redis_cannot_be_reached(tmp_path):
    nothing_there = f"redis://:s3cret@127.0.0.1:{free_port()}/0"
    out = ocrq("apps", "list", env={"REDIS_URL": nothing_there})
    assert out.returncode == 2 and out.stdout == ""
    line = said_in_one_line(out)
    assert "cannot reach Redis at redis://:***@127.0.0.1:" in line and "REDIS_URL" in line and "s3cret" not in line
    # No REDIS_URL and no `ocrq up` in the data folder: the default port, and the way out.
    out = ocrq("apps", "create", "x", env={"OCR_DATA_DIR": str(tmp_path)})
    assert out.returncode == 2
    line = said_in_one_line(out)
    assert f"no `ocrq up` runs in {tmp_path}" in line and "start `ocrq up`" in line


def test_apps_find_the_redis_of_the_ocrq_up_running_in_the_data_folder(redis_server, tmp_path):
    """What `ocrq up` notes in its data folder (here noted by this test's own process, which is alive) is
    where `ocrq apps` goes when REDIS_URL is unset; a note left by a process that is gone is not."""
    write_running(tmp_path, redis_url=redis_server.url, api_url="http://127.0.0.1:1")
    env = {"OCR_DATA_DIR": str(tmp_path)}
    created = ocrq("apps", "create", "found-by-note", env=env)
    assert created.returncode == 0, created.stderr
    app_id, code = created.stdout.split()[1], created.stdout.split()[3]
    assert AppStore(redis.Redis.from_url(redis_server.url)).authenticate(f"APPCODE {code}").app_id == app_id
    listing = ocrq("apps", "list", env=env)
    assert listing.returncode == 0 and app_id in listing.stdout
    shown = next(line.split() for line in ocrq("settings", env=env).stdout.splitlines() if line.startswith("REDIS_URL"))
    assert shown[1] == redis_server.url and "ocrq up" in " ".join(shown[3:])

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    note = json.loads((tmp_path / RUNNING_FILE).read_text())
    (tmp_path / RUNNING_FILE).write_text(json.dumps({**note, "pid": int(gone.stdout)}))
    out = ocrq("apps", "list", env=env)
    assert out.returncode == 2 and "no `ocrq up` runs in" in said_in_one_line(out)


def test_readme_settings_table_is_current():
    from api.settings import readme_table as settings_table
    readme = (ROOT / "README.md").read_text()
    table = readme.split("<!-- settings-table -->\n")[1].split("<!-- /settings-table -->")[0]
    assert table.strip() == settings_table().strip(), "run `ocrq settings --markdown` and paste the table into README.md"
