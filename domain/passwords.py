"""Password hashing with Argon2id (memory-hard), via argon2-cffi."""

from __future__ import annotations

import threading
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Each hash or verification holds 64 MiB (the hasher's memory cost) while it runs: a few at a
# time bound the process's memory under a burst of sign-ups or logins; the rest wait their turn.
MAX_CONCURRENT_HASHES = 2
_hashing = threading.BoundedSemaphore(MAX_CONCURRENT_HASHES)


@cache
def _decoy_hash() -> str:
    return hash_password("decoy password")


def hash_password(password: str) -> str:
    """The stored form of a password."""
    with _hashing:
        return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches the stored hash.

    Without a hash (no such account) it spends the same time on a decoy, so the answer's delay
    does not tell which e-mail addresses have accounts.
    """
    if not stored_hash:
        verify_password(_decoy_hash(), password)
        return False
    try:
        with _hashing:
            return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
