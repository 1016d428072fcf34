"""``playrunner webhooks``: the endpoints a service's events go to, and their deliveries.
Acting as an admin (``--as``); the signing secret is printed once."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from playrunner.cli.errors import CommandFailed
from playrunner.cli.options import AsOption, JsonOption, ServiceOption
from playrunner.cli.output import Column, console, print_empty, print_json, print_table

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session

    from playrunner.auth.principal import Principal
    from playrunner.config import Settings

app = typer.Typer(
    help="Webhook endpoints: register, list, change, rotate secrets, delete; deliveries.",
    no_args_is_help=True,
)

EndpointArgument = Annotated[uuid.UUID, typer.Argument(help="The endpoint's id.")]
EventOption = Annotated[
    list[str] | None,
    typer.Option("--event", help="An event type, or * for all; repeat for several."),
]


T = TypeVar("T")


def _as_admin(
    service: str | None, as_email: str, work: Callable[[Session, Principal], T], **kw: bool
) -> T:
    from playrunner.cli.context import in_service
    from playrunner.users import service as users_service

    return in_service(service, lambda s, t: work(s, users_service.act_as(s, t, as_email)), **kw)


def _settings() -> Settings:
    from playrunner.config import Settings

    return Settings()


@app.command("create")
def create(
    url: Annotated[str, typer.Option(help="Where to POST the events (http:// or https://).")],
    as_email: AsOption,
    event: EventOption = None,
    description: Annotated[str, typer.Option(help="What it is for.")] = "",
    service: ServiceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register an endpoint and print its signing secret (only now)."""
    from playrunner.validation import parse_model
    from playrunner.webhooks import service as webhooks_service
    from playrunner.webhooks.schemas import EndpointCreate

    given = {"url": url, "events": event or ["*"], "description": description}
    spec = parse_model(EndpointCreate, given, what="endpoint")
    settings = _settings()
    created = _as_admin(
        service, as_email, lambda s, p: webhooks_service.create_endpoint(s, p, spec, settings)
    )
    if as_json:
        print_json(created)
        return
    console.print(f"Registered {created.url} ({created.id}) for {' '.join(created.events)}.")
    console.print(f"Signing secret (shown only now): {created.secret}", highlight=False)


@app.command("list")
def list_(as_email: AsOption, service: ServiceOption = None, as_json: JsonOption = False) -> None:
    """The service's endpoints (never their secrets)."""
    from playrunner.webhooks import service as webhooks_service

    endpoints = _as_admin(service, as_email, webhooks_service.list_endpoints, read_only=True)
    if as_json:
        print_json(endpoints)
        return
    if not endpoints:
        print_empty(
            "webhook endpoints",
            "Register one: playrunner webhooks create --url URL --event task.created --as EMAIL",
        )
        return
    print_table(
        "Webhook endpoints",
        [Column("id", "whole"), "url", Column("events", "wrap", drop=1), Column("state", drop=2)],
        [
            [
                e.id,
                e.url,
                " ".join(e.events),
                "enabled" if e.enabled else f"disabled: {e.disabled_reason or 'by an admin'}",
            ]
            for e in endpoints
        ],
    )


@app.command("update")
def update(
    endpoint_id: EndpointArgument,
    as_email: AsOption,
    url: Annotated[str | None, typer.Option(help="A new URL.")] = None,
    event: EventOption = None,
    description: Annotated[str | None, typer.Option(help="A new description.")] = None,
    enabled: Annotated[
        bool | None, typer.Option("--enable/--disable", help="Turn deliveries on or off.")
    ] = None,
    service: ServiceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change an endpoint; only the options given change."""
    from playrunner.validation import parse_model
    from playrunner.webhooks import service as webhooks_service
    from playrunner.webhooks.schemas import EndpointPatch

    given = {"url": url, "events": event, "description": description, "enabled": enabled}
    changes = {name: value for name, value in given.items() if value is not None}
    if not changes:
        raise CommandFailed("Nothing to change: give at least one option (see --help)")
    patch = parse_model(EndpointPatch, changes, what="endpoint")
    settings = _settings()
    read = _as_admin(
        service,
        as_email,
        lambda s, p: webhooks_service.update_endpoint(s, p, endpoint_id, patch, settings),
    )
    if as_json:
        print_json(read)
        return
    console.print(f"Updated {read.url} ({read.id}).", highlight=False)


@app.command("rotate-secret")
def rotate_secret(
    endpoint_id: EndpointArgument,
    as_email: AsOption,
    service: ServiceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Give an endpoint a new signing secret and print it once; the old one stops at once."""
    from playrunner.webhooks import service as webhooks_service

    settings = _settings()
    rotated = _as_admin(
        service, as_email, lambda s, p: webhooks_service.rotate_secret(s, p, endpoint_id, settings)
    )
    if as_json:
        print_json(rotated)
        return
    console.print(f"New signing secret (shown only now): {rotated.secret}", highlight=False)


@app.command("delete")
def delete(
    endpoint_id: EndpointArgument, as_email: AsOption, service: ServiceOption = None
) -> None:
    """Delete an endpoint and its deliveries."""
    from playrunner.webhooks import service as webhooks_service

    _as_admin(service, as_email, lambda s, p: webhooks_service.delete_endpoint(s, p, endpoint_id))
    console.print(f"Deleted webhook endpoint {endpoint_id}.")


@app.command("deliveries")
def deliveries(
    endpoint_id: EndpointArgument,
    as_email: AsOption,
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many, newest first.")] = 20,
    service: ServiceOption = None,
    as_json: JsonOption = False,
) -> None:
    """An endpoint's latest deliveries with their attempts."""
    from playrunner.webhooks import service as webhooks_service

    found = _as_admin(
        service,
        as_email,
        lambda s, p: webhooks_service.list_deliveries(s, p, endpoint_id, limit),
        read_only=True,
    )
    if as_json:
        print_json(found)
        return
    if not found:
        print_empty("deliveries", "Events are sent once something happens: run a play.")
        return
    print_table(
        "Deliveries",
        [
            Column("id", "whole"),
            Column("event", "whole"),
            Column("status", "whole"),
            Column("tries", "whole"),
            Column("last error", drop=1),
        ],
        [[d.id, d.event_type, d.status, d.attempts, d.last_error or ""] for d in found],
    )


@app.command("redeliver")
def redeliver(
    delivery_id: Annotated[uuid.UUID, typer.Argument(help="The delivery's id.")],
    as_email: AsOption,
    service: ServiceOption = None,
) -> None:
    """Send a delivery again now (same event id)."""
    from playrunner.webhooks import service as webhooks_service

    _as_admin(service, as_email, lambda s, p: webhooks_service.redeliver(s, p, delivery_id))
    console.print(
        f"Delivery {delivery_id} is queued again; a running server or worker sends it.",
        highlight=False,
    )
