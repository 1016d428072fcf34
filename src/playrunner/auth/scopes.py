"""The scope catalogue: what an OAuth application may be allowed to do, with the labels admins
see. Each route declares the scope it needs with ``auth.dependencies.require_scope``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scope:
    name: str
    label: str
    description: str


TRIGGER_MANUAL = "successplays:trigger_manual"


def _read_write(resource: str, label: str, reads: str, writes: str) -> tuple[Scope, Scope]:
    return (
        Scope(f"{resource}:read", f"{label}: Read {reads}", f"List and read {reads}."),
        Scope(f"{resource}:write", f"{label}: Manage {reads}", writes),
    )


CATALOGUE: tuple[Scope, ...] = (
    Scope(
        TRIGGER_MANUAL,
        "SuccessPlays: Trigger manual SuccessPlays",
        "Run manual SuccessPlays on accounts (the Totango-compatible trigger API, bulk runs"
        " and dry runs). The acting user must still be a SERVICE_ADMIN.",
    ),
    *_read_write(
        "successplays",
        "SuccessPlays",
        "SuccessPlays",
        "Create, replace, enable, disable and delete SuccessPlays.",
    ),
    *_read_write(
        "accounts",
        "Accounts",
        "accounts and account roles",
        "Create, change and delete accounts, account roles and who holds them.",
    ),
    *_read_write(
        "users",
        "Users",
        "users",
        "Create users and change their name, role or state; change the acting user's own"
        " email settings.",
    ),
    *_read_write("flows", "Flows", "flows (activity types)", "Create, change and delete flows."),
    *_read_write("forms", "Forms", "forms", "Create, replace and delete forms."),
    *_read_write(
        "tasks", "Tasks", "tasks", "Create, update and delete tasks (Totango's Tasks API)."
    ),
    *_read_write(
        "form_requests",
        "Form requests",
        "form requests",
        "Submit answers to form requests, or cancel them.",
    ),
    *_read_write(
        "service",
        "Service",
        "the service's settings",
        "Change the service's settings (force emails about assigned work on for everyone).",
    ),
    Scope("runs:read", "Runs: Read runs", "List and read runs and what each one created."),
    *_read_write(
        "webhooks",
        "Webhooks",
        "webhook endpoints and their deliveries",
        "Register, change and delete webhook endpoints; rotate their secrets; redeliver.",
    ),
    *_read_write(
        "events",
        "Inbound events",
        "event sources, their rules and the events received",
        "Create and delete event sources and their rules; rotate their secrets; test rules.",
    ),
)

_BY_NAME = {scope.name: scope for scope in CATALOGUE}


def is_known(name: str) -> bool:
    return name in _BY_NAME


def descriptions() -> dict[str, str]:
    """Every scope's name and label, as OpenAPI's OAuth flows list them."""
    return {scope.name: scope.label for scope in CATALOGUE}


def label(name: str) -> str:
    """The label admins see for a scope; an unknown name is shown as is."""
    known = _BY_NAME.get(name)
    return known.label if known is not None else name


def unknown(names: list[str] | set[str] | frozenset[str]) -> list[str]:
    """The names that are not in the catalogue, sorted."""
    return sorted(name for name in names if name not in _BY_NAME)
