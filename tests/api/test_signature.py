"""Calls signed with the app key and secret, as Alibaba Cloud API Gateway's clients sign them.

The signers below are written from the gateway's documentation and from the reference's PHP and
Java SDKs (github.com/ALIBABAOCR/OCR_EXAMPLE, which the reference document points to), not from
`api.signature`, so that the two can disagree.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import threading
import time
import uuid
from urllib.parse import urlencode

import fakeredis
import pytest
import redis
from werkzeug.serving import make_server

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


def string_to_sign(method: str, headers: dict, names: list[str], path: str, query: dict, lower: bool = True) -> str:
    """With `lower`, the signed headers' names lower-cased (the README's way); else as they are sent."""
    text = "".join(headers.get(h, "") + "\n" for h in ("Accept", "Content-MD5", "Content-Type", "Date"))
    text = method + "\n" + text
    spelled = sorted((n.lower() if lower else n, headers[n]) for n in names)
    text += "".join(f"{n}:{v}\n" for n, v in spelled)
    pairs = [k if query[k] in ("", None) else f"{k}={query[k]}" for k in sorted(query)]
    return text + path + ("?" + "&".join(pairs) if pairs else "")


def sdk_signed_headers(key: str, secret: str, method: str, path: str, body: bytes = b"",
                       lower: bool = False) -> dict:
    """The headers the reference's PHP SDK (HttpUtil::InitialBasicHeader, SignUtil::BuildHeaders) and
    Java SDK send for its POST example: Content-Type, Accept and Content-MD5 set by the example, then
    X-Ca-Timestamp, X-Ca-Nonce and X-Ca-Key; every `X-Ca-` header signed under its name as sent, in
    the order of a case-sensitive sort (PHP ksort, Java TreeMap), the same list in
    `X-Ca-Signature-Headers`; no Date, no X-Ca-Signature-Method (HmacSHA256). With `lower`, the same
    call signed the README's way, the names lower-cased in the string to sign."""
    headers = {"Content-Type": "application/json; charset=UTF-8", "Accept": "application/json"}
    if body:
        headers["Content-MD5"] = base64.b64encode(hashlib.md5(body).digest()).decode()
    headers["X-Ca-Timestamp"] = str(int(time.time()) * 1000)
    headers["X-Ca-Nonce"] = uuid.uuid4().hex.upper()
    headers["X-Ca-Key"] = key
    names = sorted(n for n in headers if n.startswith("X-Ca-"))
    text = string_to_sign(method, headers, names, path, {}, lower=lower)
    headers["X-Ca-Signature"] = base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()).decode()
    headers["X-Ca-Signature-Headers"] = ",".join(names)
    return headers


def test_the_sdk_signs_the_names_as_it_sends_them():
    headers = sdk_signed_headers("k", "s", "POST", "/p", body=b"{}")
    assert headers["X-Ca-Signature-Headers"] == "X-Ca-Key,X-Ca-Nonce,X-Ca-Timestamp"
    text = string_to_sign("POST", headers, ["X-Ca-Key", "X-Ca-Nonce", "X-Ca-Timestamp"], "/p", {}, lower=False)
    assert text.splitlines()[:6] == ["POST", "application/json", headers["Content-MD5"],
                                     "application/json; charset=UTF-8", "", "X-Ca-Key:k"]


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


@pytest.mark.parametrize("lower", [False, True], ids=["as the SDKs sign", "lower-cased as the README signs"])
def test_sdk_style_call_recognises_a_page(client, keys, page_sample, worker, lower):
    body = json.dumps({"image": b64(page_sample.encode("png"))}).encode()
    path = "/rest/160601/ocr/ocr_general.json"
    r = client.post(path, data=body, headers=sdk_signed_headers(*keys, "POST", path, body=body, lower=lower))
    assert r.status_code == 200, (r.json, r.headers.get("X-Ca-Error-Message"))
    assert page_sample.lines[0].text[:4] in "\n".join(line["word"] for line in r.json["ret"])


@pytest.fixture()
def http_api(app):
    """The API on a real socket, for clients that send their own header names on the wire."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join()


@pytest.mark.parametrize("lower", [False, True], ids=["as the SDKs sign", "lower-cased as the README signs"])
def test_sdk_style_call_over_http_answers_200(http_api, keys, page_sample, worker, lower):
    body = json.dumps({"image": b64(page_sample.encode("png")), "configure": json.dumps({"min_size": 16})}).encode()
    path = "/rest/160601/ocr/ocr_general.json"
    connection = http.client.HTTPConnection("127.0.0.1", http_api, timeout=120)
    try:
        connection.request("POST", path, body=body, headers=sdk_signed_headers(*keys, "POST", path, body=body, lower=lower))
        response = connection.getresponse()
        answer = json.loads(response.read())
    finally:
        connection.close()
    assert response.status == 200, (answer, response.getheader("X-Ca-Error-Message"))
    assert answer["success"] is True and answer["ret"]


def test_signed_names_in_another_case_than_listed_are_refused(client, keys):
    # Two spellings pass (the listed one, lower-cased), not any: the string to sign is still exact.
    path = "/v1/jobs/0000"
    headers = sdk_signed_headers(*keys, "GET", path)
    names = ["X-Ca-Key", "X-Ca-Nonce", "X-Ca-Timestamp"]
    text = string_to_sign("GET", headers, names, path, {}, lower=False).replace("X-Ca-", "X-CA-")
    headers["X-Ca-Signature"] = base64.b64encode(hmac.new(keys[1].encode(), text.encode(), hashlib.sha256).digest()).decode()
    r = client.get(path, headers=headers)
    assert r.status_code == 400 and r.headers["X-Ca-Error-Message"].startswith("Invalid Signature")
    headers = sdk_signed_headers(*keys, "GET", path)
    headers["X-Ca-Signature-Headers"] = "x-ca-key,X-CA-NONCE,X-Ca-Timestamp"   # listed, then signed, that way
    spelled = {"X-Ca-Key": "x-ca-key", "X-Ca-Nonce": "X-CA-NONCE", "X-Ca-Timestamp": "X-Ca-Timestamp"}
    lines = "".join(f"{spelled[n]}:{headers[n]}\n" for n in sorted(spelled, key=spelled.get))
    text = "GET\napplication/json\n\napplication/json; charset=UTF-8\n\n" + lines + path
    headers["X-Ca-Signature"] = base64.b64encode(hmac.new(keys[1].encode(), text.encode(), hashlib.sha256).digest()).decode()
    assert client.get(path, headers=headers).status_code == 404


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
    # The server shows the string with the names as listed in X-Ca-Signature-Headers.
    names = sorted(n for n in headers if n.startswith("X-Ca-") and n not in ("X-Ca-Signature", "X-Ca-Signature-Headers"))
    expected = string_to_sign("GET", headers, names, "/v1/jobs/0000", query, lower=False)
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
