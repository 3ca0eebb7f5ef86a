"""Calls signed with the app key and secret, as Alibaba Cloud API Gateway's clients sign them.

The signer below is written from the gateway's documentation, not from `api.signature`, so that
the two can disagree.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from urllib.parse import urlencode

import fakeredis
import pytest
import redis

from api.apps import AppStore
from api.signature import claim_nonce
from tests.servers import b64


def signed_headers(key: str, secret: str, method: str, path: str, query: dict | None = None, body: bytes = b"",
                   content_type: str = "application/json; charset=UTF-8", md5: str | None = None,
                   timestamp: int | None = None, nonce: str | None = None, algorithm: str = "HmacSHA256") -> dict:
    """The headers of a signed call: what the gateway's SDKs send."""
    headers = {"Accept": "application/json", "Date": "Wed, 25 Nov 2026 01:00:00 GMT",
               "X-Ca-Key": key, "X-Ca-Nonce": nonce or str(uuid.uuid4()), "X-Ca-Signature-Method": algorithm,
               "X-Ca-Timestamp": str(timestamp if timestamp is not None else int(time.time() * 1000))}
    if content_type:
        headers["Content-Type"] = content_type
    if body:
        headers["Content-MD5"] = md5 or base64.b64encode(hashlib.md5(body).digest()).decode()
    names = sorted(n for n in headers if n.startswith("X-Ca-"))
    headers["X-Ca-Signature-Headers"] = ",".join(names)
    text = string_to_sign(method, headers, names, path, query or {})
    digest = {"HmacSHA256": hashlib.sha256, "HmacSHA1": hashlib.sha1}[algorithm]
    headers["X-Ca-Signature"] = base64.b64encode(hmac.new(secret.encode(), text.encode(), digest).digest()).decode()
    return headers


def string_to_sign(method: str, headers: dict, names: list[str], path: str, query: dict) -> str:
    text = "".join(headers.get(h, "") + "\n" for h in ("Accept", "Content-MD5", "Content-Type", "Date"))
    text = method + "\n" + text
    text += "".join(f"{n.lower()}:{headers[n]}\n" for n in sorted(names, key=str.lower))
    pairs = [k if query[k] in ("", None) else f"{k}={query[k]}" for k in sorted(query)]
    return text + path + ("?" + "&".join(pairs) if pairs else "")


@pytest.fixture()
def store(settings) -> AppStore:
    return AppStore(redis.Redis.from_url(settings.broker_url))


@pytest.fixture()
def keys(store) -> tuple[str, str]:
    app, _ = store.create("signed")
    return store.key_and_secret(app.app_id)


def get_job(client, key: str, secret: str, query: dict | None = None, **sign):
    """A signed poll of a job that does not exist: 404 means the signature was accepted."""
    path = "/v1/jobs/0000"
    return client.get(path + ("?" + urlencode(query) if query else ""),
                      headers=signed_headers(key, secret, "GET", path, query, content_type="", **sign))


def test_signed_call_recognises_a_page(client, keys, page_sample, worker):
    body = json.dumps({"image": b64(page_sample.encode("png"))}).encode()
    path = "/rest/160601/ocr/ocr_general.json"
    r = client.post(path, data=body, headers=signed_headers(*keys, "POST", path, body=body))
    assert r.status_code == 200, (r.json, r.headers.get("X-Ca-Error-Message"))
    assert page_sample.lines[0].text[:4] in "\n".join(line["word"] for line in r.json["ret"])


def test_signed_poll_with_query_parameters_sorted(client, keys):
    assert get_job(client, *keys).status_code == 404
    assert get_job(client, *keys, query={"zeta": "1", "alpha": "二", "flag": ""}).status_code == 404
    assert get_job(client, *keys, algorithm="HmacSHA1").status_code == 404


def test_wrong_secret_shows_the_string_the_server_signed(client, keys):
    key, _ = keys
    query = {"b": "2", "a": "1"}
    headers = signed_headers(key, "not-the-secret", "GET", "/v1/jobs/0000", query, content_type="")
    r = client.get("/v1/jobs/0000?b=2&a=1", headers=headers)
    assert r.status_code == 400 and r.json["error_msg"] == "Invalid Signature"
    names = sorted(n for n in headers if n.startswith("X-Ca-") and n not in ("X-Ca-Signature", "X-Ca-Signature-Headers"))
    expected = string_to_sign("GET", headers, names, "/v1/jobs/0000", query)
    assert "/v1/jobs/0000?a=1&b=2" in expected
    assert r.headers["X-Ca-Error-Message"] == f"Invalid Signature, Server StringToSign:`{expected.replace(chr(10), '#')}`"


def test_a_nonce_is_accepted_once(client, keys):
    nonce = str(uuid.uuid4())
    assert get_job(client, *keys, nonce=nonce).status_code == 404
    again = get_job(client, *keys, nonce=nonce)
    assert again.status_code == 400 and again.headers["X-Ca-Error-Message"] == "Nonce Used"


def test_timestamp_older_than_15_minutes_is_refused(client, keys):
    r = get_job(client, *keys, timestamp=int((time.time() - 16 * 60) * 1000))
    assert r.status_code == 400 and r.headers["X-Ca-Error-Message"] == "Invalid Timestamp"
    assert get_job(client, *keys, timestamp=int((time.time() - 10 * 60) * 1000)).status_code == 404


def test_unknown_or_revoked_key_is_forbidden(client, keys, store):
    r = get_job(client, "no-such-key", keys[1])
    assert r.status_code == 403 and r.headers["X-Ca-Error-Message"] == "Invalid AppKey"
    app_id = store.redis.hget("ocr:appkeys", keys[0]).decode()
    store.revoke(app_id)
    assert get_job(client, *keys).status_code == 403


def test_content_md5_must_match_the_body(client, keys):
    body = json.dumps({"image": "iVBORw0KGgo="}).encode()
    wrong = base64.b64encode(hashlib.md5(b"another body").digest()).decode()
    path = "/v1/jobs/ocr_general"
    r = client.post(path, data=body, headers=signed_headers(*keys, "POST", path, body=body, md5=wrong))
    assert r.status_code == 400 and r.headers["X-Ca-Error-Message"] == "Invalid Content-MD5"


def test_quota_applies_to_signed_calls(client, store, page_png):
    app, _ = store.create("no calls", quota=0)
    body = json.dumps({"image": b64(page_png)}).encode()
    path = "/v1/jobs/ocr_general"
    r = client.post(path, data=body, headers=signed_headers(*store.key_and_secret(app.app_id), "POST", path, body=body))
    assert r.status_code == 403 and r.headers["X-Ca-Error-Message"] == "Quota Exhausted"


def test_appcode_still_works_and_a_new_key_replaces_the_old(client, store):
    app, code = store.create("both")
    old = store.key_and_secret(app.app_id)
    assert client.get("/v1/jobs/0000", headers={"Authorization": f"APPCODE {code}"}).status_code == 404
    new = store.new_key(app.app_id)
    assert get_job(client, *new).status_code == 404
    assert get_job(client, *old).status_code == 403


def test_nonce_is_kept_while_its_timestamp_is_valid():
    client = fakeredis.FakeRedis()
    now_ms = int(time.time() * 1000)
    assert claim_nonce(client, "app", "n1", now_ms)
    assert not claim_nonce(client, "app", "n1", now_ms)
    assert claim_nonce(client, "other-app", "n1", now_ms)
    assert 14 * 60 < client.ttl("ocr:nonce:app:n1") <= 15 * 60


def test_apps_create_prints_a_key_and_secret_that_sign(client, settings):
    from tests.api.test_cli import ocrq
    out = ocrq("apps", "create", "signer", env={"REDIS_URL": settings.broker_url})
    assert out.returncode == 0, out.stderr
    printed = dict(line.split(None, 1) for line in out.stdout.splitlines()[:4])
    assert len(printed["APPCODE"]) == 32 and printed["AppKey"] and len(printed["AppSecret"]) == 32
    assert get_job(client, printed["AppKey"], printed["AppSecret"]).status_code == 404
