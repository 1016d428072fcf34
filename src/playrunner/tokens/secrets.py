"""The shape of every secret Playrunner issues.

A prefix naming the kind (``prpat_`` for personal access tokens; OAuth uses its own) + 32 base62
characters (190 bits from ``secrets``) + a 6-character base62
CRC32 of the random part. The prefix lets secret scanners find leaked tokens; the
checksum lets them (and us) reject a mistyped or made-up token without a database lookup.
Only the SHA-256 of the whole secret is stored: the secret carries enough entropy that a
slow password hash would add cost without adding safety.
"""

from __future__ import annotations

import hashlib
import secrets
import zlib

PREFIX = "prpat_"
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_RANDOM_LENGTH = 32
_CHECKSUM_LENGTH = 6
SECRET_LENGTH = len(PREFIX) + _RANDOM_LENGTH + _CHECKSUM_LENGTH


def _base62(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, remainder = divmod(number, 62)
        digits.append(_ALPHABET[remainder])
    return "".join(reversed(digits))


def _checksum(random_part: str) -> str:
    return _base62(zlib.crc32(random_part.encode()), _CHECKSUM_LENGTH)


def generate_secret(prefix: str = PREFIX) -> str:
    random_part = "".join(secrets.choice(_ALPHABET) for _ in range(_RANDOM_LENGTH))
    return prefix + random_part + _checksum(random_part)


def is_well_formed(secret: str, prefix: str = PREFIX) -> bool:
    """True when the secret has the prefix, the length and a matching checksum."""
    if len(secret) != len(prefix) + _RANDOM_LENGTH + _CHECKSUM_LENGTH or not secret.startswith(
        prefix
    ):
        return False
    body = secret[len(prefix) :]
    random_part, checksum = body[:_RANDOM_LENGTH], body[_RANDOM_LENGTH:]
    return _checksum(random_part) == checksum


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def hint(secret: str, prefix: str = PREFIX) -> str:
    """What a listing shows instead of the secret: the prefix and the last four characters."""
    return f"{prefix}…{secret[-4:]}"
