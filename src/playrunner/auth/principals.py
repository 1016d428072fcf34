"""Who a token acts as, kept by each process for at most a second.

Every API call used to look its token up (its user, role, state, the OAuth app's scopes): a
read before any work, on the hottest routes. Now each process keeps what it read, by the
token's hash, for at most ``TTL`` seconds (never past the token's expiry), so that a
revocation stays prompt:

- the process that commits a change able to refuse a token (a token revoked, a user
  deactivated or their role changed, an OAuth application deleted, its scopes changed or its
  tokens revoked) forgets every principal it keeps as that commit ends
  (``forget_after_commit``): it refuses the token on the very next call;
- every other process (another worker, another host, the CLI) reads the token again at most
  ``TTL`` seconds later.

Chosen over a version counter in the database (a read per call: the read this saves) and a
notification through Redis (a listener in every process, and SQLite deployments have no
Redis): a one-second TTL is what the issue allows, costs nothing per call, and needs nothing
shared. Tests: ``tests/auth/test_principal_cache.py`` (two real server processes).
"""

from __future__ import annotations

import time

from sqlalchemy.orm import Session

from playrunner.auth.principal import Principal
from playrunner.clock import utcnow
from playrunner.db import after_commit
from playrunner.tokens.secrets import hash_secret

TTL = 1.0

# (database, token hash) -> (monotonic time until which it holds, principal)
_kept: dict[tuple[str, str], tuple[float, Principal]] = {}


def kept(database: str, secret: str) -> Principal | None:
    """The principal this process read for the token less than ``TTL`` ago, unless the
    token has expired since; else None."""
    key = (database, hash_secret(secret))
    found = _kept.get(key)
    if found is None:
        return None
    until, principal = found
    expired = principal.expires_at is not None and utcnow() >= principal.expires_at
    if expired or time.monotonic() >= until:
        _kept.pop(key, None)
        return None
    return principal


def keep(database: str, secret: str, principal: Principal) -> None:
    _kept[(database, hash_secret(secret))] = (time.monotonic() + TTL, principal)


def forget_after_commit(session: Session) -> None:
    """Once this unit of work commits, forget every principal this process keeps (never
    if it rolls back: nothing changed)."""
    after_commit(session, _kept.clear)
