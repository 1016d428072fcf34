"""Who is acting: the user behind a token (API) or named on the command line (CLI)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from playrunner.errors import PermissionDenied
from playrunner.models import UserRole


@dataclass(frozen=True, slots=True)
class Principal:
    tenant_id: str
    user_id: uuid.UUID
    email: str
    name: str
    role: UserRole
    token_id: uuid.UUID | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is UserRole.SERVICE_ADMIN

    @property
    def caller(self) -> str:
        """Who is calling, for the rate limit and idempotency keys: one personal token (or,
        from the CLI, one user)."""
        if self.token_id is not None:
            return f"token:{self.token_id}"
        return f"user:{self.user_id}"


def require_service_admin(principal: Principal) -> None:
    """Totango's rule for configuration and for running manual plays: global admins only."""
    if not principal.is_admin:
        raise PermissionDenied("User is not authorized with role: SERVICE_ADMIN")
