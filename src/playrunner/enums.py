"""Named values that records take and that people type: task statuses, user roles, OAuth grant
types. Plain enums importing nothing, so the CLI can offer them as choices (``--status``,
``--role``, ``--grant``) without loading SQLAlchemy; the models use them as column types."""

from __future__ import annotations

import enum


class TaskStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    STARTED = "started"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class UserRole(enum.StrEnum):
    SERVICE_ADMIN = "SERVICE_ADMIN"
    USER = "USER"


class GrantType(enum.StrEnum):
    CLIENT_CREDENTIALS = "client_credentials"
    AUTHORIZATION_CODE = "authorization_code"
    REFRESH_TOKEN = "refresh_token"
