"""Apps: APPCODEs stored only as hashes, revocation and quotas."""
import fakeredis
import pytest

from api.apps import CODES, AppStore, hash_code
from api.errors import Forbidden, QuotaExhausted


@pytest.fixture()
def store():
    return AppStore(fakeredis.FakeRedis())


def test_create_then_authenticate(store):
    app, code = store.create("back office")
    assert store.authenticate(f"APPCODE {code}") == app
    assert store.authenticate(f"appcode   {code} ").app_id == app.app_id


def test_only_a_hash_of_the_code_is_stored(store):
    _, code = store.create("x")
    dump = b"".join(k + b"".join(store.redis.hgetall(k).keys()) + b"".join(store.redis.hgetall(k).values())
                    for k in store.redis.keys("*"))
    assert code.encode() not in dump
    assert store.redis.hexists(CODES, hash_code(code))


@pytest.mark.parametrize("header", [None, "", "APPCODE", "APPCODE ", "Bearer abc", "APPCODE nope"])
def test_missing_or_unknown_codes_are_forbidden(store, header):
    store.create("x")
    with pytest.raises(Forbidden):
        store.authenticate(header)


def test_revoked_code_is_forbidden(store):
    app, code = store.create("x")
    assert store.revoke(app.app_id)
    with pytest.raises(Forbidden):
        store.authenticate(f"APPCODE {code}")
    assert not store.revoke("no-such-app")


def test_quota_spent_then_exhausted(store):
    app, _ = store.create("x", quota=3)
    store.spend(app, 2)
    with pytest.raises(QuotaExhausted) as info:
        store.spend(app, 2)  # does not fit: none of the two is counted
    assert info.value.code == 403 and info.value.gateway_message == "Quota Exhausted"
    store.spend(app, 1)
    assert store.get(app.app_id).used == 3


def test_list_shows_every_app(store):
    store.create("a")
    store.create("b", quota=10)
    assert [a.name for a in store.list()] == ["a", "b"]
