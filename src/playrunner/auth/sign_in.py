"""Signing in with an email and a password: the rules every sign-in form shares (the OAuth
consent page and the web app).

- Attempts are limited by the same rate limiter as API calls, per service and email and per
  client address, so neither guessing one user's password nor rotating emails gets far.
- argon2 is slow and memory-hard on purpose: it runs in a worker thread, off the event loop,
  one check at a time per process, so a flood of sign-ins queues instead of taking every
  core from the API.
- An unknown email is checked against a decoy hash, so it takes as long as a known one.
- A deactivated user is refused, but only once the password matched: the answer tells
  nothing about the account to someone without its password.
"""

from __future__ import annotations

import threading
import uuid

import anyio.to_thread

from playrunner.db import Database
from playrunner.errors import PlayrunnerError
from playrunner.models import User
from playrunner.ratelimit.limiter import RateLimiter
from playrunner.users import passwords
from playrunner.users import service as users_service
from playrunner.validation import MAX_EMAIL_LENGTH, canonical_email

WRONG_PASSWORD = "Wrong email or password."
DEACTIVATED = "This user is deactivated."


class SignInRefused(PlayrunnerError):
    """The form is shown again with this message."""

    status_code = 200
    code = "sign_in_refused"
    title = "Sign-in refused"


class TooManyAttempts(SignInRefused):
    status_code = 429
    code = "rate_limited"
    title = "Too many sign-in attempts"


_PASSWORD_CHECKS = threading.BoundedSemaphore(1)


def check_password(user: User | None, password: str) -> bool:
    """True when ``user`` exists and ``password`` is theirs; as slow either way. Blocks (call
    it from a worker thread) while another check runs in this process."""
    with _PASSWORD_CHECKS:
        matches = passwords.verify_password(user.password_hash if user else None, password)
    return matches and user is not None


async def sign_in(
    database: Database,
    limiter: RateLimiter,
    *,
    tenant_id: str,
    email: str,
    password: str,
    client_address: str,
) -> User:
    """The active user of the service whose email and password these are; otherwise
    ``SignInRefused`` (or ``TooManyAttempts``) with the message to show."""
    keys = (
        f"login:{tenant_id}:{canonical_email(email)[:MAX_EMAIL_LENGTH]}",
        f"login-from:{client_address}",
    )
    for key in keys:
        attempt = await limiter.hit(key)
        if not attempt.allowed:
            raise TooManyAttempts(
                f"Too many sign-in attempts; try again in {attempt.reset_after} s."
            )
    user = await database.read(lambda s: users_service.find_by_email(s, tenant_id, email))
    if not await anyio.to_thread.run_sync(check_password, user, password):
        raise SignInRefused(WRONG_PASSWORD, field="password")
    assert user is not None  # check_password is False without a user
    if not user.active:
        raise SignInRefused(DEACTIVATED, field="email")
    return user


async def still_active(database: Database, tenant_id: str, user_id: uuid.UUID) -> User | None:
    """The user, if they are still an active user of the service (re-read, not remembered)."""
    return await database.read(lambda s: users_service.find_active_user(s, tenant_id, user_id))
