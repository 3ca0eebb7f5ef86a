"""Apps that may call the service: each holds an APPCODE, of which only a hash is stored, and an optional quota."""
from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

import redis

from ocr_core.errors import Forbidden, QuotaExhausted

CODES = "ocr:appcodes"  # hash: sha256(code) -> app id


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


class AppStore:
    def __init__(self, client: redis.Redis):
        self.redis = client

    def create(self, name: str, quota: int | None = None) -> tuple[App, str]:
        """A new app and its APPCODE; the code is shown once and not kept."""
        app_id, code = secrets.token_hex(8), secrets.token_hex(16)
        fields = {"name": name, "created_at": repr(time.time()), "revoked": 0, "used": 0}
        if quota is not None:
            fields["quota"] = quota
        pipe = self.redis.pipeline()
        pipe.hset(f"ocr:app:{app_id}", mapping=fields)
        pipe.hset(CODES, hash_code(code), app_id)
        pipe.execute()
        return self.get(app_id), code

    def get(self, app_id: str) -> App | None:
        raw = self.redis.hgetall(f"ocr:app:{app_id}")
        if not raw:
            return None
        d = {k.decode(): v.decode() for k, v in raw.items()}
        return App(app_id, d["name"], float(d["created_at"]), d["revoked"] == "1",
                   int(d["quota"]) if "quota" in d else None, int(d["used"]))

    def list(self) -> list[App]:
        ids = {v.decode() for v in self.redis.hvals(CODES)}
        return sorted((a for a in map(self.get, ids) if a), key=lambda a: a.created_at)

    def revoke(self, app_id: str) -> bool:
        if not self.redis.exists(f"ocr:app:{app_id}"):
            return False
        self.redis.hset(f"ocr:app:{app_id}", "revoked", 1)
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
        key = f"ocr:app:{app.app_id}"
        used = self.redis.hincrby(key, "used", calls)
        if app.quota is not None and used > app.quota:
            self.redis.hincrby(key, "used", -calls)
            raise QuotaExhausted()
