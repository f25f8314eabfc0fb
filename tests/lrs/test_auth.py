"""Credential checks: even cost for unknown keys, a cache of verified pairs that respects
revocation, and back-off (429 with Retry-After) after repeated failures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lrs_helpers import LRSClient, statement

import lrs.auth as auth
from lrs.auth import Authenticator, AuthFailure, create_credential
from lrs.stores import Store


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every secret hash ``check_secret`` is asked to verify, in order."""
    seen: list[str] = []
    real = auth.check_secret

    def counting(secret: str, secret_hash: str) -> bool:
        seen.append(secret_hash)
        return real(secret, secret_hash)

    monkeypatch.setattr(auth, "check_secret", counting)
    yield seen


def test_a_failure_costs_one_hash_whether_or_not_the_key_exists(sqlite_store: Store, hashes: list[str]) -> None:
    credential, secret = create_credential(sqlite_store, ["all"])
    checker = Authenticator(sqlite_store)
    for key in ("no-such-key", credential.key):
        with pytest.raises(AuthFailure) as refused:
            checker.verify(key, "wrong", "10.0.0.1")
        assert refused.value.status == 401
    assert len(hashes) == 2
    # The unknown key was checked against a hash of the same algorithm and cost as a real one.
    assert hashes[0] != credential.secret_hash
    assert hashes[0].split("$")[:2] == credential.secret_hash.split("$")[:2]
    assert hashes[1] == credential.secret_hash
    sqlite_store.revoke_credential(credential.key)
    with pytest.raises(AuthFailure):
        checker.verify(credential.key, secret, "10.0.0.1")
    assert len(hashes) == 3 and hashes[2] == hashes[0]  # revoked: the dummy hash too


def test_verified_pairs_are_cached_and_revocation_still_applies(sqlite_store: Store, hashes: list[str]) -> None:
    credential, secret = create_credential(sqlite_store, ["all"])
    checker = Authenticator(sqlite_store)
    for _ in range(5):
        assert checker.verify(credential.key, secret, "10.0.0.1").key == credential.key
    assert len(hashes) == 1
    with pytest.raises(AuthFailure):  # a cached key with another secret is checked, and fails
        checker.verify(credential.key, secret + "x", "10.0.0.1")
    assert len(hashes) == 2
    sqlite_store.revoke_credential(credential.key)
    with pytest.raises(AuthFailure) as refused:
        checker.verify(credential.key, secret, "10.0.0.1")
    assert refused.value.status == 401


def test_cache_entries_expire(sqlite_store: Store, hashes: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    credential, secret = create_credential(sqlite_store, ["all"])
    clock = [1000.0]
    monkeypatch.setattr(auth.time, "monotonic", lambda: clock[0])
    checker = Authenticator(sqlite_store, cache_ttl=60)
    checker.verify(credential.key, secret)
    clock[0] += 59
    checker.verify(credential.key, secret)
    assert len(hashes) == 1
    clock[0] += 61
    checker.verify(credential.key, secret)
    assert len(hashes) == 2


def test_repeated_failures_back_off_per_address_and_per_key(sqlite_store: Store, hashes: list[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    good, good_secret = create_credential(sqlite_store, ["all"])
    other, other_secret = create_credential(sqlite_store, ["all"])
    clock = [1000.0]
    monkeypatch.setattr(auth.time, "monotonic", lambda: clock[0])
    checker = Authenticator(sqlite_store, address_failures=3, key_failures=5)
    checker.verify(good.key, good_secret, "10.0.0.1")  # cached before the flood
    for _ in range(3):
        with pytest.raises(AuthFailure):
            checker.verify("attacked", "wrong", "10.0.0.9")
    checked = len(hashes)
    with pytest.raises(AuthFailure) as throttled:
        checker.verify("attacked", "wrong", "10.0.0.9")
    assert throttled.value.status == 429 and throttled.value.retry_after >= 1
    with pytest.raises(AuthFailure) as throttled:  # the address, whatever key it tries
        checker.verify(other.key, other_secret, "10.0.0.9")
    assert throttled.value.status == 429
    assert len(hashes) == checked, "a throttled request must cost no hash"
    # A good client in the cache passes even from the throttled address; other addresses are free.
    assert checker.verify(good.key, good_secret, "10.0.0.9").key == good.key
    assert checker.verify(other.key, other_secret, "10.0.0.2").key == other.key
    # Per key: failures from many addresses.
    for n in range(5):
        with pytest.raises(AuthFailure):
            checker.verify("attacked-2", "wrong", f"10.1.0.{n}")
    with pytest.raises(AuthFailure) as throttled:
        checker.verify("attacked-2", "wrong", "10.1.0.99")
    assert throttled.value.status == 429
    clock[0] += 60  # the allowance refills
    with pytest.raises(AuthFailure) as refused:
        checker.verify("attacked", "wrong", "10.0.0.9")
    assert refused.value.status == 401


def test_http_answers_429_with_retry_after(lrs: LRSClient, app) -> None:
    import base64

    wrong = "Basic " + base64.b64encode(b"nobody:wrong").decode()
    assert lrs.post("/statements", json=statement()).status_code == 200  # verified once, then cached
    statuses = [lrs.post("/statements", json=statement(), auth=wrong).status_code for _ in range(12)]
    assert statuses[0] == 401 and statuses[-1] == 429
    throttled = lrs.post("/statements", json=statement(), auth=wrong)
    assert int(throttled.headers["Retry-After"]) >= 1
    assert "too many failed" in throttled.get_json()["error"]
    assert lrs.post("/statements", json=statement()).status_code == 200  # cached good client


def test_a_write_key_voids_only_what_it_stored(app, sqlite_store: Store) -> None:
    import uuid

    package_a = LRSClient(app, *_write_only(sqlite_store, "package A"))
    package_b = LRSClient(app, *_write_only(sqlite_store, "package B"))
    admin = LRSClient(app, *_write_only(sqlite_store, "admin", scopes=["all"]))
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    assert package_a.post("/statements", json=[statement(id=first), statement(id=second)]).status_code == 200

    def void(target: str) -> dict:
        return statement(id=str(uuid.uuid4()), verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
                         object={"objectType": "StatementRef", "id": target})

    refused = package_b.post("/statements", json=void(first))
    assert refused.status_code == 403 and "another credential" in refused.get_json()["error"]
    assert admin.get(f"/statements?statementId={first}").status_code == 200  # still there, not voided
    assert package_a.post("/statements", json=void(first)).status_code == 200
    assert admin.post("/statements", json=void(second)).status_code == 200
    assert admin.get(f"/statements?voidedStatementId={first}").status_code == 200
    assert admin.get(f"/statements?voidedStatementId={second}").status_code == 200


def _write_only(store: Store, name: str, scopes: list[str] | None = None) -> tuple[str, str]:
    credential, secret = create_credential(store, scopes or ["statements/write"], name=name)
    return credential.key, secret


def test_a_burst_of_one_new_pair_costs_one_hash(sqlite_store: Store, hashes: list[str]) -> None:
    import threading

    credential, secret = create_credential(sqlite_store, ["statements/write"])
    checker = Authenticator(sqlite_store)
    results: list[str] = []
    start = threading.Barrier(8)

    def learner() -> None:
        start.wait()
        results.append(checker.verify(credential.key, secret, "10.0.0.1").key)

    threads = [threading.Thread(target=learner) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == [credential.key] * 8
    assert len(hashes) <= 2  # one check shared (a thread arriving after it finished hits the cache)
