"""Password hashes for the OAuth login page: argon2id, as argon2-cffi recommends (RFC 9106).

Verifying takes tens of milliseconds on purpose; callers serving HTTP run it off the event loop.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from playrunner.errors import InvalidRequest

MIN_LENGTH = 12
MAX_LENGTH = 1024


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _decoy_hash() -> str:
    """Verified against when no user matches, so an unknown email takes as long as a known one."""
    return _hasher().hash("not a password anyone has")


def check_strength(password: str) -> None:
    """NIST SP 800-63B's rules, simply: long enough, not absurdly long, no NUL."""
    if len(password) < MIN_LENGTH:
        raise InvalidRequest(
            f"Password must be at least {MIN_LENGTH} characters long", field="password"
        )
    if len(password) > MAX_LENGTH:
        raise InvalidRequest(
            f"Password must be at most {MAX_LENGTH} characters long", field="password"
        )
    if "\x00" in password:
        raise InvalidRequest("Password must not contain NUL characters", field="password")


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing hash is checked against a decoy and fails."""
    try:
        return _hasher().verify(password_hash or _decoy_hash(), password) and (
            password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False
