"""Credentials: creation, secret hashing (never stored in plain text), scopes.

Stores keep only a PBKDF2 hash of each secret. Verifying PBKDF2 on every request would cap
throughput, so a process remembers (in memory only) a fast digest of secrets it has already
verified against the current hash; revocation is still checked on every request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading

from lrs.stores.base import Credential, Store, utc_now

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


class Authenticator:
    """Checks HTTP Basic key/secret pairs against a store's credentials."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._verified: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def authenticate(self, key: str, secret: str) -> Credential | None:
        credential = self._store.get_credential(key)
        if credential is None or credential.revoked:
            return None
        fast = hashlib.sha256(secret.encode()).hexdigest()
        cache_key = (key, credential.secret_hash)
        with self._lock:
            known = self._verified.get(cache_key)
        if known is not None:
            return credential if hmac.compare_digest(known, fast) else None
        if not check_secret(secret, credential.secret_hash):
            return None
        with self._lock:
            self._verified[cache_key] = fast
        return credential


def has_scope(credential: Credential, *wanted: str) -> bool:
    """Whether the credential grants any of ``wanted`` (``all`` grants everything)."""
    granted = set(credential.scopes)
    return "all" in granted or any(w in granted for w in wanted)
