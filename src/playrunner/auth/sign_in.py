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
    email: str,
    password: str,
    client_address: str,
    tenant_id: str | None = None,
) -> User:
    """The active user whose email and password these are (in ``tenant_id``'s service, or in
    whichever service they open); otherwise ``SignInRefused`` (or ``TooManyAttempts``) with
    the message to show."""
    for key in (
        f"login:{canonical_email(email)[:MAX_EMAIL_LENGTH]}",
        f"login-from:{client_address}",
    ):
        attempt = await limiter.hit(key)
        if not attempt.allowed:
            raise TooManyAttempts(
                f"Too many sign-in attempts; try again in {attempt.reset_after} s."
            )
    candidates = await database.read(
        lambda s: users_service.sign_in_candidates(s, email, tenant_id)
    )
    matched = await anyio.to_thread.run_sync(_whose_password, candidates, password)
    if not matched:
        raise SignInRefused(WRONG_PASSWORD, field="password")
    active = [user for user in matched if user.active]
    if not active:
        raise SignInRefused(DEACTIVATED, field="email")
    if len(active) > 1:
        raise SignInRefused(
            "This email and password open more than one service; add ?service=<its id> (for"
            " example SP-1234-01) to the sign-in address to choose one.",
            field="email",
        )
    return active[0]


def _whose_password(candidates: list[User], password: str) -> list[User]:
    """The candidates whose password this is (an unknown email is checked against a decoy,
    so it takes as long as a known one)."""
    if not candidates:
        check_password(None, password)
        return []
    return [user for user in candidates if check_password(user, password)]


async def still_active(database: Database, tenant_id: str, user_id: uuid.UUID) -> User | None:
    """The user, if they are still an active user of the service (re-read, not remembered)."""
    return await database.read(lambda s: users_service.find_active_user(s, tenant_id, user_id))
