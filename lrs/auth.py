"""Credentials: creation, secret hashing (never stored in plain text), scopes, and checking
them without letting wrong secrets cost more than right ones (see :class:`Authenticator`).

Stores keep only a PBKDF2 hash of each secret.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
import time
from collections import OrderedDict

from lrs.stores.base import Credential, Document, DocumentScope, PreconditionFailed, Store, utc_now

SCOPES = (
    "statements/write",
    "statements/read",
    "statements/read/mine",
    "state",
    "define",
    "profile",
    "all/read",
    "all",
)
AUTHORITY_HOMEPAGE = "https://spotlight-lrs.local/credentials"
_ITERATIONS = 200_000


def hash_secret(secret: str, *, iterations: int = _ITERATIONS) -> str:
    salt = secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", secret.encode(), bytes.fromhex(salt), iterations).hex()
    return f"pbkdf2_sha256${iterations}${salt}${digest}"


def check_secret(secret: str, secret_hash: str) -> bool:
    try:
        algorithm, iterations, salt, digest = secret_hash.split("$")
    except ValueError:
        return False
    if algorithm != "pbkdf2_sha256":
        return False
    computed = hashlib.pbkdf2_hmac("sha256", secret.encode(), bytes.fromhex(salt), int(iterations)).hex()
    return hmac.compare_digest(computed, digest)


def create_credential(
    store: Store, scopes: list[str], name: str = "", key: str | None = None, secret: str | None = None
) -> tuple[Credential, str]:
    """Create and store a credential; return it with the plain secret (shown once)."""
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise ValueError(f"unknown or missing scopes {unknown} (known: {', '.join(SCOPES)})")
    key = key or secrets.token_hex(10)
    secret = secret or secrets.token_urlsafe(24)
    credential = Credential(
        key=key,
        secret_hash=hash_secret(secret),
        scopes=tuple(scopes),
        authority={
            "objectType": "Agent",
            "name": name or key,
            "account": {"homePage": AUTHORITY_HOMEPAGE, "name": key},
        },
        name=name,
        created=utc_now(),
    )
    store.add_credential(credential)
    return credential, secret


class AuthFailure(Exception):
    """A refused credential check: 401 (unknown key, wrong secret, revoked) or 429 (back-off)."""

    def __init__(self, status: int, message: str, retry_after: int = 0) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


class _Bucket:
    """Failure allowance of one key or address: ``capacity`` failures, refilled continuously."""

    __slots__ = ("tokens", "updated")

    def __init__(self, capacity: float, now: float) -> None:
        self.tokens = capacity
        self.updated = now


class _BackOff:
    """Failure buckets by name (a key, an address), at most ``max_entries`` of them (LRU)."""

    def __init__(self, capacity: int, per_minute: int, max_entries: int = 10_000) -> None:
        self.capacity = float(capacity)
        self.rate = per_minute / 60.0
        self.max_entries = max_entries
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def _refilled(self, name: str, now: float) -> _Bucket | None:
        bucket = self._buckets.get(name)
        if bucket is not None:
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= self.capacity:  # back to full: forget it
                del self._buckets[name]
                return None
        return bucket

    def wait(self, name: str, now: float) -> float:
        """Seconds until ``name`` may fail again (0: it may be checked now)."""
        bucket = self._refilled(name, now)
        if bucket is None or bucket.tokens >= 1:
            return 0.0
        return (1 - bucket.tokens) / self.rate

    def failed(self, name: str, now: float) -> None:
        bucket = self._refilled(name, now)
        if bucket is None:
            bucket = self._buckets[name] = _Bucket(self.capacity, now)
        bucket.tokens -= 1
        self._buckets.move_to_end(name)
        while len(self._buckets) > self.max_entries:
            self._buckets.popitem(last=False)


class _Flight:
    """One credential check in progress, which identical requests wait for."""

    __slots__ = ("done", "outcome")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.outcome = "busy"


class Authenticator:
    """Checks HTTP Basic key/secret pairs against a store's credentials, cheaply and evenly.

    - A failed check costs the same whether or not the key exists: an unknown or revoked key is
      checked against a dummy hash with the same PBKDF2 cost, and digests compare in constant time.
    - Good clients pay PBKDF2 once: a verified pair is remembered in memory under an HMAC of
      key and secret (with a key made at start-up: the cache holds nothing usable elsewhere),
      dropped after ``cache_ttl`` seconds unused. The credential is still read from the store
      on every request, so a revocation applies at once.
    - Failures are rationed per address and per key (token buckets: ``address_failures``
      and ``key_failures`` at once, refilled at that many a minute). Past that, requests that are
      not in the cache get 429 with ``Retry-After`` without any hashing.
    - At most ``max_concurrent_checks`` PBKDF2 checks run at once in a process; a request that
      cannot get a slot within 5 seconds gets 429. Requests with the same key and secret share
      one check in progress. A flood of wrong secrets, from any number of addresses, thus burns
      at most one core's worth of hashing per process, never all of it.
    """

    def __init__(self, store: Store, *, cache_ttl: float = 600.0, cache_size: int = 10_000,
                 address_failures: int = 10, key_failures: int = 30, max_concurrent_checks: int = 1) -> None:
        self._store = store
        self._cache_key = secrets.token_bytes(32)
        self._cache_ttl = cache_ttl
        self._cache_size = cache_size
        self._verified: OrderedDict[bytes, tuple[str, float]] = OrderedDict()  # -> (secret hash, last use)
        self._by_address = _BackOff(address_failures, address_failures)
        self._by_key = _BackOff(key_failures, key_failures)
        self._lock = threading.Lock()
        self._checks = threading.BoundedSemaphore(max_concurrent_checks)
        self._dummy: str | None = None  # made on first need: a worker starts without a 50 ms hash
        self._flights: dict[bytes, _Flight] = {}

    def authenticate(self, key: str, secret: str, address: str = "") -> Credential | None:
        """The credential, or None for any refusal (back-off included)."""
        try:
            return self.verify(key, secret, address)
        except AuthFailure:
            return None

    def verify(self, key: str, secret: str, address: str = "") -> Credential:
        """The credential for ``key``/``secret``; raise :class:`AuthFailure` (401 or 429)."""
        pair = hmac.new(self._cache_key, key.encode() + b"\x00" + secret.encode(), hashlib.sha256).digest()
        now = time.monotonic()
        with self._lock:
            cached = self._verified.get(pair)
            if cached is not None and now - cached[1] > self._cache_ttl:
                del self._verified[pair]
                cached = None
            wait = 0.0 if cached else max(self._by_address.wait(address, now), self._by_key.wait(key, now))
        if wait > 0:  # before any store read: a throttled request costs as little as possible
            raise AuthFailure(429, "Authorization: too many failed attempts; retry later", math.ceil(wait))
        credential = self._store.get_credential(key) if "\x00" not in key else None
        usable = credential is not None and not credential.revoked
        if cached is not None and usable and hmac.compare_digest(cached[0], credential.secret_hash):  # type: ignore[union-attr]
            with self._lock:
                self._verified[pair] = (cached[0], now)
                self._verified.move_to_end(pair)
            return credential  # type: ignore[return-value]
        outcome = self._check_once(pair, secret, credential.secret_hash if usable else None)  # type: ignore[union-attr]
        now = time.monotonic()
        with self._lock:
            if outcome == "match" and usable:
                self._verified[pair] = (credential.secret_hash, now)  # type: ignore[union-attr]
                while len(self._verified) > self._cache_size:
                    self._verified.popitem(last=False)
                return credential  # type: ignore[return-value]
            if outcome == "busy":
                raise AuthFailure(429, "Authorization: too many credential checks at once; retry shortly", 1)
            self._by_address.failed(address, now)
            self._by_key.failed(key, now)
        raise AuthFailure(401, "Authorization: unknown key, wrong secret or revoked credential")

    def _check_once(self, pair: bytes, secret: str, secret_hash: str | None) -> str:
        """"match", "mismatch" or "busy" (no slot for a check in time). Requests with the same key
        and secret that arrive while one is checked wait for that one check (a class starting a
        package at once after a restart costs one hash, not thirty)."""
        with self._lock:
            flight = self._flights.get(pair)
            leader = flight is None
            if leader:
                flight = self._flights[pair] = _Flight()
        if not leader:
            return flight.outcome if flight.done.wait(timeout=30.0) else "busy"
        try:
            if not self._checks.acquire(timeout=5.0):
                flight.outcome = "busy"
                return "busy"
            try:
                matches = check_secret(secret, secret_hash or self._dummy_hash())
            finally:
                self._checks.release()
            flight.outcome = "match" if matches and secret_hash else "mismatch"
            return flight.outcome
        finally:
            with self._lock:
                del self._flights[pair]
            flight.done.set()

    def _dummy_hash(self) -> str:
        """A hash of a random secret with the current cost, for keys that do not exist."""
        if self._dummy is None:
            self._dummy = hash_secret(secrets.token_urlsafe(24))
        return self._dummy


def stored_secret(store: Store, name: str) -> bytes:
    """A random 32-byte secret kept in the store under ``name`` (made on first use), the same for
    every process that opens the store. Kept as a private document (kind ``server``) that no
    xAPI resource addresses."""
    scope = DocumentScope("server")
    while True:
        found = store.get_document(scope, name)
        if found is not None:
            return bytes.fromhex(found.content.decode("ascii"))
        content = secrets.token_hex(32).encode("ascii")
        try:
            store.save_document(scope, name, Document(content, "text/plain", hashlib.sha1(content).hexdigest(),
                                                      utc_now()), expected_etag=None)
        except PreconditionFailed:
            continue  # another process made it first: use theirs


def has_scope(credential: Credential, *wanted: str) -> bool:
    """Whether the credential grants any of ``wanted`` (``all`` grants everything)."""
    granted = set(credential.scopes)
    return "all" in granted or any(w in granted for w in wanted)
