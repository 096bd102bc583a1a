"""API tokens: created once and shown once, stored only as a salted scrypt hash.

A token looks like ``cnp_<id>_<secret>``. The id (8 hex characters) finds the row; the secret
(32 random bytes, URL-safe) is checked against its scrypt hash with a constant-time compare.
Because scrypt is deliberately slow (tens of ms), a verified token is remembered in memory for
:data:`CACHE_SECONDS` under a SHA-256 of the whole token, so read-protected pages stay fast.
The cache only saves the hash: every request still looks the token's row up (an indexed
SQLite read), so a token revoked by ``cnplan token revoke`` in another process is refused at
once.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time

from cnplan.web.state import StateDB

SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
"""scrypt cost (the interactive-login parameters recommended in the scrypt paper, Percival 2009)."""

CACHE_SECONDS = 60.0
TOKEN = re.compile(r"^cnp_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")
TOKEN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$")


class TokenError(ValueError):
    """A token name or token string that is not acceptable."""


def _hash(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, **SCRYPT)


def create_token(state: StateDB, name: str) -> str:
    """Create a token for ``name`` (who will use it); return it. Only its hash is stored."""
    if not TOKEN_NAME.fullmatch(name or ""):
        raise TokenError(
            "token name: expected 1-64 letters, digits, spaces or ._@- starting with a letter "
            f"or digit, got {name!r}"
        )
    token_id = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_bytes(16)
    state.add_token(token_id, name, salt, _hash(secret, salt))
    return f"cnp_{token_id}_{secret}"


class TokenChecker:
    """Verify presented tokens against the state database, with a short in-memory cache."""

    def __init__(self, state: StateDB) -> None:
        self.state = state
        self._cache: dict[bytes, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def check(self, token: str) -> str | None:
        """The name the token was created for, or ``None`` if it is not a valid token."""
        match = TOKEN.fullmatch(token or "")
        if not match:
            return None
        row = self.state.token(match.group(1))
        if row is None:  # unknown or revoked: refused whatever the cache holds
            return None
        key = hashlib.sha256(token.encode()).digest()
        with self._lock:
            hit = self._cache.get(key)
        if hit and hit[1] > time.monotonic():
            return hit[0]
        if not hmac.compare_digest(_hash(match.group(2), row["salt"]), row["hash"]):
            return None
        with self._lock:
            self._cache[key] = (row["name"], time.monotonic() + CACHE_SECONDS)
        return str(row["name"])

    def forget(self) -> None:
        """Drop the cache (after a revocation in this process)."""
        with self._lock:
            self._cache.clear()
