"""The demo service: enough data to try every answer of the trigger API by hand.

Seeding is idempotent: the service, its users, accounts, flows, form and plays are made
once (with fixed ids, so the printed examples stay true). The demo users' tokens outlive it
too: a token someone pasted into a script keeps working when the demo is seeded again
(``make run`` twice); new ones are issued only when a demo user has no working one (a fresh
database, or theirs expired or was revoked), or when asked for.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from playrunner.accounts import service as accounts_service
from playrunner.auth.principal import Principal
from playrunner.flows import service as flows_service
from playrunner.forms import service as forms_service
from playrunner.forms.schemas import FormFieldSpec, FormSpec
from playrunner.models import FieldType, UserRole
from playrunner.plays import service as plays_service
from playrunner.plays.schemas import (
    CreateTaskAction,
    PlaySpec,
    RequestInformationAction,
    RoleAssignee,
)
from playrunner.tenants import service as tenants_service
from playrunner.tokens import service as tokens_service
from playrunner.users import service as users_service

DEMO_TENANT_ID = "SP-0001-01"
_NAMESPACE = uuid.UUID("5f0c7f0e-5b1f-4c55-9a55-2f4d1f6c1a00")

ADMIN = ("avery.admin@demo.playrunner.dev", "Avery Admin")
USER = ("jane.csm@demo.playrunner.dev", "Jane Park")
# For the web app: the demo is a local sandbox, so its passwords are printed, not secret.
ADMIN_PASSWORD = "demo-admin-password"
USER_PASSWORD = "demo-jane-password"
SUCCESS_MANAGERS = [
    USER,
    ("raj.csm@demo.playrunner.dev", "Raj Iyer"),
    ("lena.csm@demo.playrunner.dev", "Lena Vogel"),
]
SALES_MANAGER = ("sam.sales@demo.playrunner.dev", "Sam Ortiz")

_COMPANIES = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark",
    "Wayne",
    "Wonka",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Aperture",
    "Oscorp",
    "Vandelay",
    "Massive Dynamic",
    "Dunder",
    "Pied Piper",
    "Nakatomi",
    "Gringotts",
    "Monarch",
    "Sirius",
    "Virtucon",
    "Zorg",
    "Buy n Large",
    "Ollivander",
    "Bluth",
    "Krusty",
    "Prestige",
    "Duff",
    "Ghostbusters",
    "Gekko",
    "Hanso",
    "Ingen",
    "Kramerica",
    "Lacuna",
    "MomCorp",
    "Nostromo",
    "Omni",
    "Planet Express",
    "Quark",
    "Rekall",
    "Sterling Cooper",
    "Tessier",
    "Veridian",
    "Weyland",
    "Xanatos",
    "Yoyodyne",
]
_SEGMENTS = ["Enterprise", "Mid-Market", "SMB"]
_SENTIMENTS = ["Green", "Yellow", "Red"]


def play_id(key: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"play:{key}")


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-")


@dataclass(frozen=True)
class DemoToken:
    """A demo user's working token. ``secret`` is set only when this seeding issued it (it is
    never stored, so a token issued earlier is known by its ``hint`` alone)."""

    secret: str | None
    hint: str
    issued_at: datetime
    expires_at: datetime | None

    @property
    def issued_now(self) -> bool:
        return self.secret is not None


@dataclass
class DemoInfo:
    """What ``playrunner demo --json`` prints."""

    service_id: str
    created: bool
    admin_email: str
    admin_token: DemoToken
    user_email: str
    user_token: DemoToken
    admin_password: str
    user_password: str
    plays: dict[str, str]
    accounts: list[str]
    extras: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "service_id": self.service_id,
            "admin_email": self.admin_email,
            "admin_token": self.admin_token.secret,
            "admin_token_hint": self.admin_token.hint,
            "user_email": self.user_email,
            "user_token": self.user_token.secret,
            "user_token_hint": self.user_token.hint,
            "admin_password": self.admin_password,
            "user_password": self.user_password,
            "plays": self.plays,
            "accounts": self.accounts,
            **self.extras,
        }


def seed_demo(session: Session, *, new_tokens: bool = False) -> DemoInfo:
    """Create the demo service unless it exists. Each demo user keeps the working token they
    have; one is issued to a user without one, and to both when ``new_tokens`` (earlier
    tokens stay valid either way)."""
    created = tenants_service.find_tenant(session, DEMO_TENANT_ID) is None
    if created:
        _create_demo_data(session)
    for email, password in ((ADMIN[0], ADMIN_PASSWORD), (USER[0], USER_PASSWORD)):
        # Demo databases made before the web app had no passwords.
        if users_service.get_by_email(session, DEMO_TENANT_ID, email).password_hash is None:
            users_service.set_password(session, DEMO_TENANT_ID, email, password)
    admin = users_service.principal_for(
        users_service.get_by_email(session, DEMO_TENANT_ID, ADMIN[0])
    )
    user = users_service.principal_for(users_service.get_by_email(session, DEMO_TENANT_ID, USER[0]))
    return DemoInfo(
        service_id=DEMO_TENANT_ID,
        created=created,
        admin_email=admin.email,
        admin_token=_working_token(session, admin, "demo admin token", new=new_tokens),
        user_email=user.email,
        user_token=_working_token(session, user, "demo user token", new=new_tokens),
        admin_password=ADMIN_PASSWORD,
        user_password=USER_PASSWORD,
        plays={key: str(play_id(key)) for key in ("task", "form", "event_only", "inactive")},
        accounts=[_slug(name) for name in _COMPANIES[:5]],
        extras={
            "parent_play": str(play_id("parent")),
            "account_without_success_manager": "orphan-labs",
            "child_account": "globex-emea",
        },
    )


def _working_token(session: Session, owner: Principal, name: str, *, new: bool) -> DemoToken:
    """The newest working demo token of ``owner``, or a new one when there is none (or ``new``).
    Nothing is revoked: a token someone pasted somewhere keeps working until it expires."""
    if not new:
        working = [
            token
            for token in tokens_service.list_tokens(session, owner)
            if token.name == name and tokens_service.is_live(token)
        ]
        if working:
            newest = max(working, key=lambda token: token.created_at)
            return DemoToken(None, newest.hint, newest.created_at, newest.expires_at)
    issued = tokens_service.create_token(session, owner, name, "30d")
    token = issued.token
    return DemoToken(issued.secret, token.hint, token.created_at, token.expires_at)


def _create_demo_data(session: Session) -> None:
    tenant = tenants_service.create_tenant(session, "Playrunner Demo", DEMO_TENANT_ID)
    tid = tenant.id
    users_service.create_user(session, tid, *ADMIN, role=UserRole.SERVICE_ADMIN)
    for email, name in [*SUCCESS_MANAGERS, SALES_MANAGER]:
        users_service.create_user(session, tid, email, name)

    for key, name in [
        ("onboarding", "Onboarding"),
        ("adoption", "Adoption"),
        ("renewal", "Renewal"),
        ("escalation", "Escalation"),
    ]:
        flows_service.create_flow(session, tid, key, name)

    forms_service.create_form(
        session,
        tid,
        FormSpec(
            name="Account sentiment",
            fields=[
                FormFieldSpec(
                    attribute="sentiment",
                    label="Sentiment",
                    type=FieldType.LIST,
                    options=_SENTIMENTS,
                    required=True,
                ),
                FormFieldSpec(attribute="sentiment_reason", label="Why?", type=FieldType.TEXT),
                FormFieldSpec(
                    attribute="reference", label="Willing to be a reference", type=FieldType.BOOLEAN
                ),
            ],
        ),
    )

    parent = accounts_service.create_account(
        session,
        tid,
        "globex",
        "Globex Holdings",
        attributes={"segment": "Enterprise", "sentiment": "Green", "reference": True},
    )
    accounts_service.assign_role(session, tid, parent, "Success Manager", SUCCESS_MANAGERS[1][0])
    for index, company in enumerate(_COMPANIES):
        account_id, name = _slug(company), f"{company} Inc." if " " not in company else company
        if account_id == "globex":
            account_id, name = "globex-emea", "Globex EMEA"
        account = accounts_service.create_account(
            session,
            tid,
            account_id,
            name,
            attributes={
                "segment": _SEGMENTS[index % 3],
                "sentiment": _SENTIMENTS[index % 3],
                "reference": index % 4 == 0,
                "arr": 12000 + 1500 * index,
            },
            parent_account_id="globex" if account_id == "globex-emea" else None,
        )
        manager = SUCCESS_MANAGERS[index % len(SUCCESS_MANAGERS)][0]
        accounts_service.assign_role(session, tid, account, "Success Manager", manager)
        accounts_service.assign_role(session, tid, account, "Sales Manager", SALES_MANAGER[0])
    accounts_service.create_account(
        session, tid, "orphan-labs", "Orphan Labs", attributes={"segment": "SMB"}
    )

    success_manager = RoleAssignee(role="Success Manager")
    follow_up = CreateTaskAction(
        title="Follow up with {{ account.name }}",
        description=(
            "{{ runner.name }} asked for a follow-up from Salesforce on {{ account.name }}"
            " ({{ account.attributes.segment }}, sentiment {{ account.attributes.sentiment }})."
        ),
        flow="renewal",
        priority=1,
        due_in_days=3,
        assignee=success_manager,
        touchpoint_required=True,
    )
    plays = {
        "task": PlaySpec(
            name="Salesforce follow-up",
            description="A salesperson clicked the Totango button on the opportunity.",
            objective="Reply to the customer within three days",
            triggers=["manual"],
            actions=[follow_up],
        ),
        "form": PlaySpec(
            name="Sentiment check",
            description="An event elsewhere (e.g. a LinkedIn change) asks the CSM for sentiment.",
            triggers=["manual"],
            actions=[
                RequestInformationAction(
                    form="Account sentiment",
                    due_in_days=5,
                    assignee=success_manager,
                    instructions="Please update your sentiment on {{ account.name }}.",
                )
            ],
        ),
        "event_only": PlaySpec(
            name="Usage drop alert",
            description="Fires on a usage event; cannot be run manually.",
            triggers=["event"],
            actions=[follow_up],
        ),
        "inactive": PlaySpec(
            name="Quarterly review (retired)",
            description="A manual play that has been disabled.",
            triggers=["manual"],
            active=False,
            actions=[follow_up],
        ),
        "parent": PlaySpec(
            name="Executive escalation",
            description="Escalates to the account's parent company.",
            triggers=["manual"],
            apply_to_parent=True,
            actions=[
                CreateTaskAction(
                    title="Escalation for {{ account.name }}",
                    description="Raised by {{ runner.name }}.",
                    flow="escalation",
                    priority=1,
                    due_in_days=1,
                    assignee=success_manager,
                )
            ],
        ),
    }
    for key, spec in plays.items():
        plays_service.create_play(session, tid, spec, play_id=play_id(key))
