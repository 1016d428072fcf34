"""Tenants: creating a service with its default account roles, and finding the one meant."""

from __future__ import annotations

import re
import secrets

from sqlalchemy.orm import Session

from playrunner.accounts import service as accounts_service
from playrunner.auth.principal import Principal, require_service_admin
from playrunner.errors import Conflict, InvalidRequest, NotFound
from playrunner.models import Tenant
from playrunner.tenants import repository
from playrunner.tenants.schemas import ServicePatch, ServiceRead

TENANT_ID_PATTERN = re.compile(r"^SP-\d{4}-\d{2}$")


def create_tenant(session: Session, name: str, tenant_id: str | None = None) -> Tenant:
    """Create a service (``SP-1234-01``) with Totango's default account roles."""
    name = name.strip()
    if not name:
        raise InvalidRequest("Service name must not be empty", field="name")
    if len(name) > 200:
        raise InvalidRequest("Service name must be at most 200 characters", field="name")
    if tenant_id is None:
        tenant_id = _unused_tenant_id(session)
    elif not TENANT_ID_PATTERN.match(tenant_id):
        raise InvalidRequest(
            f"Service id {tenant_id!r} must look like SP-1234-01", field="service_id"
        )
    elif repository.get(session, tenant_id) is not None:
        raise Conflict(f"Service {tenant_id} already exists", field="service_id")
    tenant = repository.add(session, Tenant(id=tenant_id, name=name))
    accounts_service.create_default_roles(session, tenant.id)
    return tenant


def _unused_tenant_id(session: Session) -> str:
    while True:
        candidate = f"SP-{secrets.randbelow(9000) + 1000}-01"
        if repository.get(session, candidate) is None:
            return candidate


def find_tenant(session: Session, tenant_id: str) -> Tenant | None:
    return repository.get(session, tenant_id)


def get_tenant(session: Session, tenant_id: str) -> Tenant:
    tenant = repository.get(session, tenant_id)
    if tenant is None:
        raise NotFound(f"Service {tenant_id} not found", field="service_id")
    return tenant


def list_tenants(session: Session) -> list[Tenant]:
    return repository.list_all(session)


def resolve_tenant(session: Session, tenant_id: str | None) -> Tenant:
    """The service a command means: the one named, or the only one there is."""
    if tenant_id is not None:
        return get_tenant(session, tenant_id)
    tenants = repository.list_all(session)
    if not tenants:
        raise NotFound("No service exists yet: run `playrunner init` or `playrunner demo`")
    if len(tenants) > 1:
        ids = ", ".join(t.id for t in tenants)
        raise InvalidRequest(
            f"Several services exist ({ids}); choose one with --service", field="service"
        )
    return tenants[0]


# The service's settings, for its admins ------------------------------------------------------


def read_settings(session: Session, actor: Principal, *, email_configured: bool) -> ServiceRead:
    """The service's settings (admins only); ``email_configured``: this server sends email."""
    require_service_admin(actor)
    return _settings_read(get_tenant(session, actor.tenant_id), email_configured)


def update_settings(
    session: Session, actor: Principal, patch: ServicePatch, *, email_configured: bool
) -> ServiceRead:
    """Change the service's settings (admins only): ``force_email_notifications`` sends
    everyone the emails about work assigned to them, whatever their own setting."""
    require_service_admin(actor)
    tenant = get_tenant(session, actor.tenant_id)
    if patch.force_email_notifications is not None:
        tenant.force_email_notifications = patch.force_email_notifications
    session.flush()
    return _settings_read(tenant, email_configured)


def _settings_read(tenant: Tenant, email_configured: bool) -> ServiceRead:
    return ServiceRead(
        id=tenant.id,
        name=tenant.name,
        force_email_notifications=tenant.force_email_notifications,
        email_configured=email_configured,
    )
