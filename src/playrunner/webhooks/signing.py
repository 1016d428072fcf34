"""Signing secrets, per the Standard Webhooks specification.

A receiver verifies with the secret (``whsec_...``), so Playrunner needs it at every send.
It is not stored: it is derived from the server's key and the endpoint's random salt
(HMAC-SHA256), shown once when the endpoint is made or its secret rotated. Without the key (the
``PLAYRUNNER_SECRET_KEY`` variable, or the key file made on first need, relative to the working
directory) a copy of the database signs nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import tempfile
from datetime import datetime
from pathlib import Path

from standardwebhooks.webhooks import Webhook

from playrunner.config import Settings
from playrunner.errors import InvalidRequest

_KEY_BYTES = 32


def server_key(settings: Settings) -> bytes:
    """The key secrets derive from: ``PLAYRUNNER_SECRET_KEY``, else the key file (made, readable
    by this user only, on first use)."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path = Path(settings.secret_key_file)
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(_KEY_BYTES).encode()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole under another name, then linked into place: a process that finds the
        # file never reads it half-written, and of two processes making it, one key wins.
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".key-", delete=False) as file:
            file.write(key)
        os.chmod(file.name, 0o600)
        try:
            os.link(file.name, path)
        except FileExistsError:
            key = path.read_bytes().strip()
        finally:
            os.unlink(file.name)
    except OSError as exc:
        raise InvalidRequest(
            f"Cannot keep the signing key in {path} ({exc.strerror}): set PLAYRUNNER_SECRET_KEY"
        ) from None
    return key


def new_salt() -> str:
    return secrets.token_hex(16)


def endpoint_secret(key: bytes, salt: str) -> str:
    digest = hmac.new(key, salt.encode(), hashlib.sha256).digest()
    return "whsec_" + base64.b64encode(digest).decode()


def derived_token(key: bytes, salt: str, prefix: str) -> str:
    """A bearer token derived, like a secret, from the server key and a salt (never stored:
    made again to compare; a new salt revokes it)."""
    digest = hmac.new(key, f"{salt}:token".encode(), hashlib.sha256).digest()
    return prefix + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def signature_headers(secret: str, message_id: str, moment: datetime, body: str) -> dict[str, str]:
    """``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` for ``body``."""
    signature = Webhook(secret).sign(message_id, moment, body)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": signature,
    }
