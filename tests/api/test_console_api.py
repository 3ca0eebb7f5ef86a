"""The console's page and the endpoints only it reads: an app's recent jobs (never another app's)
and the queues' depths and workers alive."""
from __future__ import annotations

import fakeredis
import pytest
import redis

from api.apps import AppStore
from tests.servers import b64, make_settings, start_redis
from workers.jobs import RECENT_JOBS, JobStore


@pytest.fixture(scope="module")
def quiet_redis(tmp_path_factory):
    """A Redis no worker serves, so that what is queued stays queued."""
    server = start_redis(tmp_path_factory.mktemp("console-redis"), appendonly=False)
    yield server
    server.stop()


@pytest.fixture()
def quiet(quiet_redis):
    from api.app import create_app
    client = redis.Redis.from_url(quiet_redis.url)
    client.flushdb()
    app = create_app(make_settings(quiet_redis.url, rate_burst=1000, rate_limit=1000.0))
    codes = [AppStore(client).create(name)[1] for name in ("mine", "theirs")]
    return app.test_client(), [{"Authorization": f"APPCODE {code}"} for code in codes]


def test_recent_jobs_are_the_apps_own_newest_first(quiet, page_png):
    client, (mine, theirs) = quiet
    ids = []
    for service in ("ocr_general", "ocr_idcard", "ocr_general"):
        r = client.post(f"/v1/jobs/{service}", headers=mine, json={"image": b64(page_png)})
        assert r.status_code == 202
        ids.append(r.json["request_id"])
    other = client.post("/v1/jobs/ocr_vin", headers=theirs, json={"image": b64(page_png)}).json["request_id"]

    jobs = client.get("/v1/jobs", headers=mine).json["jobs"]
    assert [j["request_id"] for j in jobs] == ids[::-1]
    assert [(j["service"], j["status"], j["queue"], j["result"]) for j in jobs][-1] == \
        ("ocr_general", "queued", "interactive", None)
    assert [j["request_id"] for j in client.get("/v1/jobs?limit=2", headers=mine).json["jobs"]] == ids[:0:-1]
    assert [j["request_id"] for j in client.get("/v1/jobs", headers=theirs).json["jobs"]] == [other]
    assert client.get("/v1/jobs?limit=0", headers=mine).json["jobs"] == jobs[:1]  # brought within 1..200
    r = client.get("/v1/jobs?limit=many", headers=mine)
    assert r.status_code == 461 and r.json["success"] is False
    assert client.get("/v1/jobs").status_code == 403


def test_status_counts_queued_jobs_and_live_workers(quiet, page_png):
    client, (mine, _) = quiet
    assert client.get("/v1/status", headers=mine).json == {"queues": {"interactive": 0, "bulk": 0}, "workers_alive": 0}
    for queue in ("interactive", "bulk", "bulk"):
        client.post(f"/v1/jobs/ocr_general?queue={queue}", headers=mine, json={"image": b64(page_png)})
    assert client.get("/v1/status", headers=mine).json == {"queues": {"interactive": 1, "bulk": 2}, "workers_alive": 0}
    assert client.get("/v1/status").status_code == 403


@pytest.mark.usefixtures("worker")
def test_status_sees_the_running_worker(client, appcode):
    assert client.get("/v1/status", headers={"Authorization": f"APPCODE {appcode}"}).json["workers_alive"] >= 1


def test_the_console_is_served_whole_and_offline(client):
    page = client.get("/console")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert 'src="/console/main.js"' in html and "http://" not in html and "https://" not in html
    for name in ("main.js", "api.js", "boxes.js", "i18n.js", "try.js", "designer.js", "jobs.js", "console.css"):
        r = client.get(f"/console/{name}")
        text = r.get_data(as_text=True)
        assert r.status_code == 200, name
        # Nothing fetched from elsewhere: every import is one of the console's own files.
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", "") and "https://" not in text, name
    assert client.get("/console/../app.py").status_code == 400
    assert client.get("/console/%2e%2e/app.py").status_code == 400


def test_the_services_and_their_options_are_listed_for_the_try_page(client):
    from ocr_core.services import SERVICES
    services = client.get("/console/services.json").json["services"]
    assert list(services) == list(SERVICES)
    assert services["ocr_idcard"]["options"] == {"side": ["face", "back"]}
    assert services["ocr_table_parse"]["options"] == {
        "format": ["html", "json", "xlsx", "csv", "markdown"], "finance": "bool", "dir_assure": "bool", "line_less": "bool"}
    assert services["ocr_general"]["options"] == {"min_size": "int", "output_prob": "bool"}
    assert services["ocr_template"]["options"] == {"template_id": "str", "template_list": "list"}
    assert client.get("/console/services.json").headers["Cache-Control"] == "no-cache"


def test_recent_jobs_are_bounded():
    store = JobStore(fakeredis.FakeRedis(), result_ttl=60)
    for i in range(RECENT_JOBS + 5):
        store.create(f"job-{i:03d}", service="ocr_general", app="a", image=b"x", configure={}, queue="bulk")
    recent = store.recent("a", RECENT_JOBS + 50)
    assert len(recent) == RECENT_JOBS and recent[0].request_id == f"job-{RECENT_JOBS + 4:03d}"
    assert store.redis.ttl("ocr:app:a:jobs") > 0
