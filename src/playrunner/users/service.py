"""Users of a service: create, change role, (de)activate, and act as one from the CLI."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from sqlalchemy.orm import Session

from playrunner.auth import principals
from playrunner.auth.principal import Principal
from playrunner.clock import utcnow
from playrunner.errors import Conflict, InvalidRequest, NotFound
from playrunner.models import PasswordLink, User, UserRole
from playrunner.pagination import every_page
from playrunner.tokens import secrets
from playrunner.users import passwords, repository
from playrunner.users.schemas import PreferencesPatch, UserPatch
from playrunner.validation import MAX_EMAIL_LENGTH, canonical_email

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(email: str) -> str:
    """The email as stored (``canonical_email``), refused when it is not one."""
    email = canonical_email(email)
    if not _EMAIL.match(email) or len(email) > MAX_EMAIL_LENGTH:
        raise InvalidRequest(f"{email!r} is not an email address", field="email")
    return email


def create_user(
    session: Session, tenant_id: str, email: str, name: str, role: UserRole = UserRole.USER
) -> User:
    email = normalise_email(email)
    name = name.strip()
    if not name:
        raise InvalidRequest("User name must not be empty", field="name")
    if repository.get_by_email(session, tenant_id, email) is not None:
        raise Conflict(f"User {email} already exists", field="email")
    return repository.add(session, User(tenant_id=tenant_id, email=email, name=name, role=role))


def get_by_email(session: Session, tenant_id: str, email: str) -> User:
    user = repository.get_by_email(session, tenant_id, normalise_email(email))
    if user is None:
        raise NotFound(f"User {email} not found", field="email")
    return user


def find_by_email(session: Session, tenant_id: str, email: str) -> User | None:
    """The user with this email in the service, or None (also for a malformed email)."""
    try:
        normalised = normalise_email(email)
    except InvalidRequest:
        return None
    return repository.get_by_email(session, tenant_id, normalised)


def sign_in_candidates(session: Session, email: str, tenant_id: str | None) -> list[User]:
    """The users who sign in with ``email``: in one service, or in any (the web app's sign-in
    asks only for an email and a password)."""
    if tenant_id is not None:
        user = find_by_email(session, tenant_id, email)
        return [user] if user is not None else []
    return repository.with_email_anywhere(session, canonical_email(email))


def find_user(session: Session, tenant_id: str, user_id: uuid.UUID) -> User | None:
    return repository.get(session, tenant_id, user_id)


def emails_and_activity(
    session: Session, tenant_id: str, user_ids: set[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, bool]]:
    """Email and active flag of each of these users of the service."""
    return repository.active_by_ids(session, tenant_id, user_ids)


def find_active_user(session: Session, tenant_id: str, user_id: uuid.UUID | None) -> User | None:
    """The user, when they exist in the service and are active."""
    if user_id is None:
        return None
    user = repository.get(session, tenant_id, user_id)
    return user if user is not None and user.active else None


def acting_user(session: Session, tenant_id: str, user_id: uuid.UUID | None) -> User | None:
    """Who work done on someone's behalf is done as: that user while they are active, else
    the service's first active admin (None: the service has none)."""
    return find_active_user(session, tenant_id, user_id) or repository.first_active_admin(
        session, tenant_id
    )


def get_user(session: Session, tenant_id: str, user_id: uuid.UUID) -> User:
    user = repository.get(session, tenant_id, user_id)
    if user is None:
        raise NotFound(f"User {user_id} not found", field="user_id")
    return user


def users_by_email(session: Session, tenant_id: str, emails: set[str]) -> dict[str, User]:
    """The service's users with these emails, by their stored (canonical) email."""
    return repository.by_emails(session, tenant_id, {canonical_email(e) for e in emails})


def page_users(
    session: Session, tenant_id: str, *, limit: int, offset: int
) -> tuple[list[User], int]:
    """A page of the service's users, by email, and how many there are."""
    return repository.find_page(session, tenant_id, limit, offset)


def active_user_choices(session: Session, tenant_id: str) -> list[tuple[str, str]]:
    """Every active user as a choice for a select: (email, "Name (email)"), by email."""
    users = every_page(
        lambda limit, offset: page_users(session, tenant_id, limit=limit, offset=offset)
    )
    return [(u.email, f"{u.name} ({u.email})") for u in users if u.active]


def update_user(session: Session, tenant_id: str, email: str, patch: UserPatch) -> User:
    """Rename, change the role of, or (de)activate a user; only the fields given change.

    Refused when it would leave the service without an active admin: the last one cannot
    demote or deactivate themself, or nobody could manage the service any more.
    """
    user = get_by_email(session, tenant_id, email)
    if patch.name is not None:
        name = patch.name.strip()
        if not name:
            raise InvalidRequest("User name must not be empty", field="name")
        user.name = name
    role = patch.role if patch.role is not None else user.role
    active = patch.active if patch.active is not None else user.active
    was_admin = user.role is UserRole.SERVICE_ADMIN and user.active
    stays_admin = role is UserRole.SERVICE_ADMIN and active
    if was_admin and not stays_admin:
        others = [i for i in repository.lock_active_admin_ids(session, tenant_id) if i != user.id]
        if not others:
            raise Conflict(
                f"{user.email} is the last active SERVICE_ADMIN of this service and cannot be"
                " deactivated or demoted; make another user SERVICE_ADMIN first",
                field="role" if active else "active",
            )
    user.role = role
    user.active = active
    session.flush()
    principals.forget_after_commit(session)  # their tokens act with the new role or not at all
    return user


def update_preferences(session: Session, actor: Principal, patch: PreferencesPatch) -> User:
    """Change the acting user's own settings (emails about work assigned to them)."""
    user = repository.get(session, actor.tenant_id, actor.user_id)
    if user is None:
        raise NotFound(f"User {actor.email} not found", field="user")
    if patch.email_notifications is not None:
        user.email_notifications = patch.email_notifications
    session.flush()
    return user


def set_role(session: Session, tenant_id: str, email: str, role: UserRole) -> User:
    return update_user(session, tenant_id, email, UserPatch(role=role))


def set_active(session: Session, tenant_id: str, email: str, active: bool) -> User:
    """Deactivating a user stops every one of their tokens at once."""
    return update_user(session, tenant_id, email, UserPatch(active=active))


def set_password(session: Session, tenant_id: str, email: str, password: str) -> User:
    """Give a user a password for the OAuth login page (stored as an argon2id hash)."""
    user = get_by_email(session, tenant_id, email)
    user.password_hash = passwords.hash_password(password)
    session.flush()
    return user


# One-time password links (invitations) -------------------------------------------------------

PASSWORD_LINK_PREFIX = "prpwl_"
PASSWORD_LINK_LIFETIME = timedelta(days=3)


def issue_password_link(session: Session, tenant_id: str, user_id: uuid.UUID) -> str:
    """A link secret with which the user sets their own password, once, within three days.
    Only its hash is kept: the secret is shown to the admin once, to pass on."""
    user = get_user(session, tenant_id, user_id)
    if not user.active:
        raise InvalidRequest(f"User {user.email} is deactivated", field="user")
    secret = secrets.generate_secret(PASSWORD_LINK_PREFIX)
    now = utcnow()
    repository.add_password_link(
        session,
        PasswordLink(
            tenant_id=tenant_id,
            user_id=user.id,
            secret_hash=secrets.hash_secret(secret),
            created_at=now,
            expires_at=now + PASSWORD_LINK_LIFETIME,
        ),
    )
    return secret


def user_of_password_link(session: Session, secret: str) -> User:
    """Whose password the link sets; refused once used, expired, or for a deactivated user."""
    link = _usable_link(session, secret)
    user = repository.get(session, link.tenant_id, link.user_id)
    if user is None or not user.active:
        raise NotFound("This link is not valid any more; ask an admin for a new one", field="link")
    return user


def set_password_with_link(session: Session, secret: str, password: str) -> User:
    """Set the password the link is for; the link then stops working."""
    user = user_of_password_link(session, secret)
    user.password_hash = passwords.hash_password(password)
    _usable_link(session, secret).used_at = utcnow()
    session.flush()
    return user


def _usable_link(session: Session, secret: str) -> PasswordLink:
    invalid = NotFound("This link is not valid any more; ask an admin for a new one", field="link")
    if not secrets.is_well_formed(secret, PASSWORD_LINK_PREFIX):
        raise invalid
    link = repository.password_link_by_hash(session, secrets.hash_secret(secret))
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        raise invalid
    return link


def principal_for(user: User) -> Principal:
    return Principal(
        tenant_id=user.tenant_id,
        user_id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
    )


def act_as(session: Session, tenant_id: str, email: str) -> Principal:
    """The principal for a command run ``--as EMAIL``; a deactivated user may not act."""
    user = get_by_email(session, tenant_id, email)
    if not user.active:
        raise InvalidRequest(f"User {user.email} is deactivated", field="as")
    return principal_for(user)
