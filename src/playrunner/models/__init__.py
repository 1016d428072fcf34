"""Every table, imported here so ``Base.metadata`` is complete for Alembic and tests."""

from playrunner.enums import GrantType, TaskStatus, UserRole
from playrunner.models.account import (
    Account,
    AccountExternalId,
    AccountRole,
    AccountRoleAssignment,
)
from playrunner.models.account_import import AccountImport, ImportStatus
from playrunner.models.announcement import AnnouncementStatus, RunAnnouncement
from playrunner.models.base import Base
from playrunner.models.criteria import (
    CriteriaCheck,
    CriteriaCheckStatus,
    CriteriaState,
    DailyCriteriaCheck,
)
from playrunner.models.flow import Flow
from playrunner.models.form import FieldType, Form, FormField
from playrunner.models.form_request import (
    OPEN_FORM_REQUEST_STATUSES,
    FormRequest,
    FormRequestStatus,
)
from playrunner.models.idempotency import IdempotencyKey
from playrunner.models.inbound import (
    EventRule,
    EventSource,
    InboundEvent,
    InboundEventStatus,
    RuleAction,
)
from playrunner.models.notification import EmailAttempt, EmailNotification, EmailStatus
from playrunner.models.oauth import (
    DEFAULT_ACCESS_TOKEN_LIFETIME,
    OAuthApp,
    OAuthAuthorizationCode,
    OAuthToken,
)
from playrunner.models.password_link import PasswordLink
from playrunner.models.play import (
    ActionType,
    AssigneeKind,
    DuplicatePolicy,
    PlayAction,
    SuccessPlay,
)
from playrunner.models.run import Run, RunSource, RunStatus
from playrunner.models.task import (
    CLOSED_TASK_STATUSES,
    OPEN_TASK_STATUSES,
    Task,
)
from playrunner.models.tenant import Tenant
from playrunner.models.token import AccessToken
from playrunner.models.user import User
from playrunner.models.web_session import WebSession
from playrunner.models.webhook import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

__all__ = [
    "CLOSED_TASK_STATUSES",
    "DEFAULT_ACCESS_TOKEN_LIFETIME",
    "OPEN_FORM_REQUEST_STATUSES",
    "OPEN_TASK_STATUSES",
    "AccessToken",
    "Account",
    "AccountExternalId",
    "AccountImport",
    "AccountRole",
    "AccountRoleAssignment",
    "ActionType",
    "AnnouncementStatus",
    "AssigneeKind",
    "Base",
    "CriteriaCheck",
    "CriteriaCheckStatus",
    "CriteriaState",
    "DailyCriteriaCheck",
    "DeliveryStatus",
    "DuplicatePolicy",
    "EmailAttempt",
    "EmailNotification",
    "EmailStatus",
    "EventRule",
    "EventSource",
    "FieldType",
    "Flow",
    "Form",
    "FormField",
    "FormRequest",
    "FormRequestStatus",
    "GrantType",
    "IdempotencyKey",
    "ImportStatus",
    "InboundEvent",
    "InboundEventStatus",
    "OAuthApp",
    "OAuthAuthorizationCode",
    "OAuthToken",
    "PasswordLink",
    "PlayAction",
    "RuleAction",
    "Run",
    "RunAnnouncement",
    "RunSource",
    "RunStatus",
    "SuccessPlay",
    "Task",
    "TaskStatus",
    "Tenant",
    "User",
    "UserRole",
    "WebSession",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
