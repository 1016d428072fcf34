"""``playrunner service``: the service's settings (forcing emails about assigned work on for
everyone). Reading is the operator's; a change acts as an admin (``--as``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from playrunner.cli.options import AsOption, JsonOption, ServiceOption
from playrunner.cli.output import console, print_json

if TYPE_CHECKING:
    from playrunner.tenants.schemas import ServiceRead

app = typer.Typer(help="The service's settings: show them, change them.", no_args_is_help=True)


def _print(found: ServiceRead, as_json: bool) -> None:
    if as_json:
        print_json(found.model_dump(mode="json"))
        return
    forced = "on for everyone" if found.force_email_notifications else "each user's choice"
    sent = "" if found.email_configured else " (this server sends none: no PLAYRUNNER_SMTP_HOST)"
    console.print(f"{found.id} {found.name}", highlight=False, markup=False)
    console.print(f"Emails about assigned work: {forced}{sent}", highlight=False, markup=False)


@app.command("show")
def show(service: ServiceOption = None, as_json: JsonOption = False) -> None:
    """Show the service's settings."""
    from playrunner.auth.principal import operator
    from playrunner.cli.context import in_service
    from playrunner.config import Settings
    from playrunner.tenants import service as tenants_service

    configured = Settings().email_enabled
    found = in_service(
        service,
        lambda s, t: tenants_service.read_settings(s, operator(t), email_configured=configured),
        read_only=True,
    )
    _print(found, as_json)


@app.command("set")
def set_(
    as_email: AsOption,
    force_email_notifications: Annotated[
        bool | None,
        typer.Option(
            "--force-email-notifications/--no-force-email-notifications",
            help="Everyone gets emails about work assigned to them, whatever their own setting.",
        ),
    ] = None,
    service: ServiceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change the service's settings, as an admin."""
    from playrunner.cli.context import in_service
    from playrunner.config import Settings
    from playrunner.tenants import service as tenants_service
    from playrunner.tenants.schemas import ServicePatch
    from playrunner.users import service as users_service

    configured = Settings().email_enabled
    patch = ServicePatch(force_email_notifications=force_email_notifications)
    found = in_service(
        service,
        lambda s, t: tenants_service.update_settings(
            s, users_service.act_as(s, t, as_email), patch, email_configured=configured
        ),
    )
    _print(found, as_json)
