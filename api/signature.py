"""The gateway's second way to call: app key and secret, each request signed with HMAC (`X-Ca-Signature`).

The string to sign is Alibaba Cloud API Gateway's: method, Accept, Content-MD5, Content-Type, Date, the
headers listed in `X-Ca-Signature-Headers` (`name:value`, sorted by name), then the path and the sorted
query and form parameters. The names are written as the client listed them; lower-cased also passes.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import math
import time
from collections.abc import Mapping
from urllib.parse import parse_qsl

import redis
from flask import Request

from api import errors
from api.apps import App, AppStore
from workers import keys

TIMESTAMP_WINDOW = 15 * 60  # seconds either side of the server's clock, as the gateway allows
METHODS = {"HmacSHA256": hashlib.sha256, "HmacSHA1": hashlib.sha1}
# Replay protection is only as good as what is signed: without these three a captured call could be sent again.
MUST_SIGN = ("x-ca-key", "x-ca-nonce", "x-ca-timestamp")
NOT_SIGNED = {"x-ca-signature", "x-ca-signature-headers"}
MAX_NONCE = 128
FORM = "application/x-www-form-urlencoded"


def path_and_parameters(path: str, params: Mapping[str, str]) -> str:
    """The path, then `?` and the parameters sorted by key, `key=value` joined by `&` (a key alone when empty)."""
    if not params:
        return path
    return path + "?" + "&".join(k if params[k] == "" else f"{k}={params[k]}" for k in sorted(params))


def string_to_sign(method: str, headers: Mapping[str, str], signed: list[str], path: str,
                   params: Mapping[str, str]) -> str:
    """What the client had to sign: `headers` looked up case-insensitively, `signed` the names of the
    signed headers written as they appear in the string (sorted here by that spelling, as the SDKs'
    PHP ksort and Java TreeMap sort them)."""
    lines = [method.upper()] + [headers.get(name) or "" for name in ("Accept", "Content-MD5", "Content-Type", "Date")]
    block = "".join(f"{name}:{headers.get(name) or ''}\n" for name in sorted(signed))
    return "\n".join(lines) + "\n" + block + path_and_parameters(path, params)


def signed_names(listed: str) -> list[str]:
    """The names in `X-Ca-Signature-Headers` as the client spelled them, each once (its first
    spelling), without the signature's own headers."""
    names: dict[str, str] = {}
    for name in listed.split(","):
        name = name.strip()
        if name and name.lower() not in NOT_SIGNED:
            names.setdefault(name.lower(), name)
    return list(names.values())


def sign(secret: str, text: str, method: str = "HmacSHA256") -> str:
    return base64.b64encode(hmac.new(secret.encode(), text.encode(), METHODS[method]).digest()).decode()


def claim_nonce(client: redis.Redis, app_id: str, nonce: str, timestamp_ms: int) -> bool:
    """True the first time an app's nonce is seen. It is kept only while its (signed) timestamp stays acceptable."""
    ttl = max(1, math.ceil(timestamp_ms / 1000 + TIMESTAMP_WINDOW - time.time()))
    return bool(client.set(keys.nonce(app_id, nonce), 1, nx=True, ex=ttl))


MAX_TIMESTAMP_DIGITS = 16  # milliseconds: 13 digits until the year 2286


def verify_request(apps: AppStore, client: redis.Redis, request: Request, require_md5: bool = False) -> App:
    """The app of a request signed with its secret, or the gateway's error for what is wrong with it."""
    headers = request.headers
    app, secret = apps.by_key(headers.get("X-Ca-Key", "").strip())

    timestamp = headers.get("X-Ca-Timestamp", "").strip()
    # ASCII digits only (`isdigit` holds for `¹²³`, which `int` refuses), and few enough to be a time.
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= MAX_TIMESTAMP_DIGITS) \
            or abs(int(timestamp) / 1000 - time.time()) > TIMESTAMP_WINDOW:
        raise errors.InvalidTimestamp()

    method = headers.get("X-Ca-Signature-Method", "HmacSHA256").strip()
    if method not in METHODS:
        raise errors.InvalidSignature(reason=f"unknown X-Ca-Signature-Method {method!r}: use HmacSHA256 or HmacSHA1"[:200])
    signed = signed_names(headers.get("X-Ca-Signature-Headers", ""))
    missing = [n for n in MUST_SIGN if n not in {name.lower() for name in signed}]
    if missing:
        raise errors.InvalidSignature(reason=f"X-Ca-Signature-Headers must list {', '.join(missing)}")

    params = {k: v for k, v in request.args.items()}
    if (request.mimetype or "") == FORM:
        # The gateway signs form parameters with the query's; the first value of a repeated key, as in the query.
        for k, v in parse_qsl(request.get_data().decode("latin-1"), keep_blank_values=True):
            params.setdefault(k, v)
    # The names exactly as listed in X-Ca-Signature-Headers first: that is what the client says it
    # signed, and how the reference's own PHP and Java SDKs sign (`X-Ca-Key:...`, the names as they
    # send them). Then lower-cased, the form this README and earlier versions of this server use,
    # so that clients written for it keep working. Each is one HMAC; the nonce is claimed once.
    expected = string_to_sign(request.method, headers, signed, request.path, params)
    lowered = string_to_sign(request.method, headers, [n.lower() for n in signed], request.path, params)
    given = headers.get("X-Ca-Signature", "").strip().encode()
    if not any(hmac.compare_digest(given, sign(secret, text, method).encode())
               for text in dict.fromkeys((expected, lowered))):
        raise errors.InvalidSignature(expected)

    md5 = headers.get("Content-MD5")
    if md5 is None and require_md5:
        raise errors.InvalidContentMD5()
    if md5 is not None:
        actual = base64.b64encode(hashlib.md5(request.get_data()).digest()).decode()
        if not hmac.compare_digest(md5.strip().encode(), actual.encode()):
            raise errors.InvalidContentMD5()

    nonce = headers.get("X-Ca-Nonce", "").strip()
    if not nonce or len(nonce) > MAX_NONCE:
        raise errors.InvalidNonce()
    if not claim_nonce(client, app.app_id, nonce, int(timestamp)):
        raise errors.NonceUsed()
    return app


def authenticate_request(apps: AppStore, client: redis.Redis, request: Request, require_md5: bool = False) -> App:
    """The calling app, by `X-Ca-Key` and signature when the request has one, by `Authorization: APPCODE` otherwise.
    `require_md5`: a signed call must carry `Content-MD5` (its body signed through it)."""
    if "X-Ca-Key" in request.headers:
        return verify_request(apps, client, request, require_md5)
    return apps.authenticate(request.headers.get("Authorization"))
