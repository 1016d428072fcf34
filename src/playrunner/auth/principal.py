"""Who is acting: the user behind a token (API) or named on the command line (CLI).

A personal access token (or the CLI) acts with everything its user may do; an OAuth
application's token acts as its user too, but only within the scopes it was granted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

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
    # Set for an OAuth application's token: the app, and the scopes the token may use.
    app_id: uuid.UUID | None = None
    scopes: frozenset[str] | None = None
    # When the token it came from stops working (None: never, or not from a token).
    expires_at: datetime | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is UserRole.SERVICE_ADMIN

    @property
    def is_app(self) -> bool:
        return self.app_id is not None

    def may_act_on(self, assignee_user_id: uuid.UUID | None) -> bool:
        """Tasks and form requests: admins see and work on all of their service's; other
        users on those assigned to them."""
        return self.is_admin or assignee_user_id == self.user_id

    def sees_items_of(self, assignee_user_id: uuid.UUID | None) -> uuid.UUID | None:
        """Whose tasks and form requests a listing by this principal holds: an admin's, the
        assignee asked for (None: everyone's); anyone else's, only their own."""
        return assignee_user_id if self.is_admin else self.user_id

    def has_scope(self, scope: str) -> bool:
        """Personal tokens and the CLI have every scope; an app token only those granted."""
        return self.scopes is None or scope in self.scopes

    @property
    def caller(self) -> str:
        """Who is calling, for the rate limit and idempotency keys: one OAuth application
        (all its access tokens together, so minting tokens does not raise the limit), one
        personal token, or, from the CLI, one user."""
        if self.app_id is not None:
            return f"app:{self.app_id}"
        if self.token_id is not None:
            return f"token:{self.token_id}"
        return f"user:{self.user_id}"


# The operator acts as no user of the service: a fixed id that no user has.
OPERATOR_USER_ID = uuid.UUID(int=0)


def operator(tenant_id: str) -> Principal:
    """Whoever runs a command on the server itself (with its database's credentials): they
    read the whole service, as its admins do. Commands that change something act as a named
    user instead (``--as``), so the change is theirs."""
    return Principal(
        tenant_id=tenant_id,
        user_id=OPERATOR_USER_ID,
        email="operator",
        name="Operator",
        role=UserRole.SERVICE_ADMIN,
    )


def require_service_admin(principal: Principal) -> None:
    """Totango's rule for configuration and for running manual plays: global admins only."""
    if not principal.is_admin:
        raise PermissionDenied("User is not authorized with role: SERVICE_ADMIN")
