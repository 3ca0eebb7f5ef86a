"""Apps that may call the service: each holds an APPCODE, of which only a hash is stored, an app key and
secret for signed calls (`api.signature`), and an optional quota."""
from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

import redis

from api.errors import Forbidden, InvalidAppKey, QuotaExhausted
from workers import keys

CODES = keys.APPCODES
KEYS = keys.APPKEYS


def hash_code(code: str) -> str:
    # Codes are 128 random bits, so a fast hash cannot be brute-forced; a password hash would only slow each call.
    return hashlib.sha256(code.encode()).hexdigest()


@dataclass(frozen=True)
class App:
    app_id: str
    name: str
    created_at: float
    revoked: bool
    quota: int | None   # calls allowed in all; None: unlimited
    used: int
    app_key: str | None = None  # None: made before app keys, or never given one (`ocrq apps key`)


class AppStore:
    def __init__(self, client: redis.Redis):
        self.redis = client

    def create(self, name: str, quota: int | None = None) -> tuple[App, str]:
        """A new app and its APPCODE; the code is shown once and not kept. Its key and secret: `key_and_secret`."""
        app_id, code = secrets.token_hex(8), secrets.token_hex(16)
        app_key, app_secret = _new_key_and_secret()
        fields = {"name": name, "created_at": repr(time.time()), "revoked": 0, "used": 0,
                  "app_key": app_key, "app_secret": app_secret}
        if quota is not None:
            fields["quota"] = quota
        pipe = self.redis.pipeline()
        pipe.hset(keys.app(app_id), mapping=fields)
        pipe.hset(CODES, hash_code(code), app_id)
        pipe.hset(KEYS, app_key, app_id)
        pipe.execute()
        return self.get(app_id), code

    def new_key(self, app_id: str) -> tuple[str, str] | None:
        """Give an app a new key and secret (an app made before keys existed, or a leaked secret); None: no such app."""
        if not self.redis.exists(keys.app(app_id)):
            return None
        old = self.redis.hget(keys.app(app_id), "app_key")
        app_key, app_secret = _new_key_and_secret()
        pipe = self.redis.pipeline()
        if old:
            pipe.hdel(KEYS, old)
        pipe.hset(keys.app(app_id), mapping={"app_key": app_key, "app_secret": app_secret})
        pipe.hset(KEYS, app_key, app_id)
        pipe.execute()
        return app_key, app_secret

    def key_and_secret(self, app_id: str) -> tuple[str, str] | None:
        key, secret = self.redis.hmget(keys.app(app_id), "app_key", "app_secret")
        return (key.decode(), secret.decode()) if key and secret else None

    def by_key(self, app_key: str) -> tuple[App, str]:
        """The app of an `X-Ca-Key` and its secret, or InvalidAppKey (403)."""
        app_id = self.redis.hget(KEYS, app_key)
        app = self.get(app_id.decode()) if app_id else None
        pair = self.key_and_secret(app.app_id) if app else None
        if app is None or app.revoked or pair is None or pair[0] != app_key:
            raise InvalidAppKey()
        return app, pair[1]

    def get(self, app_id: str) -> App | None:
        raw = self.redis.hgetall(keys.app(app_id))
        if not raw:
            return None
        d = {k.decode(): v.decode() for k, v in raw.items()}
        return App(app_id, d["name"], float(d["created_at"]), d["revoked"] == "1",
                   int(d["quota"]) if "quota" in d else None, int(d["used"]), d.get("app_key"))

    def list(self) -> list[App]:
        ids = {v.decode() for v in self.redis.hvals(CODES)}
        return sorted((a for a in map(self.get, ids) if a), key=lambda a: a.created_at)

    def revoke(self, app_id: str) -> bool:
        if not self.redis.exists(keys.app(app_id)):
            return False
        self.redis.hset(keys.app(app_id), "revoked", 1)
        return True

    def authenticate(self, authorization: str | None) -> App:
        """The app of an `Authorization: APPCODE <code>` header, or Forbidden."""
        scheme, _, code = (authorization or "").strip().partition(" ")
        if scheme.upper() != "APPCODE" or not code.strip():
            raise Forbidden()
        app_id = self.redis.hget(CODES, hash_code(code.strip()))
        app = self.get(app_id.decode()) if app_id else None
        if app is None or app.revoked:
            raise Forbidden()
        return app

    def spend(self, app: App, calls: int = 1) -> None:
        """Count `calls` against the app's quota, refusing them all when they do not fit."""
        key = keys.app(app.app_id)
        used = self.redis.hincrby(key, "used", calls)
        if app.quota is not None and used > app.quota:
            self.redis.hincrby(key, "used", -calls)
            raise QuotaExhausted()


def _new_key_and_secret() -> tuple[str, str]:
    # Unlike the APPCODE, the secret is kept as it is: the server needs it to compute each call's HMAC, so a
    # hash would not do, and encrypting it with a key held by the same processes that read Redis would add
    # nothing against someone who can read Redis (who already sees every waiting image). It is never logged.
    return secrets.token_hex(8), secrets.token_hex(16)
